"""The modal that asks which number to call when a message holds several."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.slack_app.listeners.views.blocks import Block, option, plain
from switchboard.slack_app.phone_numbers import display_number

if TYPE_CHECKING:
    from collections.abc import Sequence

NUMBER_PICKER_CALLBACK = "pbx_call_number_pick"
NUMBER_BLOCK = "number"
NUMBER_ACTION = "number_choice"


def build_number_picker(numbers: Sequence[str], private_metadata: str) -> Block:
    """A modal with one radio button per number, the first one preselected.

    Args:
        numbers: E.164 numbers found in the message (at most 10).
        private_metadata: Opaque state for the submission handler (where to
            answer); Slack returns it untouched, up to 3000 characters.
    """
    options = [option(display_number(n), n) for n in numbers]
    return {
        "type": "modal",
        "callback_id": NUMBER_PICKER_CALLBACK,
        "private_metadata": private_metadata,
        "title": plain("Call this number", 24),
        "submit": plain("Call", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            {
                "type": "input",
                "block_id": NUMBER_BLOCK,
                "label": plain("This message has several numbers. Which one?"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": NUMBER_ACTION,
                    "options": options,
                    "initial_option": options[0],
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "Your phone rings first; when you pick up, the PBX calls the number.",
                    }
                ],
            },
        ],
    }


def chosen_number(state_values: dict[str, Any]) -> str | None:
    """Read the selected number from a view submission's ``state.values``."""
    node: Any = state_values
    for key in (NUMBER_BLOCK, NUMBER_ACTION, "selected_option", "value"):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if isinstance(node, str) and node else None
