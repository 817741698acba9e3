"""The hourly quota: visible to callers, 429 carries the reset, never retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.errors import SwitchboardRateLimitError
from switchboard.plugins.telphin.emulator import TelphinEmulator
from switchboard.plugins.telphin.errors import map_error

from .conftest import (
    FakeClock,
    api_requests,
    emulator_http,
    load_fixture,
    make_backend,
    make_client,
)

if TYPE_CHECKING:
    from switchboard.core.models import RateLimitState
    from switchboard.plugins.telphin.backend import TelphinBackend
    from switchboard.plugins.telphin.client import TelphinClient


def quota(holder: TelphinClient | TelphinBackend) -> RateLimitState | None:
    """Read the quota through a call, so mypy does not narrow it between reads."""
    return holder.rate_limit


async def test_quota_is_visible_after_every_answer(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    assert quota(client) is None
    await client.list_current_calls()
    await client.list_call_statuses()
    state = quota(client)
    assert state is not None
    assert state.limit == 5000
    assert state.remaining == 4998
    assert state.reset_seconds is not None
    assert 0 < state.reset_seconds <= 3600


async def test_backend_exposes_the_quota(
    http: httpx.AsyncClient, emulator: TelphinEmulator
) -> None:
    backend = make_backend(http)
    assert quota(backend) is None
    await backend.get_statuses()
    state = quota(backend)
    assert state is not None
    assert state.remaining == emulator.quota_remaining


async def test_exhausted_quota_raises_with_the_reset_and_is_not_retried(
    clock: FakeClock,
) -> None:
    emulator = TelphinEmulator(quota_per_hour=3, clock=clock)
    async with emulator_http(emulator) as http:
        client = make_client(http, clock, max_retries=2)
        for _ in range(3):
            await client.list_current_calls()
        clock.advance(600)  # ten minutes into the hour
        with pytest.raises(SwitchboardRateLimitError) as caught:
            await client.list_current_calls()  # a read: retried on 5xx, not on 429
        assert api_requests(emulator) == 4
        assert caught.value.retry_after == pytest.approx(3000, abs=2)
        assert "hourly request quota" in caught.value.message
        assert "50 min" in caught.value.message
        assert client.rate_limit is not None
        assert client.rate_limit.remaining == 0
        clock.advance(3000)  # the next hour
        assert await client.list_current_calls()
        assert client.rate_limit.remaining == 2


async def test_rate_limit_fault_answers_like_the_quota(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.list_current_calls()
    emulator.faults.rate_limited = -1
    before = api_requests(emulator)
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await client.list_current_calls()
    assert api_requests(emulator) == before + 1
    assert caught.value.retry_after is not None


def _response(
    status: int, body: object, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request(
        "GET", "https://apiproxy.telphin.ru/api/ver1.0/client/@me/call_history/"
    )
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_the_other_429_is_a_short_wait() -> None:
    """Call history's 'one statistics request at a time' is not the quota."""
    error = map_error(
        _response(429, load_fixture("call_history_429.json"), {"Retry-After": "2"})
    )
    assert isinstance(error, SwitchboardRateLimitError)
    assert error.retry_after == 2
    assert "busy" in error.message


def test_quota_error_without_reset_header() -> None:
    error = map_error(_response(429, {"status": "rate_limit_exceeded"}))
    assert isinstance(error, SwitchboardRateLimitError)
    assert error.retry_after is None
