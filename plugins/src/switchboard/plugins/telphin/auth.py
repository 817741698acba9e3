"""OAuth2 client credentials for Telphin: one cached token, renewed early and on 401.

The token endpoint (``POST /oauth/token``, form-encoded) is itself rate limited
(20 requests/s, 6 connections), so the token is cached until 60 s before it runs
out, concurrent requests share one fetch (a lock), and a 401 replaces only the
token that was refused, so a burst of 401s still causes a single renewal.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from switchboard.core.redaction import get_logger, register_secret
from switchboard.core.responses import parse_json, validate
from switchboard.core.token import TokenCache
from switchboard.plugins.telphin.const import (
    DISPLAY_NAME,
    TOKEN_FALLBACK_TTL_S,
    TOKEN_RENEW_EARLY_S,
    VENDOR,
)
from switchboard.plugins.telphin.models import TokenResponse

if TYPE_CHECKING:
    from collections.abc import Callable

    from switchboard.core.transport import Transport

_LOGGER = get_logger(__name__)


class TelphinAuth:
    """Gets and caches the bearer token of a trusted Telphin application.

    Args:
        transport: The transport the token request goes through.
        token_url: Absolute URL of ``/oauth/token``.
        client_id: The application's App ID.
        client_secret: The application's App Secret.
        clock: Monotonic seconds; injected by tests.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._cache = TokenCache(self._fetch, clock=clock)
        self.fetches = 0
        """How many tokens were fetched (for diagnostics and tests)."""

    def __repr__(self) -> str:
        state = "cached" if self._cache.holds_token else "none"
        return f"TelphinAuth(client_id={self._client_id!r}, token={state})"

    async def get_token(self) -> str:
        """Return a valid access token, fetching one when needed.

        Raises:
            SwitchboardAuthError: The client ID or secret was refused.
            SwitchboardError: The token endpoint failed otherwise.
        """
        return await self._cache.get()

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after a 401, unless it was already replaced."""
        self._cache.invalidate(token)

    async def _fetch(self) -> tuple[str, float | None]:
        response = await self._transport.request(
            "POST",
            self._token_url,
            # A token request changes nothing on the PBX: repeating it is harmless.
            idempotent=True,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
        )
        data = parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)
        answer = validate(
            TokenResponse,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what="token answer",
        )
        value = answer.access_token.get_secret_value()
        register_secret(value, session_token=True)
        lifetime = answer.expires_in or TOKEN_FALLBACK_TTL_S
        early = min(TOKEN_RENEW_EARLY_S, lifetime / 2)
        self.fetches += 1
        _LOGGER.debug(
            "%s access token obtained; renewing it in %.0f s",
            DISPLAY_NAME,
            lifetime - early,
        )
        return value, lifetime - early
