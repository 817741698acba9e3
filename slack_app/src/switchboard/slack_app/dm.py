"""Direct messages: the one place that opens a DM with a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    """Return the id of the bot's DM channel with ``user_id`` (``conversations.open``).

    Slack returns the existing conversation when there is one, so this is safe to
    call before every message (scope ``im:write``).
    """
    response = await client.conversations_open(users=user_id)
    channel = response.get("channel") or {}
    return str(channel["id"])
