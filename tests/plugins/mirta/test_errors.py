"""One test per failure mode, retries, and secrets kept out of everything."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
import pytest
import respx

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardNotFoundError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.plugins.mirta.client import MirtaClient
from switchboard.plugins.mirta.const import PROXY_API_PATH
from switchboard.plugins.mirta.emulator import DEMO_API_KEY, MirtaEmulator

from .conftest import BASE_URL, make_backend, make_client

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

FORMATS = ["json", "plain"]


@pytest.mark.parametrize("response_format", FORMATS)
async def test_wrong_key_is_an_auth_error(
    emulator: MirtaEmulator, response_format: str
) -> None:
    """HTTP 200 + the sentence becomes a reauth-needed auth error naming the tenant."""
    client = make_client(emulator, response_format, api_key="wrong-key-123456")  # type: ignore[arg-type]
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.extensions()
    assert caught.value.reauth_needed
    assert "API key or the tenant code 'ACME'" in caught.value.message
    assert "wrong-key-123456" not in str(caught.value)
    assert emulator.request_count() == 1  # refusals are not retried


async def test_unknown_tenant_is_an_auth_error(emulator: MirtaEmulator) -> None:
    """The vendor answers a wrong tenant exactly like a wrong key."""
    client = make_client(emulator, tenant="OTHER")
    with pytest.raises(SwitchboardAuthError):
        await client.count_peers()


async def test_refusal_claims_json_but_is_caught_first(emulator: MirtaEmulator) -> None:
    """The emulator sends the sentence as application/json, like the vendor."""
    emulator.faults.bad_credentials = True
    client = make_client(emulator, "json")
    with pytest.raises(SwitchboardAuthError):
        await client.flows()
    response = emulator.auth_failure_response(emulator.requests[-1])
    assert response.headers["content-type"] == "application/json"
    assert len(response.body) == 46


async def test_server_error_is_retried_for_reads(emulator: MirtaEmulator) -> None:
    """One 503 on a read is retried and the read succeeds."""
    emulator.faults.server_errors = 1
    client = make_client(emulator)
    assert len(await client.flows()) == 4
    assert emulator.request_count() == 2


async def test_persistent_server_error_is_a_connection_error(
    emulator: MirtaEmulator,
) -> None:
    """503 on every attempt: a connection error after max_retries + 1 attempts."""
    emulator.faults.server_errors = -1
    client = make_client(emulator, max_retries=2)
    with pytest.raises(SwitchboardConnectionError) as caught:
        await client.peers()
    assert caught.value.status_code == 503
    assert "MiRTA PBX failed with HTTP 503" in caught.value.message
    assert emulator.request_count() == 3


WRITES: dict[str, Callable[[MirtaClient], Awaitable[object]]] = {
    "DND": lambda c: c.set_dnd("100", enabled=True),
    "DIAL": lambda c: c.dial("100", "+4555501234"),
    "SETFLOW": lambda c: c.set_flow("7002", state="INUSE"),
    "HANGUP": lambda c: c.hangup(extension="101"),
    "TRANSFER": lambda c: c.transfer("PJSIP/101-ACME-0000001c", "102"),
}


@pytest.mark.parametrize("reqtype", list(WRITES))
async def test_writes_are_never_retried(emulator: MirtaEmulator, reqtype: str) -> None:
    """A write that meets a 503 is sent once and reported, never repeated."""
    emulator.faults.server_errors = 1
    before = (len(emulator.state.channels), emulator.state.flows[1].state)
    client = make_client(emulator, max_retries=5)
    with pytest.raises(SwitchboardConnectionError):
        await WRITES[reqtype](client)
    assert emulator.request_count() == 1
    assert emulator.requests[0].param("reqtype") == reqtype
    assert (len(emulator.state.channels), emulator.state.flows[1].state) == before
    assert emulator.state.extensions["100"].dnd is False


async def test_timeout(emulator: MirtaEmulator) -> None:
    """A hanging PBX becomes a timeout error that says how long we waited."""
    emulator.faults.hangs = -1
    client = make_client(emulator, timeout=0.2, max_retries=1)
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await client.extensions()
    assert caught.value.timeout == 0.2
    assert caught.value.message == "MiRTA PBX did not answer within 0.2 s."
    assert emulator.request_count() == 2


@pytest.mark.parametrize("response_format", FORMATS)
async def test_malformed_body(emulator: MirtaEmulator, response_format: str) -> None:
    """Broken JSON, or PHP's fatal-error page, is a response error quoting nothing."""
    emulator.faults.malformed = -1
    client = make_client(emulator, response_format)  # type: ignore[arg-type]
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.extensions()
    message = caught.value.message
    assert message.startswith("MiRTA PBX ")
    assert "bytes" in message
    assert "Anne" not in message
    assert "proxyapi.php" not in message


async def test_schema_drift_is_a_response_error() -> None:
    """Rows without the fields we need are a readable response error."""
    with respx.mock:
        respx.get(f"{BASE_URL}{PROXY_API_PATH}").mock(
            return_value=httpx.Response(200, json=[{"fl_name": "Day"}])
        )
        async with MirtaClient(BASE_URL, api_key=DEMO_API_KEY, tenant="ACME") as client:
            with pytest.raises(SwitchboardResponseError) as caught:
                await client.flows()
    assert "unexpected FLOWS row" in caught.value.message


@pytest.mark.parametrize("response_format", FORMATS)
async def test_empty_body(emulator: MirtaEmulator, response_format: str) -> None:
    """0 bytes: no rows for a list, not found for one object or an action."""
    client = make_client(emulator, response_format)  # type: ignore[arg-type]
    emulator.faults.empty = 1
    assert await client.peers() == []
    emulator.faults.empty = 1
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.ext_state("100")
    assert caught.value.message == "MiRTA PBX does not know extension 100."
    emulator.faults.empty = 1
    with pytest.raises(SwitchboardNotFoundError):
        await client.set_flow("7001", state="INUSE")


async def test_rate_limit(emulator: MirtaEmulator) -> None:
    """A 429 with Retry-After is retried for reads, then reported with the delay."""
    emulator.faults.rate_limited = -1
    client = make_client(emulator, max_retries=1)
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await client.channels()
    assert caught.value.retry_after == 1.0
    assert "Try again in 1 s" in caught.value.message
    assert emulator.request_count() == 2


async def test_wrong_proxy_path_is_a_config_error(emulator: MirtaEmulator) -> None:
    """A 404 means the proxy path is wrong (M1): say which setting to fix."""
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    async with MirtaClient(
        BASE_URL,
        api_key=DEMO_API_KEY,
        tenant="ACME",
        proxy_path="/mirtapbx/proxyapi.php",
        http_client=http,
    ) as client:
        with pytest.raises(SwitchboardConfigError) as caught:
            await client.peers()
    assert "/mirtapbx/proxyapi.php" in caught.value.message
    assert "/pbx/proxyapi.php" in caught.value.message
    assert DEMO_API_KEY not in caught.value.message
    await http.aclose()


async def test_unreachable_host_is_a_connection_error() -> None:
    """A refused connection is a connection error naming the host, not the key."""
    with respx.mock:
        respx.get(f"{BASE_URL}{PROXY_API_PATH}").mock(
            side_effect=httpx.ConnectError("refused")
        )
        async with MirtaClient(
            BASE_URL, api_key=DEMO_API_KEY, tenant="ACME", max_retries=0
        ) as client:
            with pytest.raises(SwitchboardConnectionError) as caught:
                await client.peers()
    assert "mirta.emulator.test" in caught.value.message
    assert DEMO_API_KEY not in caught.value.message


# -- secrets ------------------------------------------------------------------------


def _extension_secrets(emulator: MirtaEmulator) -> list[str]:
    return [
        s
        for e in emulator.state.extensions.values()
        for s in e.credentials()
        if len(s) >= 4
    ]


@pytest.mark.parametrize("response_format", FORMATS)
async def test_key_and_extension_passwords_never_leak(
    emulator: MirtaEmulator, response_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the API key nor any extension credential shows in logs, errors, reprs or models."""
    caplog.set_level(logging.DEBUG)
    client = make_client(emulator, response_format)  # type: ignore[arg-type]
    texts = [repr(client), repr(client.transport)]
    records = await client.extensions()
    texts += [repr(records), str([r.model_dump() for r in records])]
    texts.append(repr(await client.peers()))
    for switch in ("server_errors", "malformed", "rate_limited", "empty"):
        emulator.faults.reset()
        setattr(emulator.faults, switch, -1)
        try:
            texts.append(repr(await client.extensions()))
        except SwitchboardError as err:
            texts += [str(err), repr(err), repr(err.__cause__)]
    emulator.faults.reset()
    emulator.faults.bad_credentials = True
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.extensions()
    texts += [str(caught.value), repr(caught.value)]
    everything = "\n".join([*texts, caplog.text])
    assert "key=**REDACTED**" in caplog.text  # the URL was logged, redacted
    assert DEMO_API_KEY not in everything
    secrets = _extension_secrets(emulator)
    assert len(secrets) >= 24 * 5
    leaked = [s for s in secrets if s in everything]
    assert leaked == []


async def test_backend_and_settings_reprs_hide_the_key(emulator: MirtaEmulator) -> None:
    """The backend, its settings and its statuses never show the key or passwords."""
    backend = make_backend(emulator)
    statuses = await backend.get_statuses()
    text = "\n".join(
        [
            repr(backend),
            repr(backend.client),
            str(statuses),
            repr(backend.client.transport),
        ]
    )
    assert DEMO_API_KEY not in text
    assert not [s for s in _extension_secrets(emulator) if s in text]
    await backend.aclose()
    await backend.client.transport.client.aclose()
