"""Token lifecycle: cached, renewed early, renewed exactly once on a 401, never leaked."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import pytest

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardError,
    SwitchboardPermissionError,
)
from switchboard.plugins.telphin.const import TOKEN_FALLBACK_TTL_S
from switchboard.plugins.telphin.models import CallbackRequest

from .conftest import FakeClock, api_requests, make_client, token_requests

if TYPE_CHECKING:
    import httpx

    from switchboard.plugins.telphin.client import TelphinClient
    from switchboard.plugins.telphin.emulator import TelphinEmulator


async def test_token_is_reused_until_shortly_before_it_expires(
    client: TelphinClient, emulator: TelphinEmulator, clock: FakeClock
) -> None:
    """expires_in=3600: reused at 3539 s, renewed from 3540 s (60 s early)."""
    await client.list_current_calls()
    clock.advance(3539)
    await client.list_current_calls()
    assert token_requests(emulator) == 1
    clock.advance(1)
    await client.list_current_calls()
    assert token_requests(emulator) == 2
    assert client.auth.fetches == 2


async def test_short_lived_tokens_renew_at_half_life(
    http: httpx.AsyncClient, emulator: TelphinEmulator, clock: FakeClock
) -> None:
    emulator.token_ttl = 40
    client = make_client(http, clock)
    await client.list_current_calls()
    clock.advance(19)
    await client.list_current_calls()
    assert token_requests(emulator) == 1
    clock.advance(1)
    await client.list_current_calls()
    assert token_requests(emulator) == 2


async def test_missing_expires_in_uses_the_fallback_lifetime(
    client: TelphinClient, emulator: TelphinEmulator, clock: FakeClock
) -> None:
    emulator.issue_expires_in = False
    emulator.token_ttl = (
        10 * TOKEN_FALLBACK_TTL_S
    )  # the server's real lifetime is longer
    await client.list_current_calls()
    clock.advance(TOKEN_FALLBACK_TTL_S - 61)
    await client.list_current_calls()
    assert token_requests(emulator) == 1
    clock.advance(2)
    await client.list_current_calls()
    assert token_requests(emulator) == 2


async def test_a_401_renews_the_token_once_and_replays_the_request(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.list_current_calls()
    emulator.expire_tokens()
    emulator.requests.clear()
    calls = await client.list_current_calls()
    assert calls
    assert [r.path for r in emulator.requests] == [
        "/api/ver1.0/client/@me/current_calls/",
        "/oauth/token",
        "/api/ver1.0/client/@me/current_calls/",
    ]


async def test_a_second_401_is_the_auth_error(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    """Tokens that are refused even when fresh: one renewal, then reauth."""
    emulator.token_ttl = 0  # every token is already expired on arrival
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.list_current_calls()
    assert caught.value.reauth_needed
    assert caught.value.status_code == 401
    assert token_requests(emulator) == 2
    assert api_requests(emulator) == 2


async def test_dial_after_an_expired_token_rings_once(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    """A 401 is refused before anything happens, so the replay cannot ring twice."""
    await client.get_client_info()
    emulator.expire_tokens()
    before = len(emulator.current_calls)
    ext = str(next(iter(emulator.extensions)))
    await client.callback(ext, CallbackRequest(src_num=["00214*101"], dst_num="555"))
    assert len(emulator.current_calls) == before + 1
    assert emulator.request_count("/callback/") == 2


async def test_concurrent_requests_share_one_token_fetch(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await asyncio.gather(*(client.list_call_statuses() for _ in range(10)))
    assert token_requests(emulator) == 1
    assert api_requests(emulator) == 10
    # Identical list reads in flight together share one request (and token).
    await asyncio.gather(*(client.list_current_calls() for _ in range(10)))
    assert token_requests(emulator) == 1
    assert api_requests(emulator) == 11


async def test_concurrent_401s_renew_once(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.list_current_calls()
    emulator.expire_tokens()
    await asyncio.gather(*(client.list_current_calls() for _ in range(5)))
    assert token_requests(emulator) == 2


async def test_wrong_secret_is_an_auth_error_needing_reauth(
    http: httpx.AsyncClient, emulator: TelphinEmulator, clock: FakeClock
) -> None:
    client = make_client(http, clock, client_secret="not-the-secret")
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.get_client_info()
    assert caught.value.reauth_needed
    assert "client ID or client secret" in caught.value.message
    assert token_requests(emulator) == 1  # a refusal is not retried
    assert api_requests(emulator) == 0


async def test_forbidden_action_is_a_permission_error_without_renewal(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    """403 user_access_type_deny: the token is fine, so no reauth and no renewal."""
    emulator.forbidden_writes = True
    ext = str(next(iter(emulator.extensions)))
    with pytest.raises(SwitchboardPermissionError) as caught:
        await client.callback(
            ext, CallbackRequest(src_num=["00214*101"], dst_num="555")
        )
    assert not caught.value.reauth_needed
    assert "user_access_type_deny" in caught.value.message
    assert token_requests(emulator) == 1
    assert emulator.request_count("/callback/") == 1


async def test_tokens_and_secret_never_leak(
    http: httpx.AsyncClient,
    client: TelphinClient,
    emulator: TelphinEmulator,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.list_current_calls()
    emulator.expire_tokens()
    await client.list_current_calls()
    texts = [repr(client), repr(client.auth), str(client.__dict__)]
    for switch in ("server_errors", "malformed", "rate_limited", "hangs"):
        emulator.faults.reset()
        setattr(emulator.faults, switch, -1)
        emulator.expire_tokens()
        with pytest.raises(SwitchboardError) as caught:
            await client.list_current_calls()
        texts += [str(caught.value), repr(caught.value)]
    emulator.faults.reset()
    emulator.token_ttl = 0
    with pytest.raises(SwitchboardAuthError) as refused:
        await client.list_current_calls()
    texts += [str(refused.value), repr(refused.value)]
    secrets = [*emulator.tokens, emulator.client_secret]
    assert len(secrets) >= 4
    for secret in secrets:
        assert secret not in caplog.text
        for text in texts:
            assert secret not in text
    assert "Bearer" not in caplog.text or "REDACTED" in caplog.text
