"""HTTP mode: Slack POSTs signed requests to ``/slack/events`` on an aiohttp server.

Each process is stateless apart from the shared state database, so several
processes (on one host, sharing the port through ``SO_REUSEPORT``, or on several
hosts) can sit behind one load balancer. ``/healthz`` answers the balancer's
health checks without touching Slack or the PBX.

Every POST passes :mod:`switchboard.slack_app.request_gate` first: the signature
is checked over the raw bytes before anything of the request is parsed, logged
or used, so an unsigned request can never make the app call out.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from switchboard.core.redaction import get_logger
from switchboard.slack_app.request_gate import Refusal, SignatureCheck, check_request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from slack_bolt.async_app import AsyncApp

_LOGGER = get_logger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few kilobytes; refuse anything absurd before parsing it.
MAX_BODY_BYTES = 256 * 1024


def build_web_app(
    app: AsyncApp, signing_secret: str, path: str = EVENTS_PATH
) -> web.Application:
    """Wrap the Bolt app in an aiohttp application (events + health check)."""
    check = SignatureCheck(signing_secret)

    async def events(request: web.Request) -> web.Response:
        # aiohttp refuses bodies over client_max_size (413) while reading.
        verdict = check_request(
            check, request.headers, request.content_type, await request.read()
        )
        if isinstance(verdict, Refusal):
            _LOGGER.warning(
                "Refused a request to %s (HTTP %d): %s",
                path,
                verdict.status,
                verdict.reason,
            )
            return web.json_response({"error": verdict.reason}, status=verdict.status)
        bolt_request = AsyncBoltRequest(
            body=verdict,
            query=request.query_string,
            headers=dict(request.headers),
        )
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.add_routes([web.post(path, events), web.get(HEALTH_PATH, health)])
    return web_app


@contextlib.asynccontextmanager
async def serve_http(
    app: AsyncApp,
    signing_secret: str,
    host: str,
    port: int,
    *,
    reuse_port: bool = False,
) -> AsyncIterator[str]:
    """Serve the app; yield its base URL (``http://HOST:PORT``) while it runs."""
    runner = web.AppRunner(build_web_app(app, signing_secret), access_log=None)
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


async def run_http(app: AsyncApp, signing_secret: str, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM, then stop accepting and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # SO_REUSEPORT lets several worker processes share the port on one host.
    async with serve_http(app, signing_secret, host, port, reuse_port=True) as url:
        _LOGGER.info("Switchboard Slack app listening on %s%s", url, EVENTS_PATH)
        await stop.wait()
    _LOGGER.info("Switchboard Slack app stopped")
