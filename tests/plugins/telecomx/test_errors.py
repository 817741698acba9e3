"""The error table: HTTP status + short code → the right Switchboard error."""

from __future__ import annotations

import httpx
import pytest
import respx
from pydantic import SecretStr

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
)
from switchboard.plugins.telecomx.client import TelecomXClient
from switchboard.plugins.telecomx.const import ERROR_MESSAGE_FIELD
from switchboard.plugins.telecomx.errors import error_code, error_mapper

from .conftest import BASE_URL, FAST_RETRY


def answer(
    status: int, code: str | None = None, *, text: str | None = None
) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text)
    return httpx.Response(status, json={ERROR_MESSAGE_FIELD: code} if code else {})


@pytest.mark.parametrize(
    ("status", "code", "kind", "words"),
    [
        (400, "bad_request", SwitchboardInvalidInputError, "malformed"),
        (401, "invalid_token", SwitchboardAuthError, "refused our credentials"),
        (403, "access_denied", SwitchboardPermissionError, "does not allow"),
        (404, "not_found", SwitchboardNotFoundError, "does not know that object"),
        (404, "customer", SwitchboardNotFoundError, "does not know that customer"),
        (404, "calls", SwitchboardNotFoundError, "no call in progress"),
        (409, "calls", SwitchboardInvalidInputError, "not being recorded"),
        (409, "state", SwitchboardInvalidInputError, "current state (state)"),
        (422, "target", SwitchboardInvalidInputError, "'target'"),
        (422, "device", SwitchboardInvalidInputError, "'device'"),
    ],
)
def test_table_rows(
    status: int, code: str, kind: type[SwitchboardError], words: str
) -> None:
    error = error_mapper(answer(status, code))
    assert type(error) is kind
    assert error is not None
    assert words in error.message
    assert error.vendor == "telecomx"
    assert error.status_code == status


def test_access_denied_does_not_ask_for_reauth() -> None:
    """403 access_denied: the credentials are fine, the action is not allowed."""
    error = error_mapper(answer(403, "access_denied"))
    assert isinstance(error, SwitchboardPermissionError)
    assert error.reauth_needed is False


@pytest.mark.parametrize("code", ["invalid_token", "token_expired"])
def test_forbidden_with_a_token_code_asks_for_reauth(code: str) -> None:
    """validateToken answers 403 for a bad token: that is a credential problem."""
    error = error_mapper(answer(403, code))
    assert type(error) is SwitchboardAuthError
    assert error.reauth_needed is True


def test_unauthorized_asks_for_reauth() -> None:
    error = error_mapper(answer(401))
    assert isinstance(error, SwitchboardAuthError)
    assert error.reauth_needed is True


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_generic_statuses_are_left_to_core(status: int) -> None:
    assert error_mapper(answer(status, "internal_error")) is None


def test_body_without_code_falls_back_to_status() -> None:
    """T3: the body shape is a guess, so the status alone must be enough."""
    for response in (
        answer(404, text="<html>Not Found</html>"),
        answer(404, text=""),
        httpx.Response(404, json={"error": "something"}),
        httpx.Response(404, json=["not", "a", "dict"]),
    ):
        error = error_mapper(response)
        assert isinstance(error, SwitchboardNotFoundError)
        assert "that object" in error.message


def test_suspicious_codes_are_not_echoed() -> None:
    """Only short word-like codes reach a message; a sentence or markup is dropped."""
    assert error_code(answer(422, "field")) == "field"
    assert error_code(answer(422, "x" * 41)) is None
    assert error_code(answer(422, "has spaces and token=abc")) is None
    error = error_mapper(answer(422, "<script>"))
    assert error is not None
    assert "<script>" not in error.message
    assert "one of the values" in error.message


@respx.mock
async def test_429_carries_retry_after() -> None:
    """A single exchange: 429 with Retry-After → rate-limit error with the delay."""
    respx.get(f"{BASE_URL}/pbx/switch").mock(
        return_value=httpx.Response(
            429,
            json={ERROR_MESSAGE_FIELD: "too_many_requests"},
            headers={"Retry-After": "120"},
        )
    )
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr("t" * 24), retry=FAST_RETRY
    ) as client:
        with pytest.raises(SwitchboardRateLimitError) as caught:
            await client.list_switches()
    assert caught.value.retry_after == pytest.approx(120)


@respx.mock
async def test_500_internal_error_is_a_connection_error() -> None:
    route = respx.get(f"{BASE_URL}/pbx/switch").mock(
        return_value=httpx.Response(500, json={ERROR_MESSAGE_FIELD: "internal_error"})
    )
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr("t" * 24), retry=FAST_RETRY
    ) as client:
        with pytest.raises(SwitchboardConnectionError) as caught:
            await client.list_switches()
    assert caught.value.status_code == 500
    assert route.call_count == 3  # a read: first try + 2 retries


@respx.mock
async def test_connect_error_is_a_connection_error_without_token() -> None:
    respx.get(f"{BASE_URL}/pbx/settings").mock(
        side_effect=httpx.ConnectError("connection refused")
    )
    token = "tok-connect-error-1234567"
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr(token), retry=FAST_RETRY
    ) as client:
        with pytest.raises(SwitchboardConnectionError) as caught:
            await client.get_settings()
    assert "Could not reach TelecomX" in caught.value.message
    assert token not in str(caught.value)
