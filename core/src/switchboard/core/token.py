"""A bearer token fetched on demand, shared by concurrent requests, renewed early.

Vendors that hand out short-lived tokens (a login, an OAuth2 token endpoint)
need the same mechanism around their own fetch: keep the token until it should
be renewed, let one fetch serve every request that arrives meanwhile (a lock,
checked twice), and after a 401 drop only the token that was refused, so a
burst of refusals still causes a single renewal. How to fetch, and how early
to renew, stay with the vendor.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable


class TokenCache:
    """Caches the token ``fetch`` returns until it is due for renewal.

    Args:
        fetch: Gets a fresh token; returns it and the seconds after which it
            should be renewed (``None``: it does not expire).
        clock: Monotonic seconds; injected by tests to fast-forward time.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[tuple[str, float | None]]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._value: str | None = None
        self._renew_at: float | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        # Never the token itself.
        return f"TokenCache(token={'cached' if self.holds_token else 'none'})"

    @property
    def holds_token(self) -> bool:
        """True while a token is kept (even one that is due for renewal)."""
        return self._value is not None

    async def get(self) -> str:
        """Return a token that is valid now, fetching one when needed."""
        token = self._current()
        if token is not None:
            return token
        async with self._lock:
            # Another task may have fetched while this one waited for the lock.
            token = self._current()
            if token is not None:
                return token
            value, renew_in = await self._fetch()
            self._value = value
            self._renew_at = None if renew_in is None else self._clock() + renew_in
            return value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the PBX refused it, unless it was already replaced."""
        if token == self._value:
            self._value = None
            self._renew_at = None

    def _current(self) -> str | None:
        if self._value is None:
            return None
        if self._renew_at is None or self._clock() < self._renew_at:
            return self._value
        return None
