"""Every Telphin 429 answer says how long to wait."""

from __future__ import annotations

import httpx
import pytest

from switchboard.core.errors import SwitchboardRateLimitError
from switchboard.plugins.telphin.errors import map_error


def _response(status: int, body: object, headers: dict[str, str]) -> httpx.Response:
    request = httpx.Request(
        "GET", "https://apiproxy.telphin.ru/api/ver1.0/client/@me/call_history/"
    )
    return httpx.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("body", "headers", "wait"),
    [
        (
            {"status": "rate_limit_exceeded"},
            {"X-RateLimit-Reset": "3000"},
            "Try again in 50 min.",
        ),
        (
            {"status": "rate_limit_exceeded"},
            {"X-RateLimit-Reset": "40"},
            "Try again in 40 s.",
        ),
        ({"status": "rate_limit_exceeded"}, {}, "resets within the hour"),
        (
            {"message": "Only one statistics request"},
            {"Retry-After": "2"},
            "Try again in 2 s.",
        ),
        ({"message": "Only one statistics request"}, {}, "Try again in a few seconds."),
    ],
)
def test_the_message_says_how_long_to_wait(
    body: object, headers: dict[str, str], wait: str
) -> None:
    error = map_error(_response(429, body, headers))
    assert isinstance(error, SwitchboardRateLimitError)
    assert wait in error.message
