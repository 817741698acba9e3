"""``dnd_updated_user``: a user's Slack DND changed; PBX DND follows for those who opted in."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from switchboard.core.actors import Actor, Surface
from switchboard.core.commands.chat_sync import DND, follow_chat
from switchboard.core.redaction import get_logger
from switchboard.slack_app.context import Switchboard, switchboard

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext

_LOGGER = get_logger(__name__)


def slack_dnd_active(dnd_status: dict[str, Any], now: float | None = None) -> bool:
    """Whether the user's Slack DND is on now.

    The bot's ``dnd_updated_user`` event carries ``dnd_enabled`` and the DND window
    (``next_dnd_start_ts``/``next_dnd_end_ts``); Slack reports a notification snooze
    as that window too. ``snooze_enabled`` only reaches the user's own token; it is
    honoured when present.
    """
    if dnd_status.get("snooze_enabled"):
        return True
    if not dnd_status.get("dnd_enabled"):
        return False
    now = time.time() if now is None else now
    start = float(dnd_status.get("next_dnd_start_ts") or 0)
    end = float(dnd_status.get("next_dnd_end_ts") or 0)
    return start <= now < end


async def handle_dnd_updated_user(
    ack: AsyncAck, event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Acknowledge the event, then let PBX DND follow."""
    await ack()
    board = switchboard(context)
    active = slack_dnd_active(event.get("dnd_status") or {})
    board.spawn(follow(board, str(event.get("user") or ""), active=active), "dnd-sync")


async def follow(board: Switchboard, user_id: str, *, active: bool) -> None:
    """Switch PBX DND after the user's Slack DND (opted-in users only)."""
    try:
        done = await follow_chat(
            board.service,
            Actor(user_id, "", Surface.SLACK),
            DND,
            "on" if active else None,
        )
    except Exception:
        _LOGGER.exception("Could not follow the Slack DND of %s", user_id)
        return
    if done:
        _LOGGER.info("Slack DND of %s: %s", user_id, done)
