"""``user_change``: a user's Slack status maps onto PBX presence, for those who opted in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.actors import Actor, Surface
from switchboard.core.commands.chat_sync import PRESENCE, follow_chat
from switchboard.core.redaction import get_logger
from switchboard.slack_app.context import Switchboard, switchboard

if TYPE_CHECKING:
    from collections.abc import Mapping

    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext

    from switchboard.core.models import Presence

_LOGGER = get_logger(__name__)


def mapped_presence(
    profile: Mapping[str, Any], mapping: Mapping[str, Presence]
) -> Presence | None:
    """The presence a Slack status maps to: its emoji first, then its text (any case)."""
    wanted = {key.strip().casefold(): value for key, value in mapping.items()}
    for part in ("status_emoji", "status_text"):
        found = wanted.get(str(profile.get(part) or "").strip().casefold())
        if found is not None:
            return found
    return None


async def handle_user_change(
    ack: AsyncAck, event: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Acknowledge the event, then let PBX presence follow the status (if configured)."""
    await ack()
    board = switchboard(context)
    mapping = board.service.config.slack.status_presence
    if not mapping:
        return
    user = event.get("user") or {}
    presence = mapped_presence(user.get("profile") or {}, mapping)
    board.spawn(follow(board, str(user.get("id") or ""), presence), "presence-sync")


async def follow(board: Switchboard, user_id: str, presence: Presence | None) -> None:
    """Set the mapped presence, or the one from before when the status is cleared."""
    try:
        done = await follow_chat(
            board.service,
            Actor(user_id, "", Surface.SLACK),
            PRESENCE,
            None if presence is None else presence.value,
        )
    except Exception:
        _LOGGER.exception("Could not follow the Slack status of %s", user_id)
        return
    if done:
        _LOGGER.info("Slack status of %s: %s", user_id, done)
