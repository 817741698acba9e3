"""Block Kit for one extension's status and the buttons that change it.

Used by command answers and by the App Home, so both look and behave the same.
A button is shown only when the connected PBX supports what it does; its value
is the command text, so a click goes through the same policy as typing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.capabilities import Capability
from switchboard.core.commands.render import slack_escape
from switchboard.core.models import ForwardCondition, Presence, RecordingAction
from switchboard.slack_app.listeners.views.blocks import (
    SELECT_ACTION_PREFIX,
    Block,
    option,
    plain,
    run_button,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from switchboard.core.models import ExtensionStatus

PRESENCE_LABELS: dict[Presence, str] = {
    Presence.WORK: "Working",
    Presence.OFF_WORK: "Off work",
    Presence.HOLIDAY: "On holiday",
    Presence.BUSY: "Busy",
}
TIMED_DND = "1h"


def command(text: str, target: str | None) -> str:
    """Append the extension a command acts on, when it is not the user's own."""
    return f"{text} {target}" if target else text


def _yes_no(value: bool | None, yes: str, no: str) -> str | None:  # noqa: FBT001
    if value is None:
        return None
    return yes if value else no


def status_fields(
    status: ExtensionStatus, supports: Iterable[Capability] = ()
) -> Block:
    """A two-column section with every fact the vendor reports (unknowns left out).

    ``forward_to`` is ``None`` both for "off" and for "unknown"; it reads "off"
    only when the PBX can forward at all.
    """
    ext = status.extension
    # Names and numbers are PBX text: escaped, so they never become mentions or links.
    name, number = slack_escape(ext.name), slack_escape(ext.number)
    title = f"*{name}* (ext. {number})" if name else f"*Ext. {number}*"
    facts = [
        (
            "Phone",
            _yes_no(
                status.registered,
                ":large_green_circle: online",
                ":white_circle: offline",
            ),
        ),
        ("Call", _yes_no(status.on_call, ":telephone_receiver: on a call", "free")),
        ("Do not disturb", _dnd_text(status)),
        ("Forwarding", _forward_text(status, frozenset(supports))),
        ("Presence", PRESENCE_LABELS.get(status.presence) if status.presence else None),
    ]
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{value}"}
        for label, value in facts
        if value is not None
    ]
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": title}}
    if fields:
        block["fields"] = fields
    return block


# How each forwarding rule reads (the vendor-neutral conditions).
_RULE_WORDS = {
    ForwardCondition.ALL: "all calls",
    ForwardCondition.BUSY: "when busy",
    ForwardCondition.NO_ANSWER: "when unanswered",
    ForwardCondition.UNAVAILABLE: "when unavailable",
}


def _forward_text(status: ExtensionStatus, can: frozenset[Capability]) -> str | None:
    if status.forward_rules:
        return "\n".join(
            f":arrow_right_hook: {_RULE_WORDS[rule.condition]} to "
            f"{slack_escape(rule.number)}"
            for rule in status.forward_rules
        )
    if status.forward_to:
        return f":arrow_right_hook: to {slack_escape(status.forward_to)}"
    return "off" if Capability.FORWARD in can else None


def _dnd_text(status: ExtensionStatus) -> str | None:
    if status.dnd is None:
        return None
    text = ":no_bell: on" if status.dnd else ":bell: off"
    if status.dnd_phones_total:
        text += f" ({status.dnd_phones_on or 0} of {status.dnd_phones_total} phones)"
    return text


def status_controls(
    status: ExtensionStatus,
    supports: Iterable[Capability],
    *,
    target: str | None = None,
) -> list[Block]:
    """Buttons and menus for what this PBX can change about ``status``."""
    can = frozenset(supports)
    elements: list[Block] = []
    if Capability.DND in can:
        if status.dnd:
            elements.append(
                run_button("Turn DND off", command("dnd off", target), "dnd")
            )
        else:
            elements.append(
                run_button(
                    "Turn DND on", command("dnd on", target), "dnd", style="primary"
                )
            )
            if Capability.DND_TIMED in can:
                elements.append(
                    run_button(
                        "DND for 1 hour",
                        f"{command('dnd on', target)} for {TIMED_DND}",
                        "dnd_timed",
                    )
                )
    if Capability.FORWARD in can and status.forward_to:
        elements.append(
            run_button("Stop forwarding", command("forward off", target), "forward_off")
        )
    if Capability.FORWARD_RULES in can:
        for rule in status.forward_rules:
            if rule.condition is ForwardCondition.ALL:
                continue
            word = rule.condition.value
            elements.append(
                run_button(
                    f"Stop forwarding {_RULE_WORDS[rule.condition]}",
                    command(f"forward {word} off", target),
                    f"forward_off_{word}",
                )
            )
    if status.on_call and Capability.RECORDING in can:
        # Whether the call is being recorded is unknown: offer both.
        elements.append(
            run_button(
                "Start recording", command("record start", target), "record_start"
            )
        )
        elements.append(
            run_button(
                "Stop recording",
                command("record stop", target),
                "record_stop",
                style="danger",
            )
        )
    if Capability.PRESENCE in can:
        elements.append(presence_menu(status.presence, target))
    return elements


def recording_controls(
    last: RecordingAction,
    supports: Iterable[Capability],
    *,
    target: str | None = None,
) -> list[Block]:
    """Buttons that make sense after recording action ``last``."""
    can = frozenset(supports)
    if Capability.RECORDING not in can:
        return []
    pausable = Capability.RECORDING_PAUSE in can
    stop = run_button(
        "Stop recording", command("record stop", target), "record_stop", style="danger"
    )
    if last is RecordingAction.STOP:
        return [
            run_button(
                "Start recording", command("record start", target), "record_start"
            )
        ]
    if last is RecordingAction.PAUSE:
        buttons = [
            run_button(
                "Resume recording", command("record resume", target), "record_resume"
            )
        ]
    else:
        buttons = (
            [
                run_button(
                    "Pause recording", command("record pause", target), "record_pause"
                )
            ]
            if pausable
            else []
        )
    return [*buttons, stop]


def presence_menu(current: Presence | None, target: str | None) -> Block:
    """A select menu whose option values are presence commands."""
    options = [
        option(label, command(f"presence {presence.value}", target))
        for presence, label in PRESENCE_LABELS.items()
    ]
    menu: Block = {
        "type": "static_select",
        "action_id": f"{SELECT_ACTION_PREFIX}presence",
        "placeholder": plain("Set presence"),
        "options": options,
    }
    if current is not None:
        menu["initial_option"] = options[list(PRESENCE_LABELS).index(current)]
    return menu
