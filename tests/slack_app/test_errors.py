"""Every kind of failure gets its own plain-words answer; no vendor payload leaks."""

from __future__ import annotations

import pytest

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.slack_app.errors import UNEXPECTED, friendly_error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            SwitchboardTimeoutError("timed out", timeout=2.5),
            "The PBX did not answer in 2.5 s. Nothing was changed",
        ),
        (SwitchboardTimeoutError("timed out"), "The PBX did not answer. Nothing"),
        (
            SwitchboardConnectionError("connect failed"),
            "The PBX cannot be reached right now.",
        ),
        (
            SwitchboardPermissionError("This account may not record calls."),
            "The PBX does not allow this for our account: This account may not",
        ),
        (
            SwitchboardAuthError("HTTP 401"),
            "The PBX refused our credentials. Please ask a Switchboard admin",
        ),
        (
            SwitchboardRateLimitError("429", retry_after=30),
            "The PBX asked us to slow down. Please try again in 30 s.",
        ),
        (
            SwitchboardRateLimitError("429"),
            "The PBX asked us to slow down. Please try again in a minute.",
        ),
        (
            SwitchboardUnsupportedError("MiRTA cannot control a live recording."),
            "MiRTA cannot control a live recording.",
        ),
        (SwitchboardPolicyError("Not your extension."), "Not your extension."),
        (SwitchboardInvalidInputError("Bad number."), "Bad number."),
        (SwitchboardNotFoundError("No extension 999."), "No extension 999."),
        (
            SwitchboardConfigError("switchboard.toml: pbx.main.url is missing"),
            "Switchboard is not configured correctly: switchboard.toml: pbx.main",
        ),
        (
            SwitchboardResponseError("an empty body"),
            "The PBX answered something we could not understand: an empty body",
        ),
    ],
)
def test_each_failure_has_its_sentence(error: SwitchboardError, expected: str) -> None:
    assert friendly_error(error).startswith(expected)


def test_anything_else_is_a_polite_apology_without_details() -> None:
    answer = friendly_error(KeyError("apikey=s3cret"))
    assert answer == UNEXPECTED
    assert "s3cret" not in answer
