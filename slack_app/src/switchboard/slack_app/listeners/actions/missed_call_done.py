"""The Done button of a missed-call DM: mark the calls done and update the message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import SLACK_ERRORS
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.listeners.views.missed_call_builder import (
    build_missed_call_message,
)

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)


async def handle_missed_call_done(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge the click at once, then update the message."""
    await ack()
    board = switchboard(context)
    board.spawn(mark_done(board, body, client), "missed-call-done")


async def mark_done(
    board: Switchboard, body: dict[str, Any], client: AsyncWebClient
) -> None:
    """Mark the message's missed calls done (its own user only) and say so in it."""
    container = body.get("container") or {}
    channel = str(
        container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    )
    ts = str(container.get("message_ts") or "")
    user_id = str((body.get("user") or {}).get("id") or "")
    store = board.service.store
    notes = await store.missed_calls_of_message(channel, ts)
    if not notes or notes[0].user_id != user_id:
        return
    await store.mark_missed_calls_done(channel, ts)
    message = build_missed_call_message(notes, board.default_region, done=True)
    try:
        await client.chat_update(channel=channel, ts=ts, **message)
    except SLACK_ERRORS:
        _LOGGER.exception("Could not mark a missed-call message done")
