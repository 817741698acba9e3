"""Small Block Kit pieces shared by the builders (pure functions, no Slack calls).

Limits from Slack's Block Kit reference are enforced here once, so no builder
can produce a payload Slack rejects: section text <= 3000 characters, button
text <= 75, button value <= 2000, action ids <= 255, <= 25 elements per actions
block, <= 50 blocks per message.
"""

from __future__ import annotations

from typing import Any, Literal

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
ACTIONS_PER_BLOCK = 25
OPTION_TEXT_LIMIT = 75
MESSAGE_BLOCK_LIMIT = 50
CODE_FENCE = "```"
_CLOSE_FENCE = f"\n{CODE_FENCE}"

# Every button that runs a command carries the command text in its value and an
# action id starting with this prefix; one listener serves them all.
RUN_ACTION_PREFIX = "pbx_run:"
SELECT_ACTION_PREFIX = "pbx_select:"
HOME_REFRESH_ACTION = "pbx_home_refresh"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = BUTTON_TEXT_LIMIT) -> dict[str, Any]:
    """A ``plain_text`` object."""
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def mrkdwn_sections(text: str) -> list[Block]:
    """Split mrkdwn into section blocks, at line breaks where possible.

    Slack renders each section on its own, so a code block (a table) cut in two
    is closed at the end of one section and opened again in the next.
    """
    blocks: list[Block] = []
    rest = text.strip() or " "
    reopen = ""
    while rest:
        rest = reopen + rest
        if len(rest) <= SECTION_TEXT_LIMIT:
            chunk, rest = rest, ""
        else:
            # Leave room for the fence that may close this chunk.
            limit = SECTION_TEXT_LIMIT - len(_CLOSE_FENCE)
            cut = rest.rfind("\n", 0, limit)
            if cut <= len(reopen):
                cut = limit
            chunk, rest = rest[:cut], rest[cut:].lstrip("\n")
        reopen = ""
        if rest and chunk.count(CODE_FENCE) % 2:
            chunk += _CLOSE_FENCE
            reopen = f"{CODE_FENCE}\n"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    return blocks


def run_button(
    label: str,
    command: str,
    key: str,
    *,
    style: Literal["primary", "danger"] | None = None,
) -> Block:
    """A button whose click runs ``command`` through the command layer."""
    if len(command) > BUTTON_VALUE_LIMIT:
        msg = "a button's command text is longer than Slack allows"
        raise ValueError(msg)
    button: Block = {
        "type": "button",
        "text": plain(label),
        "action_id": f"{RUN_ACTION_PREFIX}{key}"[:255],
        "value": command,
    }
    if style is not None:
        button["style"] = style
    return button


def actions_blocks(elements: list[Block], block_id: str) -> list[Block]:
    """Wrap elements into as many ``actions`` blocks as Slack's limit needs."""
    return [
        {
            "type": "actions",
            "block_id": f"{block_id}-{index}",
            "elements": elements[start : start + ACTIONS_PER_BLOCK],
        }
        for index, start in enumerate(range(0, len(elements), ACTIONS_PER_BLOCK))
    ]


def context_block(text: str) -> Block:
    """A small grey line of mrkdwn."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _clip(text, SECTION_TEXT_LIMIT)}],
    }


def option(label: str, value: str) -> dict[str, Any]:
    """An option of a select menu or radio group."""
    return {"text": plain(label, OPTION_TEXT_LIMIT), "value": value}
