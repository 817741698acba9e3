"""The Home tab's Refresh button."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.slack_app.context import switchboard
from switchboard.slack_app.listeners.events.app_home_opened import show_home

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_sdk.web.async_client import AsyncWebClient


async def handle_refresh_home(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge, then read the extension again and republish the Home tab."""
    await ack()
    board = switchboard(context)
    user_id = str((body.get("user") or {}).get("id") or "")
    board.spawn(show_home(board, user_id, client), "home-refresh")
