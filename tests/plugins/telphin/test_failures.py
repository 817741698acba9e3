"""Failure modes: each becomes the right error; reads are retried, writes are not."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.plugins.telphin.errors import map_error
from switchboard.plugins.telphin.models import CallbackRequest, PhoneProperties

from .conftest import load_fixture

if TYPE_CHECKING:
    from switchboard.plugins.telphin.client import TelphinClient
    from switchboard.plugins.telphin.emulator import TelphinEmulator


def ext(emulator: TelphinEmulator) -> str:
    return str(next(iter(emulator.extensions)))


async def test_a_5xx_on_a_read_is_retried(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    emulator.faults.server_errors = 1
    assert await client.list_current_calls()
    assert emulator.request_count("/current_calls/") == 2


async def test_persistent_5xx_is_a_connection_error(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardConnectionError) as caught:
        await client.list_current_calls()
    assert caught.value.status_code == 503
    assert emulator.request_count("/current_calls/") == 2  # max_retries=1


async def test_callback_is_sent_once(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    emulator.faults.server_errors = 1
    emulator.requests.clear()
    request = CallbackRequest(src_num=["00214*101"], dst_num="555")
    with pytest.raises(SwitchboardConnectionError):
        await client.callback(ext(emulator), request)
    assert len(emulator.requests) == 1


async def test_phone_update_is_sent_once(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    emulator.faults.server_errors = 1
    emulator.requests.clear()
    with pytest.raises(SwitchboardConnectionError):
        await client.update_phone(ext(emulator), PhoneProperties(vm_enabled=False))
    assert len(emulator.requests) == 1


async def test_reads_that_prepare_a_write_can_opt_out_of_retries(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    emulator.faults.server_errors = 1
    with pytest.raises(SwitchboardConnectionError):
        await client.get_phone(ext(emulator), retry=False)
    assert emulator.request_count("/phone/") == 1


async def test_timeout(client: TelphinClient, emulator: TelphinEmulator) -> None:
    await client.get_client_info()
    emulator.faults.hangs = -1
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await client.list_current_calls()
    assert "0.5 s" in caught.value.message
    assert emulator.request_count("/current_calls/") == 2


async def test_token_endpoint_timeout(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    emulator.faults.hangs = -1
    with pytest.raises(SwitchboardTimeoutError):
        await client.get_client_info()


@pytest.mark.parametrize("fault", ["malformed", "empty"])
async def test_unreadable_bodies_are_response_errors(
    client: TelphinClient, emulator: TelphinEmulator, fault: str
) -> None:
    await client.get_client_info()
    setattr(emulator.faults, fault, 1)
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.list_current_calls()
    assert "not JSON" in caught.value.message


async def test_malformed_token_answer(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    emulator.faults.malformed = 1
    with pytest.raises(SwitchboardResponseError):
        await client.get_client_info()


async def test_schema_drift_names_the_field_not_the_value(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    emulator.phones[int(ext(emulator))]["hangup_timeout"] = "soon-ish"
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.get_phone(ext(emulator))
    assert "hangup_timeout" in caught.value.message
    assert "soon-ish" not in caught.value.message


async def test_bad_credentials_fault(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    emulator.faults.bad_credentials = True
    with pytest.raises(SwitchboardAuthError) as caught:
        await client.get_client_info()
    assert caught.value.reauth_needed


def _response(
    status: int, body: object, url: str = "https://h/api/ver1.0/extension/5/phone/"
) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("GET", url))


@pytest.mark.parametrize(
    ("status", "body", "kind", "reauth"),
    [
        (
            403,
            {"status": "access_denied", "message": "Access denied"},
            SwitchboardPermissionError,
            False,
        ),
        (403, {"status": "app_access_type_deny"}, SwitchboardPermissionError, False),
        (
            403,
            {"status": "user_blocked", "message": "User is blocked"},
            SwitchboardAuthError,
            True,
        ),
        (401, {"message": "Unauthorized"}, SwitchboardAuthError, True),
    ],
)
def test_auth_table(
    status: int, body: object, kind: type[SwitchboardAuthError], reauth: bool
) -> None:
    error = map_error(_response(status, body))
    assert type(error) is kind
    assert isinstance(error, SwitchboardAuthError)
    assert error.reauth_needed is reauth


def test_not_found_and_bad_request_bodies() -> None:
    missing = map_error(_response(404, load_fixture("error_404.json")))
    assert isinstance(missing, SwitchboardNotFoundError)
    assert "(Not found)" in missing.message
    bad = map_error(_response(400, {"message": "x" * 500}))
    assert isinstance(bad, SwitchboardInvalidInputError)
    assert len(bad.message) < 200


def test_oauth_errors_are_credential_errors() -> None:
    error = map_error(
        _response(400, {"error": "invalid_client"}, "https://h/oauth/token")
    )
    assert isinstance(error, SwitchboardAuthError)
    assert error.reauth_needed


def test_unknown_statuses_fall_back_to_the_generic_table() -> None:
    assert (
        map_error(
            httpx.Response(
                502,
                content=b"<html>bad gateway</html>",
                request=httpx.Request("GET", "https://h/x"),
            )
        )
        is None
    )
    assert (
        map_error(
            httpx.Response(
                409, content=b"", request=httpx.Request("GET", "https://h/x")
            )
        )
        is None
    )
