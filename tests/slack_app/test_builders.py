"""The pure Block Kit builders: what a user sees and what each button runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.commands import Outcome, Reply, parse_command
from switchboard.core.models import (
    Call,
    Extension,
    ExtensionStatus,
    Flow,
    ForwardCondition,
    ForwardRule,
    Presence,
    RecordingAction,
)
from switchboard.slack_app.listeners.views.blocks import (
    ACTIONS_PER_BLOCK,
    RUN_ACTION_PREFIX,
    SECTION_TEXT_LIMIT,
    actions_blocks,
    mrkdwn_sections,
    run_button,
)
from switchboard.slack_app.listeners.views.home_builder import (
    NOT_LINKED,
    build_home_view,
)
from switchboard.slack_app.listeners.views.number_picker_builder import (
    NUMBER_PICKER_CALLBACK,
    build_number_picker,
    chosen_number,
)
from switchboard.slack_app.listeners.views.reply_builder import (
    build_reply_message,
    reply_controls,
    response_type,
)
from switchboard.slack_app.listeners.views.status_builder import (
    recording_controls,
    status_controls,
    status_fields,
)

ALL = frozenset(Capability)
EXT = Extension(id="x1", number="201", name="Alice")


def _status(**kw: Any) -> ExtensionStatus:
    return ExtensionStatus(extension=EXT, **kw)


def _values(elements: list[dict[str, Any]]) -> list[str]:
    return [e["value"] for e in elements if e["type"] == "button"]


def _reply(text: str, outcome: Outcome = Outcome.SUCCESS, **kw: Any) -> Reply:
    return Reply(outcome, "done", command=parse_command(text), **kw)


# -- blocks ------------------------------------------------------------------------


def test_long_text_is_split_into_sections_within_slack_limits() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    blocks = mrkdwn_sections(text)
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text


def test_actions_are_chunked_at_25_per_block_with_unique_block_ids() -> None:
    buttons = [run_button(f"b{i}", f"call {i}", f"k{i}") for i in range(30)]
    blocks = actions_blocks(buttons, "reply")
    assert [len(b["elements"]) for b in blocks] == [ACTIONS_PER_BLOCK, 5]
    assert len({b["block_id"] for b in blocks}) == 2


def test_button_text_is_clipped_and_oversized_values_refused() -> None:
    button = run_button("x" * 200, "dnd on", "dnd")
    assert len(button["text"]["text"]) == 75
    assert button["action_id"] == f"{RUN_ACTION_PREFIX}dnd"
    with pytest.raises(ValueError):
        run_button("too long", "x" * 2001, "big")


# -- status ------------------------------------------------------------------------


def test_status_fields_show_only_what_the_vendor_reports() -> None:
    block = status_fields(_status(registered=True, dnd=False), frozenset())
    texts = " ".join(f["text"] for f in block["fields"])
    assert "online" in texts
    assert "Do not disturb" in texts
    assert "Presence" not in texts
    assert "Forwarding" not in texts  # unknown: the PBX cannot forward


def test_forwarding_reads_off_only_when_the_pbx_can_forward() -> None:
    block = status_fields(_status(), frozenset({Capability.FORWARD}))
    assert block["fields"] == [{"type": "mrkdwn", "text": "*Forwarding*\noff"}]
    block = status_fields(_status(forward_to="+4512345678"), ALL)
    assert "+4512345678" in block["fields"][0]["text"]


def test_each_forwarding_rule_has_its_stop_button() -> None:
    rules = (
        ForwardRule(condition=ForwardCondition.ALL, number="202"),
        ForwardRule(condition=ForwardCondition.NO_ANSWER, number="203"),
    )
    elements = status_controls(
        _status(forward_to="202", forward_rules=rules), ALL, target="201"
    )
    assert _values(elements)[-2:] == ["forward off 201", "forward noanswer off 201"]
    for value in _values(elements):
        parse_command(value)  # every button is a valid command
    without_rules = status_controls(
        _status(forward_rules=rules), ALL - {Capability.FORWARD_RULES}
    )
    assert "forward noanswer off" not in _values(without_rules)


def test_every_forwarding_rule_is_shown() -> None:
    rules = (
        ForwardRule(condition=ForwardCondition.BUSY, number="202"),
        ForwardRule(
            condition=ForwardCondition.NO_ANSWER, number="<@U1>", timeout_seconds=20
        ),
    )
    block = status_fields(_status(forward_rules=rules), ALL)
    assert block["fields"] == [
        {
            "type": "mrkdwn",
            "text": "*Forwarding*\n:arrow_right_hook: when busy to 202\n"
            ":arrow_right_hook: when unanswered to &lt;@U1&gt;",
        }
    ]


def test_dnd_button_toggles_and_carries_the_target() -> None:
    assert _values(status_controls(_status(dnd=True), {Capability.DND})) == ["dnd off"]
    on = status_controls(
        _status(dnd=False), {Capability.DND, Capability.DND_TIMED}, target="201"
    )
    assert _values(on) == ["dnd on 201", "dnd on 201 for 1h"]
    assert on[0]["style"] == "primary"


def test_no_button_for_what_the_pbx_cannot_do() -> None:
    controls = status_controls(
        _status(dnd=True, forward_to="+4512345678", on_call=True), frozenset()
    )
    assert controls == []


def test_every_status_button_parses_as_a_command() -> None:
    status = _status(
        dnd=False, forward_to="+4512345678", on_call=True, presence=Presence.BUSY
    )
    controls = status_controls(status, ALL, target="201")
    commands = _values(controls)
    presence = next(c for c in controls if c["type"] == "static_select")
    commands += [o["value"] for o in presence["options"]]
    assert presence["initial_option"]["value"] == "presence busy 201"
    assert "forward off 201" in commands
    assert "record stop 201" in commands
    for text in commands:
        parse_command(text)  # raises on anything the grammar does not know


def test_recording_controls_follow_the_last_action() -> None:
    can = {Capability.RECORDING, Capability.RECORDING_PAUSE}
    assert _values(recording_controls(RecordingAction.START, can)) == [
        "record pause",
        "record stop",
    ]
    assert _values(recording_controls(RecordingAction.PAUSE, can)) == [
        "record resume",
        "record stop",
    ]
    assert _values(recording_controls(RecordingAction.STOP, can)) == ["record start"]
    assert _values(
        recording_controls(RecordingAction.START, {Capability.RECORDING})
    ) == ["record stop"]
    assert recording_controls(RecordingAction.START, set()) == []


# -- replies -----------------------------------------------------------------------


def test_reply_to_dnd_offers_the_opposite() -> None:
    reply = _reply("dnd on", status=_status(dnd=True), supports=ALL)
    message = build_reply_message(reply, "dnd on")
    assert message["text"] == "done"
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert _values(actions[0]["elements"])[0] == "dnd off"


def test_reply_for_another_extension_keeps_that_extension_in_buttons() -> None:
    reply = _reply("dnd on 305", status=_status(dnd=True), supports=ALL)
    assert _values(reply_controls(reply))[0] == "dnd off 305"


def test_failed_reply_offers_try_again_with_the_same_text() -> None:
    reply = Reply(
        Outcome.FAILED,
        "The PBX did not answer in 10 s.",
        command=parse_command("dnd on"),
    )
    assert _values(reply_controls(reply, "dnd on")) == ["dnd on"]


def test_refusals_and_help_have_no_buttons() -> None:
    refused = Reply(
        Outcome.REFUSED,
        "Only admins can switch flows.",
        command=parse_command("flow night on"),
    )
    assert reply_controls(refused, "flow night on") == []
    assert reply_controls(Reply(Outcome.HELP, "help"), "help") == []
    message = build_reply_message(refused, "flow night on")
    assert [b["type"] for b in message["blocks"]] == ["section"]


def test_flow_list_gets_one_toggle_per_flow() -> None:
    flows = [
        Flow(id="1", name="Night", active=True),
        Flow(id="2", name="Lunch break", active=False),
    ]
    reply = _reply(
        "flow list",
        data={"flows": [f.model_dump(mode="json") for f in flows]},
        supports=ALL,
    )
    values = _values(reply_controls(reply))
    assert values == ["flow 1 off", "flow 2 on"]
    labels = [b["text"]["text"] for b in reply_controls(reply)]
    assert labels == ["Turn Night off", "Turn Lunch break on"]


def test_calls_get_call_back_buttons_for_the_outside_party_once() -> None:
    calls = [
        Call(id="a", from_number="+4570305050", to_number="201"),
        Call(id="b", from_number="+4570305050", to_number="202"),
        Call(id="c", from_number="", to_number="203"),
        Call(id="d", from_number="204", to_number="+4533123456"),
        Call(id="e", from_number="205", to_number="206"),
    ]
    data = {"calls": [c.model_dump(mode="json") for c in calls]}
    reply = _reply("calls", data=data, supports=ALL)
    assert _values(reply_controls(reply)) == ["call +4570305050", "call +4533123456"]
    no_dial = _reply("calls", data=data, supports=ALL - {Capability.DIAL})
    assert reply_controls(no_dial) == []


def test_flow_switches_are_announced_in_channel_everything_else_private() -> None:
    assert response_type(_reply("flow night on")) == "in_channel"
    assert (
        response_type(_reply("flow night on", outcome=Outcome.REFUSED)) == "ephemeral"
    )
    assert response_type(_reply("dnd on")) == "ephemeral"
    assert response_type(_reply("calls")) == "ephemeral"


# -- home --------------------------------------------------------------------------


def test_home_for_an_unlinked_user_explains_how_to_link() -> None:
    view = build_home_view(None, ALL)
    assert view["type"] == "home"
    assert any(NOT_LINKED in b.get("text", {}).get("text", "") for b in view["blocks"])
    assert len(view["blocks"]) <= 100


def test_home_shows_status_controls_notice_and_refresh() -> None:
    view = build_home_view(_status(dnd=True, registered=True), ALL, notice="DND is on.")
    text = json.dumps(view)
    assert "DND is on." in text
    assert '"value": "dnd off"' in text
    assert "pbx_home_refresh" in text


def test_home_problem_replaces_the_status() -> None:
    view = build_home_view(None, ALL, problem="The PBX did not answer in 10 s.")
    text = json.dumps(view)
    assert "did not answer" in text
    assert "dnd" not in text


# -- number picker -----------------------------------------------------------------


def test_number_picker_preselects_the_first_and_reads_the_choice() -> None:
    modal = build_number_picker(["+4570305050", "+4533123456"], '{"response_url": "x"}')
    assert modal["callback_id"] == NUMBER_PICKER_CALLBACK
    element = modal["blocks"][0]["element"]
    assert [o["value"] for o in element["options"]] == ["+4570305050", "+4533123456"]
    assert element["options"][0]["text"]["text"] == "+45 70 30 50 50"
    assert element["initial_option"] == element["options"][0]
    values = {
        "number": {"number_choice": {"selected_option": {"value": "+4533123456"}}}
    }
    assert chosen_number(values) == "+4533123456"
    assert chosen_number({}) is None
    assert chosen_number({"number": "garbage"}) is None
    assert (
        chosen_number({"number": {"number_choice": {"selected_option": None}}}) is None
    )
