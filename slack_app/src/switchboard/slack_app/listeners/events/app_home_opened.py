"""``app_home_opened``: show the user their extension."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.redaction import get_logger
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.home import publish_home

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)


async def handle_app_home_opened(
    ack: AsyncAck,
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge the event, then publish the Home tab (not the Messages tab)."""
    await ack()
    if event.get("tab", "home") != "home":
        return
    board = switchboard(context)
    board.spawn(show_home(board, str(event["user"]), client), "app-home")


async def show_home(board: Switchboard, user_id: str, client: AsyncWebClient) -> None:
    """Read the user's extension and publish their Home tab."""
    try:
        await publish_home(board, client, await board.actor(client, user_id))
    except Exception:
        _LOGGER.exception("Could not show the App Home of %s", user_id)
