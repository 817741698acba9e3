"""Missed calls in Slack: the watcher's sender, posting and updating DMs."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import SLACK_ERRORS
from switchboard.slack_app.dm import open_dm
from switchboard.slack_app.listeners.views.missed_call_builder import (
    build_missed_call_message,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from slack_sdk.web.async_client import AsyncWebClient

    from switchboard.core.commands.state import MissedCallNote
    from switchboard.core.commands.webhook_relay import WebhookRelay
    from switchboard.slack_app.context import Switchboard

_LOGGER = get_logger(__name__)

# The metadata every missed-call DM carries: which calls it tells about, so a worker
# taking over from one that died can see whether a call was sent (conversations.history).
METADATA_EVENT = "switchboard_missed_call"
# How far before a call was recorded its DM is looked for.
FIND_MARGIN_SECONDS = 60


def _metadata(notes: list[MissedCallNote]) -> dict[str, Any]:
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"pbx": notes[-1].pbx, "call_ids": [n.call_id for n in notes]},
    }


class SlackMissedCallSender:
    """Sends missed calls as DMs (``conversations.open``, ``chat.postMessage``/``update``)."""

    def __init__(self, client: AsyncWebClient, region: str) -> None:
        self.client = client
        self.region = region

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        """Post a DM about ``notes``, or update ``previous``'s message with them."""
        message = build_missed_call_message(notes, self.region)
        user_id = notes[-1].user_id
        try:
            if previous is not None and previous.channel and previous.ts:
                await self.client.chat_update(
                    channel=previous.channel,
                    ts=previous.ts,
                    metadata=_metadata(notes),
                    **message,
                )
                return previous.channel, previous.ts
            channel = await open_dm(self.client, user_id)
            posted = await self.client.chat_postMessage(
                channel=channel, metadata=_metadata(notes), **message
            )
        except SLACK_ERRORS:
            _LOGGER.exception("Could not tell %s about a missed call", user_id)
            return None
        return str(posted.get("channel") or channel), str(posted["ts"])

    async def find(self, note: MissedCallNote) -> tuple[str, str] | None:
        """The DM that already tells about ``note``, from its metadata (scope ``im:history``)."""
        recorded = note.noted_at or note.at
        try:
            channel = await open_dm(self.client, note.user_id)
            history = await self.client.conversations_history(
                channel=channel,
                oldest=str(recorded.timestamp() - FIND_MARGIN_SECONDS),
                include_all_metadata=True,
                limit=100,
            )
        except SLACK_ERRORS:
            # Cannot tell: sending again risks a repeat, not sending loses the call.
            _LOGGER.exception("Could not look for an earlier missed-call DM")
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT and note.call_id in (
                payload.get("call_ids") or []
            ):
                return channel, str(message["ts"])
        return None


def missed_call_watcher(
    board: Switchboard,
    client: AsyncWebClient,
    webhooks: WebhookRelay | None = None,
) -> CallWatcher:
    """The watcher ``slack run`` and ``switchboard watch`` start.

    Args:
        board: The command service and Slack helpers.
        client: Slack's Web API client.
        webhooks: Where vendors that push by webhook reach this server (HTTP mode
            with ``[slack] public_url``); ``None``: they are polled.
    """
    settings = board.service.config.slack
    return CallWatcher(
        board.service,
        SlackMissedCallSender(client, board.default_region),
        interval=timedelta(seconds=settings.missed_call_interval),
        webhooks=webhooks,
    )


@contextlib.asynccontextmanager
async def watching(
    board: Switchboard,
    client: AsyncWebClient,
    webhooks: WebhookRelay | None = None,
) -> AsyncIterator[None]:
    """Run the missed-call watcher (unless ``slack.missed_calls`` is off) meanwhile."""
    if not board.service.config.slack.missed_calls:
        yield
        return
    task = asyncio.create_task(
        missed_call_watcher(board, client, webhooks).run(), name="switchboard:watcher"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
