"""Socket Mode: a WebSocket to Slack, so no public URL is needed.

This is the default: it works behind a firewall or next to Home Assistant. Bolt
skips signature checks here because the connection itself is authenticated
with the app-level token.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

_LOGGER = get_logger(__name__)


async def connect_socket_mode(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Open the WebSocket (``apps.connections.open``, then connect); return the handler."""
    handler = AsyncSocketModeHandler(app, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


async def run_socket_mode(app: AsyncApp, app_token: str) -> None:
    """Connect to Slack and handle events until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    handler = await connect_socket_mode(app, app_token)
    _LOGGER.info("Switchboard Slack app connected to Slack (Socket Mode)")
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        _LOGGER.info("Switchboard Slack app disconnected")
