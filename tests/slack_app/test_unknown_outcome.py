"""After a write timed out, the answer offers no button that would repeat it."""

from __future__ import annotations

import json

import pytest

from switchboard.core.commands.parser import parse_command
from switchboard.core.commands.types import Outcome, Reply
from switchboard.slack_app.listeners.views.reply_builder import (
    build_reply_message,
    reply_controls,
)


@pytest.mark.parametrize("text", ["call 4570305050", "flow night on", "record stop"])
def test_an_unknown_outcome_has_no_retry_button(text: str) -> None:
    reply = Reply(
        Outcome.UNKNOWN,
        "The PBX did not answer within 10 s. The outcome is unknown.",
        command=parse_command(text),
    )
    assert reply_controls(reply, text) == []
    assert "Try again" not in json.dumps(build_reply_message(reply, text))


def test_a_plain_failure_still_offers_to_try_again() -> None:
    reply = Reply(Outcome.FAILED, "The PBX failed.", command=parse_command("calls"))
    assert [b["text"]["text"] for b in reply_controls(reply, "calls")] == ["Try again"]
