"""Token auth: the API token, the 15-minute login flow, and secrecy of both."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from switchboard.core.errors import SwitchboardAuthError, SwitchboardError
from switchboard.plugins.telecomx.auth import LoginAuth
from switchboard.plugins.telecomx.client import TelecomXClient
from switchboard.plugins.telecomx.const import TOKEN_QUERY_PARAM
from switchboard.plugins.telecomx.emulator import DEMO_API_TOKEN, DEMO_PASSWORD

from .conftest import BASE_URL, FAST_RETRY, employee_login

if TYPE_CHECKING:
    import httpx

    from switchboard.plugins.telecomx.emulator import TelecomXEmulator

    from .conftest import FakeClock


def login_requests(emulator: TelecomXEmulator) -> int:
    return emulator.request_count("/auth/login")


def tokens_sent(emulator: TelecomXEmulator) -> list[str | None]:
    return [
        r.param(TOKEN_QUERY_PARAM) for r in emulator.requests if r.path != "/auth/login"
    ]


async def test_login_once_then_reuse_the_token(
    login_client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    await login_client.get_settings()
    await login_client.list_switches()
    assert login_requests(emulator) == 1
    login = emulator.requests[0]
    assert login.method == "POST"
    assert login.json() == {
        "username": employee_login(emulator),
        "password": DEMO_PASSWORD,
    }
    sent = tokens_sent(emulator)
    assert len(sent) == 2
    assert sent[0] == sent[1]
    assert sent[0] in emulator.tokens


async def test_token_is_renewed_before_it_expires(
    login_client: TelecomXClient, emulator: TelecomXEmulator, clock: FakeClock
) -> None:
    """A 15-minute token is replaced about a minute before the PBX would reject it."""
    await login_client.get_settings()
    clock.advance(13 * 60)
    await login_client.get_settings()
    assert login_requests(emulator) == 1  # still fresh
    clock.advance(60 + 30)  # 14.5 minutes: inside the renewal margin
    await login_client.get_settings()
    assert login_requests(emulator) == 2
    first, *_, last = tokens_sent(emulator)
    assert first != last
    # No request was ever refused on the way.
    assert not any(
        r.path != "/auth/login" and r.param("token") is None for r in emulator.requests
    )


async def test_rejected_login_token_triggers_one_new_login(
    login_client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """A token the PBX dropped early (restart) → log in again, resend once."""
    await login_client.get_settings()
    emulator.revoke_tokens()
    settings = await login_client.get_settings()
    assert settings.id == emulator.customer_id
    assert login_requests(emulator) == 2
    assert emulator.request_count("/pbx/settings") == 3  # ok, refused, ok


async def test_expired_token_is_refused_by_the_emulator(
    http: httpx.AsyncClient, emulator: TelecomXEmulator, clock: FakeClock
) -> None:
    """The emulator rejects a login token after 15 minutes, like the vendor."""
    token = emulator.issue_token(minutes=15)
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr(token), http_client=http
    ) as c:
        await c.get_settings()
        clock.advance(15 * 60)
        with pytest.raises(SwitchboardAuthError) as caught:
            await c.get_settings()
    assert caught.value.reauth_needed is True
    assert caught.value.status_code == 401


async def test_persistent_login_token_is_never_renewed(
    login_client: TelecomXClient, emulator: TelecomXEmulator, clock: FakeClock
) -> None:
    """expiresInMinutes = -1 means the token lives until revoked."""
    emulator.login_minutes = -1
    await login_client.get_settings()
    clock.advance(10 * 24 * 3600)
    await login_client.get_settings()
    assert login_requests(emulator) == 1
    auth = login_client.auth
    assert isinstance(auth, LoginAuth)
    assert auth.logins == 1


async def test_concurrent_requests_share_one_login(
    login_client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    await asyncio.gather(*(login_client.get_settings() for _ in range(5)))
    assert login_requests(emulator) == 1


async def test_wrong_password_is_an_auth_error(
    http: httpx.AsyncClient,
    emulator: TelecomXEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "wrong-password-98765"
    async with TelecomXClient(
        BASE_URL,
        username=employee_login(emulator),
        password=SecretStr(password),
        http_client=http,
        retry=FAST_RETRY,
    ) as c:
        with pytest.raises(SwitchboardAuthError) as caught:
            await c.get_settings()
    assert caught.value.reauth_needed is True
    assert login_requests(emulator) == 1  # a 401 is not retried
    for text in (str(caught.value), repr(caught.value), caplog.text, repr(c)):
        assert password not in text


async def test_wrong_api_token_is_an_auth_error(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr("not-a-valid-token-1234"), http_client=http
    ) as c:
        with pytest.raises(SwitchboardAuthError) as caught:
            await c.get_settings()
    assert caught.value.reauth_needed is True
    assert "invalid_token" in caught.value.message
    assert emulator.request_count() == 1  # a static token is not "renewed"


async def test_login_token_never_logged_nor_in_errors(
    login_client: TelecomXClient,
    emulator: TelecomXEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The issued token and the password stay out of logs, errors and reprs."""
    caplog.set_level(logging.DEBUG)
    await login_client.get_settings()
    token = tokens_sent(emulator)[0]
    assert token
    texts = [caplog.text, repr(login_client), repr(login_client.auth)]
    for switch in ("server_errors", "malformed", "rate_limited", "hangs"):
        emulator.faults.reset()
        setattr(emulator.faults, switch, -1)
        with pytest.raises(SwitchboardError) as caught:
            await login_client.get_settings()
        texts += [str(caught.value), repr(caught.value)]
    emulator.faults.reset()
    emulator.revoke_tokens()
    await login_client.get_settings()  # re-login: the new token is logged nowhere
    new_token = tokens_sent(emulator)[-1]
    texts.append(caplog.text)
    assert "/pbx/settings" in caplog.text  # requests were logged...
    for secret in (token, new_token, DEMO_PASSWORD):
        assert secret
        for text in texts:
            assert secret not in text  # ...without the secrets


async def test_api_token_never_logged(
    client: TelecomXClient, emulator: TelecomXEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.get_settings()
    emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardError) as caught:
        await client.list_switches()
    assert "token=" in caplog.text  # the parameter shows, masked
    for text in (caplog.text, str(caught.value), repr(client)):
        assert DEMO_API_TOKEN not in text
