"""HTTP mode: Slack POSTs signed requests to ``/slack/events`` on an aiohttp server.

Each process is stateless apart from the shared state database, so several
processes (on one host, sharing the port through ``SO_REUSEPORT``, or on several
hosts) can sit behind one load balancer. ``/healthz`` answers the balancer's
health checks without touching Slack or the PBX.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from slack_bolt.async_app import AsyncApp

_LOGGER = get_logger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few kilobytes; refuse anything absurd before parsing it.
MAX_BODY_BYTES = 256 * 1024


def build_web_app(app: AsyncApp, path: str = EVENTS_PATH) -> web.Application:
    """Wrap the Bolt app in an aiohttp application (events + health check)."""

    async def events(request: web.Request) -> web.Response:
        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.add_routes([web.post(path, events), web.get(HEALTH_PATH, health)])
    return web_app


@contextlib.asynccontextmanager
async def serve_http(
    app: AsyncApp, host: str, port: int, *, reuse_port: bool = False
) -> AsyncIterator[str]:
    """Serve the app; yield its base URL (``http://HOST:PORT``) while it runs."""
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes the bound port only here
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104
        yield f"http://{shown}:{bound}"
    finally:
        await runner.cleanup()


async def run_http(app: AsyncApp, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM, then stop accepting and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # SO_REUSEPORT lets several worker processes share the port on one host.
    async with serve_http(app, host, port, reuse_port=True) as url:
        _LOGGER.info("Switchboard Slack app listening on %s%s", url, EVENTS_PATH)
        await stop.wait()
    _LOGGER.info("Switchboard Slack app stopped")
