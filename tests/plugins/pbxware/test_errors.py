"""One test per failure mode; retries for reads only; the key never leaks."""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

import httpx
import pytest
import respx

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.core.models import OfficeHoursState, RecordingAction
from switchboard.plugins.pbxware.client import PbxwareClient
from switchboard.plugins.pbxware.emulator import DEMO_API_KEY, PbxwareEmulator
from switchboard.plugins.pbxware.models import EsService, EsState, OtimesTarget

from .conftest import BASE_URL, SERVER, Sleeps, make_backend, make_client

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from switchboard.core.emulator import Request, Response
    from switchboard.plugins.pbxware.backend import PbxwareBackend

WRONG_KEY = "wrong-key-4f9a8c7d"


async def test_wrong_key_is_an_auth_error_sent_with_http_200(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    client = make_client(emulator, sleeps, api_key=WRONG_KEY)
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.list_extensions(server=SERVER)
    error = caught.value
    assert error.reauth_needed is True
    assert error.status_code == 200
    assert "Invalid API key." in error.message
    assert "Admin Settings: API key" in error.message
    assert WRONG_KEY not in error.message
    assert emulator.request_count() == 1  # an auth failure is not retried
    await client.transport.client.aclose()


async def test_server_errors_fail_reads_after_retrying(
    client: PbxwareClient, emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardConnectionError) as caught:
        await client.list_monitor(server=SERVER)
    assert caught.value.status_code == 503
    assert caught.value.message == "PBXware failed with HTTP 503."
    assert emulator.request_count() == 3  # first attempt + max_retries=2
    assert len(sleeps.delays) == 2


async def test_a_read_recovers_from_one_server_error(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.server_errors = 1
    assert await client.list_extensions(server=SERVER)
    assert emulator.request_count() == 2


async def test_timeout_is_a_timeout_error(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    emulator.faults.hangs = -1
    client = make_client(emulator, sleeps, timeout=0.1, max_retries=0)
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await client.list_live_calls(server=SERVER)
    assert caught.value.message == "PBXware did not answer within 0.1 s."
    assert caught.value.timeout == 0.1
    await client.transport.client.aclose()


async def test_malformed_body_is_a_response_error(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.malformed = 1
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.list_extensions(server=SERVER)
    assert "PBXware sent a body that is not JSON" in caught.value.message
    assert "Fatal error" not in caught.value.message


async def test_empty_body_is_a_response_error(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.empty = 1
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.list_monitor(server=SERVER)
    assert caught.value.message == "PBXware sent an empty answer to monitor.list."


async def test_rate_limit_is_reported_with_retry_after(
    client: PbxwareClient, emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    emulator.faults.rate_limited = -1
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await client.list_extensions(server=SERVER)
    assert caught.value.retry_after == 1.0
    assert "Try again in 1 s" in caught.value.message
    assert sleeps.delays == [1.0, 1.0]  # Retry-After obeyed between read retries


async def test_schema_drift_is_a_response_error(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    """A flag in a new encoding is refused, never guessed."""
    emulator.extensions["1"].es["dnd"] = "maybe"
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.get_es_state("1", EsService.DND, server=SERVER)
    assert "unexpected answer to ext.es.dnd.get" in caught.value.message
    assert "maybe" not in caught.value.message


async def test_in_band_not_found(client: PbxwareClient) -> None:
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.get_es_state("999", EsService.DND, server=SERVER)
    assert caught.value.message == (
        "PBXware could not find what ext.es.dnd.get asked for: Extension does not exist."
    )


async def test_other_in_band_errors_are_response_errors(client: PbxwareClient) -> None:
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.set_operation_times(
            OtimesTarget.DID, "3", server=SERVER, status="closed"
        )
    assert caught.value.message == (
        "PBXware refused otimes.did.set: Invalid Operation Times status."
    )
    assert caught.value.status_code == 200


@respx.mock
async def test_in_band_permission_error_does_not_ask_for_a_new_key() -> None:
    """A key without the permission is fine for everything else: no reauth."""
    respx.get(f"{BASE_URL}/").mock(
        return_value=httpx.Response(
            200, json={"error": "API key has no permission for this action."}
        )
    )
    async with PbxwareClient(BASE_URL, DEMO_API_KEY, max_retries=0) as client:
        with pytest.raises(SwitchboardPermissionError) as caught:
            await client.list_monitor(server=SERVER)
    assert caught.value.reauth_needed is False
    assert "monitor.list" in caught.value.message


@respx.mock
async def test_in_band_error_that_is_not_text_is_not_quoted() -> None:
    respx.get(f"{BASE_URL}/").mock(
        return_value=httpx.Response(200, json={"error": {"secret": "x" * 20}})
    )
    async with PbxwareClient(BASE_URL, DEMO_API_KEY, max_retries=0) as client:
        with pytest.raises(SwitchboardResponseError) as caught:
            await client.list_monitor(server=SERVER)
    assert caught.value.message == "PBXware refused monitor.list: no reason given"


async def test_wrong_url_path_says_so(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    client = PbxwareClient(
        f"{BASE_URL}/pbx", DEMO_API_KEY, http_client=http, sleep=sleeps
    )
    with pytest.raises(SwitchboardConnectionError) as caught:
        await client.list_extensions(server=SERVER)
    assert caught.value.message == (
        "There is no PBXware API at http://pbx.emulator.test/pbx/ "
        "(HTTP 404). Check the URL."
    )
    assert caught.value.status_code == 404
    assert emulator.request_count() == 1
    await http.aclose()


async def test_unknown_tenant_is_not_found(client: PbxwareClient) -> None:
    with pytest.raises(SwitchboardNotFoundError, match="Server/Tenant not found"):
        await client.start_recording(ext="201", server="42")


# -- retries: reads and explicit-state setters yes, recording and user writes no --


async def test_recording_is_never_retried(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.server_errors = 1
    with pytest.raises(SwitchboardConnectionError):
        await client.start_recording(ext="202", server=SERVER)
    assert emulator.request_count() == 1


async def test_explicit_state_setter_is_retried_unless_told_not_to(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.server_errors = 1
    await client.set_es_state("1", EsService.DND, EsState.YES, server=SERVER)
    assert emulator.request_count() == 2
    emulator.requests.clear()
    emulator.faults.server_errors = 1
    with pytest.raises(SwitchboardConnectionError):
        await client.set_es_state(
            "1", EsService.DND, EsState.NO, server=SERVER, retry=False
        )
    assert emulator.request_count() == 1


class FailingWrites(PbxwareEmulator):
    """Answers 503 to the next write (set/edit/recording), reads go through."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_writes = 0

    async def handle(self, request: Request) -> Response:
        action = request.param("action") or ""
        is_write = action.endswith((".set", ".edit")) or ".recording." in f".{action}"
        if is_write and self.fail_writes:
            self.fail_writes -= 1
            self.requests.append(request)
            return self.server_error_response(request)
        return await super().handle(request)


def writes(emulator: PbxwareEmulator) -> list[str]:
    return [
        r.param("action") or ""
        for r in emulator.requests
        if (r.param("action") or "").endswith((".set", ".edit", ".start"))
    ]


@pytest.mark.parametrize(
    "call",
    ["dnd", "dnd_for", "forward", "forward_off", "office_hours", "record"],
)
async def test_backend_writes_are_sent_once(call: str) -> None:
    from datetime import timedelta  # noqa: PLC0415

    emulator = FailingWrites()
    backend = make_backend(emulator, max_retries=3)
    emulator.fail_writes = 1
    actions: dict[str, Callable[[], Awaitable[object]]] = {
        "dnd": lambda: backend.set_dnd("1", enabled=True),
        "dnd_for": lambda: backend.set_dnd_for("1", timedelta(hours=1)),
        "forward": lambda: backend.set_forward("1", "4512345678"),
        "forward_off": lambda: backend.set_forward("8", None),
        "office_hours": lambda: backend.set_office_hours("did:3", OfficeHoursState.ON),
        "record": lambda: backend.record("2", RecordingAction.START),
    }
    with pytest.raises(SwitchboardConnectionError):
        await actions[call]()
    assert len(writes(emulator)) == 1
    await backend.aclose()
    await backend.client.transport.client.aclose()


async def test_backend_reads_are_retried(emulator: PbxwareEmulator) -> None:
    backend = make_backend(emulator, max_retries=1)
    emulator.faults.server_errors = 1
    assert len(await backend.get_statuses()) == 24
    assert emulator.request_count() == 3  # ext.list twice, monitor.list once
    await backend.client.transport.client.aclose()


# -- the key never leaks ----------------------------------------------------------


async def test_the_key_never_shows(
    emulator: PbxwareEmulator, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(emulator, sleeps, timeout=0.1, max_retries=1)
    backend: PbxwareBackend = make_backend(emulator)
    texts = [repr(client), repr(backend), repr(backend.client), repr(backend._settings)]
    texts.append(str(backend._settings.model_dump()))
    await client.list_extensions(server=SERVER)
    for switch in ("server_errors", "malformed", "empty", "rate_limited", "hangs"):
        emulator.faults.reset()
        setattr(emulator.faults, switch, -1)
        with pytest.raises(SwitchboardError) as caught:
            await client.list_extensions(server=SERVER)
        texts += [str(caught.value), repr(caught.value)]
        texts.append("".join(traceback.format_exception(caught.value)))
    emulator.faults.reset()
    emulator.faults.bad_credentials = True
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.list_extensions(server=SERVER)
    texts += [str(caught.value), "".join(traceback.format_exception(caught.value))]
    assert "apikey=**REDACTED**" in caplog.text  # httpx logged the URL, redacted
    for text in (*texts, caplog.text):
        assert DEMO_API_KEY not in text
    await client.transport.client.aclose()
    await backend.client.transport.client.aclose()
