"""HTTP mode: Slack POSTs signed requests to ``/slack/events`` on an aiohttp server.

Each process is stateless apart from the shared state database, so several
processes (on one host, sharing the port through ``SO_REUSEPORT``, or on several
hosts) can sit behind one load balancer. ``/healthz`` answers the balancer's
health checks without touching Slack or the PBX.

Every POST to Slack's path passes :mod:`switchboard.slack_app.request_gate`
first: the signature is checked over the raw bytes before anything of the request
is parsed, logged or used, so an unsigned request can never make the app call out.

With ``[slack] public_url`` set, ``POST /switchboard/webhooks/{pbx}/{token}``
receives the webhooks of vendors that push that way (Telphin). Those are not
Slack's requests and never reach the Bolt app or its gate: the secret path token
is what authenticates them, checked by
:class:`~switchboard.core.commands.webhook_relay.WebhookRelay` (any worker may
receive one; the leader reads it). A refusal is a bare 404; neither the path nor
the body is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from switchboard.core.commands.webhook_relay import WEBHOOK_PATH
from switchboard.core.push import WebhookVerdict
from switchboard.core.redaction import get_logger
from switchboard.slack_app.request_gate import Refusal, SignatureCheck, check_request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from slack_bolt.async_app import AsyncApp

    from switchboard.core.commands.webhook_relay import WebhookRelay

_LOGGER = get_logger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few kilobytes; refuse anything absurd before parsing it.
MAX_BODY_BYTES = 256 * 1024
# A vendor's webhook is a handful of form fields; anything larger is not one.
MAX_WEBHOOK_BYTES = 16 * 1024
MAX_WEBHOOK_FIELDS = 64
FORM = "application/x-www-form-urlencoded"


def webhook_handler(
    relay: WebhookRelay,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The route of vendors' webhooks: bounded form body, token checked by the relay."""

    async def receive(request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
            return web.Response(status=413)
        if request.content_type != FORM:
            return web.Response(status=415)
        body = await request.read()
        if len(body) > MAX_WEBHOOK_BYTES:
            return web.Response(status=413)
        try:
            fields = dict(
                parse_qsl(
                    body.decode(request.charset or "utf-8"),
                    keep_blank_values=True,
                    strict_parsing=False,
                    max_num_fields=MAX_WEBHOOK_FIELDS,
                )
            )
        except (UnicodeDecodeError, LookupError, ValueError):
            return web.Response(status=400)
        pbx = request.match_info["pbx"]
        verdict = await relay.receive(pbx, request.match_info["token"], fields)
        if verdict is WebhookVerdict.REFUSED:
            # Never the path: it may carry a token (a stale one is still secret).
            if pbx in relay.pbx_names:
                _LOGGER.debug("Refused a webhook call for %s", pbx)
            return web.Response(status=404)
        return web.Response(text="ok")

    return receive


def build_web_app(
    app: AsyncApp,
    signing_secret: str,
    path: str = EVENTS_PATH,
    *,
    webhooks: WebhookRelay | None = None,
) -> web.Application:
    """Wrap the Bolt app in an aiohttp application (events, health check, webhooks)."""
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
    if webhooks is not None:
        web_app.add_routes(
            [web.post(f"{WEBHOOK_PATH}/{{pbx}}/{{token}}", webhook_handler(webhooks))]
        )
    return web_app


@contextlib.asynccontextmanager
async def serve_http(  # noqa: PLR0913 - the server's options, by keyword
    app: AsyncApp,
    signing_secret: str,
    host: str,
    port: int,
    *,
    reuse_port: bool = False,
    webhooks: WebhookRelay | None = None,
) -> AsyncIterator[str]:
    """Serve the app; yield its base URL (``http://HOST:PORT``) while it runs."""
    runner = web.AppRunner(
        build_web_app(app, signing_secret, webhooks=webhooks), access_log=None
    )
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


async def run_http(
    app: AsyncApp,
    signing_secret: str,
    host: str,
    port: int,
    *,
    webhooks: WebhookRelay | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM, then stop accepting and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # SO_REUSEPORT lets several worker processes share the port on one host.
    async with serve_http(
        app, signing_secret, host, port, reuse_port=True, webhooks=webhooks
    ) as url:
        _LOGGER.info("Switchboard Slack app listening on %s%s", url, EVENTS_PATH)
        await stop.wait()
    _LOGGER.info("Switchboard Slack app stopped")
