"""The transport: retry policy, Retry-After, error mapping, client ownership."""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.core.transport import RetryPolicy, Transport, parse_retry_after

if TYPE_CHECKING:
    from collections.abc import Callable

SECRET = "s3cr3t-api-key-123456"


class Recorder:
    """An httpx MockTransport handler that answers from a script and records requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: Sleeps, **kwargs: object
) -> Transport:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Transport(
        "https://pbx.example.com/api",
        vendor="test",
        display_name="TestPBX",
        http_client=client,
        auth_params={"apikey": SECRET},
        sleep=sleeps,
        retry=RetryPolicy(max_retries=2, initial_delay=0.5, jitter=0.0),
        **kwargs,  # type: ignore[arg-type]
    )


async def test_reads_are_retried_on_5xx_then_succeed() -> None:
    recorder = Recorder(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json={})
    )
    sleeps = Sleeps()
    transport = make(recorder, sleeps)
    response = await transport.request("GET", "/x", idempotent=True)
    assert response.status_code == 200
    assert len(recorder.requests) == 3
    assert sleeps.delays == [0.5, 1.0]  # exponential backoff, jitter off


async def test_writes_are_never_retried() -> None:
    recorder = Recorder(httpx.Response(503), httpx.Response(200))
    transport = make(recorder, Sleeps())
    with pytest.raises(SwitchboardConnectionError) as caught:
        await transport.request("POST", "/dial", idempotent=False)
    assert len(recorder.requests) == 1
    assert "503" in caught.value.message


async def test_connection_errors_on_writes_are_not_retried() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    transport = make(recorder, Sleeps())
    with pytest.raises(SwitchboardConnectionError):
        await transport.request("GET", "/action/call", idempotent=False)
    assert len(recorder.requests) == 1


async def test_retry_after_is_obeyed() -> None:
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})
    )
    sleeps = Sleeps()
    transport = make(recorder, sleeps)
    await transport.request("GET", "/x", idempotent=True)
    assert sleeps.delays == [7.0]


async def test_a_long_retry_after_is_raised_not_waited() -> None:
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    sleeps = Sleeps()
    transport = make(recorder, sleeps)
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await transport.request("GET", "/x", idempotent=True)
    assert caught.value.retry_after == 3600
    assert sleeps.delays == []
    assert len(recorder.requests) == 1


async def test_connection_errors_are_retried_for_reads_and_mapped() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"))
    sleeps = Sleeps()
    transport = make(recorder, sleeps)
    with pytest.raises(SwitchboardConnectionError) as caught:
        await transport.request("GET", "/x", idempotent=True)
    assert len(recorder.requests) == 3
    assert "TestPBX" in caught.value.message


async def test_timeouts_become_timeout_errors() -> None:
    recorder = Recorder(httpx.ReadTimeout("read timed out"))
    transport = make(recorder, Sleeps(), timeout=3.0)
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await transport.request("GET", "/x", idempotent=True)
    assert caught.value.timeout == 3.0
    assert "3 s" in caught.value.message


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, SwitchboardAuthError),
        (403, SwitchboardPermissionError),
        (404, SwitchboardNotFoundError),
        (400, SwitchboardResponseError),
        (500, SwitchboardConnectionError),
    ],
)
async def test_status_mapping(status: int, error: type[Exception]) -> None:
    transport = make(Recorder(httpx.Response(status)), Sleeps())
    with pytest.raises(error):
        await transport.request("GET", "/x", idempotent=False)


async def test_permission_error_does_not_ask_for_reauth() -> None:
    transport = make(Recorder(httpx.Response(403)), Sleeps())
    with pytest.raises(SwitchboardAuthError) as caught:
        await transport.request("GET", "/x", idempotent=False)
    assert caught.value.reauth_needed is False


async def test_vendor_error_mapper_comes_first() -> None:
    def mapper(response: httpx.Response) -> SwitchboardNotFoundError | None:
        if response.status_code == 409:
            return SwitchboardNotFoundError("no call in progress")
        return None

    transport = make(Recorder(httpx.Response(409)), Sleeps(), error_mapper=mapper)
    with pytest.raises(SwitchboardNotFoundError, match="no call in progress"):
        await transport.request("GET", "/x", idempotent=False)


async def test_rate_limit_headers_are_remembered() -> None:
    headers = {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "42",
        "X-RateLimit-Reset": "120",
    }
    transport = make(Recorder(httpx.Response(200, headers=headers)), Sleeps())
    await transport.request("GET", "/x", idempotent=True)
    assert transport.rate_limit is not None
    assert transport.rate_limit.remaining == 42
    assert transport.rate_limit.limit == 1000
    assert transport.rate_limit.reset_seconds == 120


async def test_auth_params_are_sent() -> None:
    recorder = Recorder(httpx.Response(200))
    transport = make(recorder, Sleeps())
    await transport.request("GET", "/x", idempotent=True, params={"action": "a"})
    assert recorder.requests[0].url.params["apikey"] == SECRET
    assert recorder.requests[0].url.params["action"] == "a"
    assert str(recorder.requests[0].url).startswith("https://pbx.example.com/api/x")


async def test_injected_client_is_not_closed_and_owned_client_is() -> None:
    injected = httpx.AsyncClient(
        transport=httpx.MockTransport(Recorder(httpx.Response(200)))
    )
    borrowed = Transport(
        "https://a.example", vendor="t", display_name="T", http_client=injected
    )
    await borrowed.aclose()
    assert not injected.is_closed
    owned = Transport("https://a.example", vendor="t", display_name="T")
    async with owned:
        pass
    assert owned.client.is_closed
    await injected.aclose()


# -- secrets ------------------------------------------------------------------


async def test_secret_is_in_no_log_record_error_or_repr(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(
        httpx.Response(200),
        httpx.Response(503),
        httpx.ConnectError(f"failed https://x/?apikey={SECRET}"),
    )
    transport = make(recorder, Sleeps())
    await transport.request("GET", "/ok", idempotent=True)
    with pytest.raises(SwitchboardConnectionError) as caught:
        await transport.request("GET", "/fails", idempotent=True)
    rendered = "".join(traceback.format_exception(caught.value))
    assert "fails" in caplog.text  # the requests were logged ...
    for text in (
        caplog.text,
        rendered,
        str(caught.value),
        repr(caught.value),
        repr(transport),
    ):
        assert SECRET not in text  # ... without the key


async def test_httpx_own_log_line_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    transport = make(Recorder(httpx.Response(200)), Sleeps())
    await transport.request("GET", "/x", idempotent=True)
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines, "httpx logs every request at INFO"
    assert all(SECRET not in line for line in httpx_lines)
    assert any("apikey=" in line for line in httpx_lines)


async def test_timeout_chain_is_scrubbed() -> None:
    recorder = Recorder(httpx.ReadTimeout(f"timed out on /?apikey={SECRET}"))
    transport = make(recorder, Sleeps())
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await transport.request("GET", "/x", idempotent=False)
    assert SECRET not in "".join(traceback.format_exception(caught.value))


def test_parse_retry_after() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


def test_backoff_has_jitter_and_a_cap() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=4.0, jitter=0.25)
    delays = [policy.backoff(10) for _ in range(200)]
    assert all(3.0 <= d <= 5.0 for d in delays)
    assert len(set(delays)) > 1


async def test_quota_reset_counts_as_retry_after_on_429() -> None:
    headers = {
        "X-RateLimit-Limit": "500",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "3000",
    }
    recorder = Recorder(httpx.Response(429, headers=headers))
    sleeps = Sleeps()
    transport = make(recorder, sleeps)
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await transport.request("GET", "/x", idempotent=True)
    assert caught.value.retry_after == 3000
    assert sleeps.delays == []  # an hourly reset is not waited out
    assert len(recorder.requests) == 1
