"""Block Kit for the answer to a command: the rendered text plus useful buttons.

The text comes from the core's Slack templates (``reply.text``); this module
only adds controls, and only those the connected PBX supports. Every control's
value is command text, so a click runs through the same parser and policy as a
typed command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from switchboard.core.capabilities import Capability
from switchboard.core.commands.grammar import (
    CallsCommand,
    Command,
    FlowCommand,
    FlowListCommand,
    RecordCommand,
)
from switchboard.core.commands.parser import CommandSyntaxError, parse_number
from switchboard.core.commands.types import Outcome, Reply
from switchboard.core.models import Call, Flow
from switchboard.core.policy import INTERNAL_MAX_DIGITS
from switchboard.slack_app.listeners.views.blocks import (
    BUTTON_VALUE_LIMIT,
    MESSAGE_BLOCK_LIMIT,
    Block,
    actions_blocks,
    mrkdwn_sections,
    run_button,
)
from switchboard.slack_app.listeners.views.status_builder import (
    recording_controls,
    status_controls,
)
from switchboard.slack_app.phone_numbers import display_number

if TYPE_CHECKING:
    from collections.abc import Sequence

ModelT = TypeVar("ModelT", bound=BaseModel)

FALLBACK_TEXT_LIMIT = 3000
TOO_LONG = (
    "_The rest is too long for one Slack message; ask for less "
    "(like `/pbx status 201`), or use the `switchboard` CLI._"
)
MAX_ITEM_BUTTONS = 10
# Changes everyone in the office notices are announced in the channel; anything
# about one person (and every refusal or failure) stays private to the asker.
ANNOUNCED_COMMANDS = (FlowCommand,)
# A click runs on the PBX the answer came from, not the clicker's own: an Undo
# announced in a channel may be clicked by an admin of another office.
REPLY_BLOCK = "reply"
BLOCK_ID_LIMIT = 255


def reply_block_id(pbx: str | None) -> str:
    """The block id of an answer's buttons; it names the PBX they act on."""
    # Block ids are limited to 255 characters (with "-N" appended per block).
    fits = pbx is not None and 0 < len(pbx) <= BLOCK_ID_LIMIT - 16
    return f"{REPLY_BLOCK}@{pbx}" if fits else REPLY_BLOCK


def pbx_of_block(block_id: str) -> str | None:
    """The PBX named by :func:`reply_block_id` (``reply@office-0``), if any."""
    head, _, _index = block_id.rpartition("-")
    prefix, at, pbx = head.partition("@")
    return pbx if at and prefix == REPLY_BLOCK and pbx else None


def response_type(reply: Reply) -> Literal["in_channel", "ephemeral"]:
    """Announce office-wide switches; keep everything else to the asker."""
    if reply.outcome is Outcome.SUCCESS and isinstance(
        reply.command, ANNOUNCED_COMMANDS
    ):
        return "in_channel"
    return "ephemeral"


def _items(data: dict[str, Any], key: str, model: type[ModelT]) -> list[ModelT]:
    """Read a list of models from ``reply.data``, skipping what does not fit."""
    raw = data.get(key)
    if not isinstance(raw, list):
        return []
    items = []
    for entry in raw:
        try:
            items.append(model.model_validate(entry))
        except ValidationError:
            continue
    return items


def _target(command: Command) -> str | None:
    """The extension a command names explicitly (``dnd on 201``), if any."""
    value = getattr(command, "extension", None)
    return value if isinstance(value, str) else None


def _flow_buttons(flows: Sequence[Flow]) -> list[Block]:
    return [
        run_button(
            f"Turn {flow.name} {'off' if flow.active else 'on'}",
            # The id is unambiguous where names repeat or contain odd characters.
            f"flow {flow.id} {'off' if flow.active else 'on'}",
            f"flow_{index}",
            style=None if flow.active else "primary",
        )
        for index, flow in enumerate(flows[:MAX_ITEM_BUTTONS])
    ]


def _is_internal(number: str) -> bool:
    """Short numbers without ``+`` are extensions (the policy's own rule)."""
    return not number.startswith("+") and len(number) <= INTERNAL_MAX_DIGITS


def _dialable(text: str) -> str | None:
    """The number as the parser reads it; ``None`` for a withheld caller ("anonymous")."""
    try:
        return parse_number(text)
    except CommandSyntaxError:
        return None


def _other_party(call: Call) -> str | None:
    """The outside party of a call: the caller, or whom an extension called."""
    for raw in (call.from_number, call.to_number):
        number = _dialable(raw) if raw else None
        if number and not _is_internal(number):
            return number
    return None


def _call_back_buttons(calls: Sequence[Call]) -> list[Block]:
    numbers: list[str] = []
    for call in calls:
        number = _other_party(call)
        if number and number not in numbers:
            numbers.append(number)
    return [
        run_button(
            f"Call back {display_number(number)}",
            f"call {number}",
            f"call_back_{index}",
        )
        for index, number in enumerate(numbers[:MAX_ITEM_BUTTONS])
    ]


def reply_controls(reply: Reply, text: str = "") -> list[Block]:  # noqa: PLR0911 - one answer per command kind
    """The buttons that fit this answer (none for help and refusals)."""
    command = reply.command
    if reply.outcome is Outcome.FAILED:
        # The PBX failed (timeout, 5xx): offer the same command again.
        retry = text.strip() and len(text) <= BUTTON_VALUE_LIMIT
        return [run_button("Try again", text, "retry")] if retry else []
    if reply.outcome is not Outcome.SUCCESS or command is None:
        return []
    target = _target(command)
    if isinstance(command, RecordCommand):
        return recording_controls(command.action, reply.supports, target=target)
    if isinstance(command, FlowListCommand):
        return _flow_buttons(_items(reply.data, "flows", Flow))
    if isinstance(command, FlowCommand):
        undo = "off" if command.active else "on"
        return [
            run_button(
                f"Undo (turn {undo})", f"flow {command.flow} {undo}", "flow_undo"
            )
        ]
    if isinstance(command, CallsCommand) and Capability.DIAL in reply.supports:
        return _call_back_buttons(_items(reply.data, "calls", Call))
    if reply.status is not None:
        return status_controls(reply.status, reply.supports, target=target)
    return []


def build_reply_message(reply: Reply, text: str = "") -> dict[str, Any]:
    """Build ``text`` + ``blocks`` for ``respond()`` or ``chat.postMessage``.

    Args:
        reply: What the command layer answered.
        text: The command text the user ran (for the "Try again" button).
    """
    blocks = mrkdwn_sections(reply.text)
    controls = actions_blocks(reply_controls(reply, text), reply_block_id(reply.pbx))
    room = MESSAGE_BLOCK_LIMIT - len(controls)
    if len(blocks) > room:
        # Slack refuses the whole message beyond 50 blocks: show what fits.
        blocks = [*blocks[: room - 1], *mrkdwn_sections(TOO_LONG)]
    blocks.extend(controls)
    fallback = reply.text.strip() or "Done."
    if len(fallback) > FALLBACK_TEXT_LIMIT:
        fallback = fallback[: FALLBACK_TEXT_LIMIT - 1] + "…"
    return {"text": fallback, "blocks": blocks}
