"""The App Home tab: the user's own extension, with buttons to change it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.views.blocks import (
    HOME_REFRESH_ACTION,
    Block,
    actions_blocks,
    context_block,
    mrkdwn_sections,
    plain,
)
from switchboard.slack_app.listeners.views.missed_call_builder import (
    caller_label,
    when,
)
from switchboard.slack_app.listeners.views.status_builder import (
    status_controls,
    status_fields,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from switchboard.core.capabilities import Capability
    from switchboard.core.commands.state import MissedCallNote
    from switchboard.core.models import ExtensionStatus

NOT_LINKED = (
    "Your Slack account is not linked to a phone extension yet.\n"
    "Type `/pbx link EXT` with your extension number, or ask a Switchboard admin "
    "to link you. If your e-mail address is the same in Slack and on the PBX, "
    "this happens by itself."
)
HELP_HINT = "Type `/pbx help` in any channel to see every command."


def build_home_view(  # noqa: PLR0913 - keyword-only parts of the view
    status: ExtensionStatus | None,
    supports: Iterable[Capability],
    *,
    notice: str | None = None,
    problem: str | None = None,
    missed: list[MissedCallNote] | None = None,
    region: str = "DK",
) -> Block:
    """Build the ``home`` view.

    Args:
        status: The user's extension, or ``None`` when they are not linked.
        supports: What the connected PBX can do (decides which buttons show).
        notice: The answer to the last button click, shown at the top.
        problem: Why the status could not be read (replaces the status).
        missed: The user's last missed calls, newest first.
        region: The region numbers are formatted for.
    """
    blocks: list[Block] = [
        {"type": "header", "text": plain("Your phone", 150)},
    ]
    if notice:
        blocks.extend(mrkdwn_sections(notice))
        blocks.append({"type": "divider"})
    if problem:
        blocks.extend(mrkdwn_sections(f":warning: {problem}"))
    elif status is None:
        blocks.extend(mrkdwn_sections(NOT_LINKED))
    else:
        can = frozenset(supports)
        blocks.append(status_fields(status, can))
        blocks.extend(actions_blocks(status_controls(status, can), "home-controls"))
    if missed:
        blocks.append({"type": "header", "text": plain("Last missed calls", 150)})
        lines = [
            f"• {caller_label(n, region)} {when(n)}{' :white_check_mark:' if n.done else ''}"
            for n in missed
        ]
        blocks.extend(mrkdwn_sections("\n".join(lines)))
    blocks.append(
        {
            "type": "actions",
            "block_id": "home-refresh",
            "elements": [
                {
                    "type": "button",
                    "text": plain("Refresh"),
                    "action_id": HOME_REFRESH_ACTION,
                    "value": "refresh",
                }
            ],
        }
    )
    blocks.append(context_block(HELP_HINT))
    return {"type": "home", "blocks": blocks}
