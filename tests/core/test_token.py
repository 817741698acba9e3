"""TokenCache: one fetch for many requests, renewal when due, targeted invalidation."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.core.token import TokenCache


class Issuer:
    """Hands out numbered tokens that should be renewed after ``renew_in`` seconds."""

    def __init__(self, renew_in: float | None = 60.0, delay: float = 0.0) -> None:
        self.renew_in = renew_in
        self.delay = delay
        self.issued = 0

    async def __call__(self) -> tuple[str, float | None]:
        await asyncio.sleep(self.delay)
        self.issued += 1
        return f"token-{self.issued}", self.renew_in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_token_is_fetched_once_and_reused() -> None:
    issuer = Issuer()
    cache = TokenCache(issuer, clock=Clock())
    assert not cache.holds_token
    assert await cache.get() == "token-1"
    assert await cache.get() == "token-1"
    assert issuer.issued == 1
    assert cache.holds_token


async def test_concurrent_requests_share_one_fetch() -> None:
    issuer = Issuer(delay=0.01)
    cache = TokenCache(issuer, clock=Clock())
    tokens = await asyncio.gather(*(cache.get() for _ in range(10)))
    assert set(tokens) == {"token-1"}
    assert issuer.issued == 1


async def test_the_token_is_renewed_when_due() -> None:
    issuer = Issuer(renew_in=60.0)
    clock = Clock()
    cache = TokenCache(issuer, clock=clock)
    await cache.get()
    clock.now += 59.9
    assert await cache.get() == "token-1"
    clock.now += 0.1
    assert await cache.get() == "token-2"


async def test_a_token_without_expiry_is_kept() -> None:
    issuer = Issuer(renew_in=None)
    clock = Clock()
    cache = TokenCache(issuer, clock=clock)
    await cache.get()
    clock.now += 10**9
    assert await cache.get() == "token-1"


async def test_only_the_refused_token_is_dropped() -> None:
    issuer = Issuer()
    cache = TokenCache(issuer, clock=Clock())
    first = await cache.get()
    cache.invalidate(first)
    second = await cache.get()
    assert second == "token-2"
    cache.invalidate(first)  # a late 401 for the old token changes nothing
    assert await cache.get() == "token-2"
    assert issuer.issued == 2


async def test_a_failed_fetch_keeps_nothing_and_repr_hides_the_token() -> None:
    async def refuse() -> tuple[str, float | None]:
        msg = "refused"
        raise RuntimeError(msg)

    cache = TokenCache(refuse, clock=Clock())
    with pytest.raises(RuntimeError, match="refused"):
        await cache.get()
    assert not cache.holds_token
    issuer = Issuer()
    cache = TokenCache(issuer, clock=Clock())
    token = await cache.get()
    assert token not in repr(cache)
    assert repr(cache) == "TokenCache(token=cached)"
