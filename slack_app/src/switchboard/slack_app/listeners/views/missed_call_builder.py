"""The missed-call DM: who called, when, and the Call back and Done buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.slack_app.listeners.views.blocks import (
    Block,
    actions_blocks,
    context_block,
    mrkdwn_sections,
    plain,
    run_button,
)
from switchboard.slack_app.listeners.views.reply_builder import reply_block_id
from switchboard.slack_app.phone_numbers import display_number_for

if TYPE_CHECKING:
    from switchboard.core.commands.state import MissedCallNote

MISSED_DONE_ACTION = "pbx_missed_done"
# Missed calls listed in one message; older ones of a long burst are counted only.
LISTED_CALLS = 10


def when(note: MissedCallNote) -> str:
    """When the call came in; Slack shows it in each reader's own timezone."""
    epoch = int(note.at.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} at {{time}}|{note.at:%Y-%m-%d %H:%M} UTC>"


def caller_label(note: MissedCallNote, region: str) -> str:
    """``*70 30 50 50* (Ada Lovelace)``: the number for the user's region, and the name."""
    number = (
        display_number_for(note.caller, region) if note.caller else "an unknown number"
    )
    name = f" ({note.caller_name})" if note.caller_name else ""
    return f"*{number}*{name}"


def build_missed_call_message(
    notes: list[MissedCallNote], region: str, *, done: bool = False
) -> dict[str, Any]:
    """Build the DM (``text`` and ``blocks``) for one caller's missed calls."""
    last = notes[-1]
    who = caller_label(last, region)
    count = len(notes)
    times = "" if count == 1 else f" {count} times"
    headline = (
        f":telephone_receiver: Missed call{'s' if count > 1 else ''} from {who}{times}"
    )
    lines = [f"• {when(n)} on extension {n.extension}" for n in notes[-LISTED_CALLS:]]
    text = f"{headline}\n" + "\n".join(lines)
    blocks: list[Block] = mrkdwn_sections(text)
    if done:
        blocks.append(context_block(":white_check_mark: Done"))
    else:
        buttons: list[Block] = []
        if last.caller:
            buttons.append(
                run_button(
                    "Call back", f"call {last.caller}", "callback", style="primary"
                )
            )
        buttons.append(
            {
                "type": "button",
                "text": plain("Done"),
                "action_id": MISSED_DONE_ACTION,
                "value": "done",
            }
        )
        blocks.extend(actions_blocks(buttons, reply_block_id(last.pbx)))
    plain_who = who.replace("*", "")
    return {"text": f"Missed call from {plain_who}{times}", "blocks": blocks}
