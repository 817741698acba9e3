"""Build and run the Slack app: check the settings, build once, register, start.

::

    config = load_config(path)
    await run(config)                 # Socket Mode (default)
    await run(config, mode="http")    # HTTP mode, signed requests on /slack/events
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from switchboard.core.commands import CommandService
from switchboard.core.commands.webhook_relay import WebhookRelay
from switchboard.core.errors import SwitchboardConfigError, SwitchboardError
from switchboard.core.redaction import get_logger, install_log_filter
from switchboard.slack_app.context import Switchboard
from switchboard.slack_app.directory import SlackDirectory
from switchboard.slack_app.http_server import run_http
from switchboard.slack_app.listeners import register_listeners
from switchboard.slack_app.missed_calls import watching
from switchboard.slack_app.policy import SlackPolicy
from switchboard.slack_app.reply_urls import SLACK_REPLY_ORIGINS
from switchboard.slack_app.settings import Mode, SlackRuntime, resolve_runtime
from switchboard.slack_app.socket_mode import run_socket_mode

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

    from switchboard.core.config import SwitchboardConfig

_LOGGER = get_logger(__name__)

# Concurrent connections to Slack (response URLs and the Web API together).
SLACK_CONNECTIONS = 100
BOLT_LOGGER = "switchboard.slack_app.bolt"


class _ClientOnPurpose(logging.Filter):
    """Drop Bolt's "As you gave `client` as well, `token` will be unused".

    AsyncApp reads ``SLACK_BOT_TOKEN`` from the environment by itself even when
    it is given a client (slack_bolt/app/async_app.py), and warns on every
    start. We build the client on purpose (our base URL, pooled session, the
    same token), so the warning says nothing an operator can act on.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = get_logger(BOLT_LOGGER)
    if not any(isinstance(f, _ClientOnPurpose) for f in logger.filters):
        logger.addFilter(_ClientOnPurpose())
    return logger


def build_app(runtime: SlackRuntime, board: Switchboard) -> AsyncApp:
    """Build the Bolt app with the command service injected.

    Args:
        runtime: Validated tokens, mode and Slack's address.
        board: The command service and Slack helpers every listener uses; its
            ``http`` session (when set) pools the Web API connections too.
    """
    client = AsyncWebClient(
        token=runtime.bot_token.get_secret_value(),
        base_url=runtime.api_url,
        session=board.http,
        logger=get_logger("switchboard.slack_app.web"),
    )
    secret = runtime.signing_secret.get_secret_value() if runtime.signing_secret else ""
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        # Socket Mode connections are authenticated by the app token; Bolt
        # skips the check there anyway. HTTP mode always verifies signatures.
        request_verification_enabled=runtime.mode == "http",
        # Answer Slack as soon as the (tiny) ack function returns; the real work
        # runs in lazy listeners. See switchboard.slack_app.listeners.
        process_before_response=True,
        logger=_bolt_logger(),
        name="switchboard",
    )
    register_listeners(app, board)
    return app


def make_switchboard(
    service: CommandService,
    config: SwitchboardConfig,
    http: aiohttp.ClientSession | None = None,
    reply_origins: tuple[str, ...] = SLACK_REPLY_ORIGINS,
) -> Switchboard:
    """Wrap the service for Slack: directory look-ups and user-group admins."""
    directory = SlackDirectory(config.policy.admin_usergroup)
    if config.policy.admin_usergroup:
        service.policy = SlackPolicy(config.policy, directory)
    return Switchboard(
        service, directory, config.policy.default_region, http, reply_origins
    )


async def check_bot_token(app: AsyncApp) -> str:
    """Ask Slack who we are; fail fast with a readable message when it refuses.

    Returns:
        The workspace name, for the start-up log line.
    """
    try:
        response = await app.client.auth_test()
    except SlackApiError as err:
        code = (
            err.response.get("error", "unknown_error")
            if err.response
            else "unknown_error"
        )
        msg = f"Slack refused the bot token ({code}). Check SLACK_BOT_TOKEN."
        raise SwitchboardConfigError(msg) from None
    except (SlackClientError, aiohttp.ClientError, OSError) as err:
        msg = f"Cannot reach Slack to check the bot token: {err}"
        raise SwitchboardConfigError(msg) from None
    return str(response.get("team") or "your workspace")


@dataclass
class SlackApp:
    """A built app and what it owns."""

    bolt: AsyncApp
    board: Switchboard
    runtime: SlackRuntime
    owns_service: bool = True

    async def aclose(self) -> None:
        """Finish the answers in flight, then close the session and the service."""
        await self.board.drain()
        if self.board.http is not None:
            await self.board.http.close()
        if self.owns_service:
            await self.board.service.aclose()


async def create_app(
    config: SwitchboardConfig,
    runtime: SlackRuntime,
    *,
    service: CommandService | None = None,
    http_client: httpx.AsyncClient | None = None,
) -> SlackApp:
    """Create the command service (unless given) and build the app around it."""
    owns = service is None
    if service is None:
        service = await CommandService.create(config, http_client=http_client)
    # One pooled session for every Slack call: answers to response URLs and the
    # Web API reuse their connections instead of a TLS handshake per answer.
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=SLACK_CONNECTIONS, ttl_dns_cache=300)
    )
    board = make_switchboard(service, config, session, runtime.reply_origins)
    return SlackApp(build_app(runtime, board), board, runtime, owns)


def webhook_relay(
    runtime: SlackRuntime, service: CommandService
) -> WebhookRelay | None:
    """Where vendors' webhooks reach this app: HTTP mode with a public URL only."""
    if runtime.mode != "http" or runtime.public_url is None:
        return None
    return WebhookRelay(service.store, runtime.public_url, service.config.pbx)


def say_how_pushed(
    service: CommandService, runtime: SlackRuntime, relay: WebhookRelay | None
) -> None:
    """Say once, at start, how the calls of each PBX that pushes by webhook arrive."""
    if not service.config.slack.missed_calls:
        return
    for pbx in service.config.pbx:
        try:
            backend = service.backends.get(pbx)
        except SwitchboardError:
            continue  # the watcher says what is wrong with it
        if not backend.receives_webhooks:
            continue
        name = backend.display_name
        if relay is not None:
            _LOGGER.info(
                "%s's webhooks (%s) are received at %s<token>",
                name,
                pbx,
                relay.url_for(pbx),
            )
        elif runtime.mode == "http":
            _LOGGER.info(
                "%s's calls are polled: set [slack] public_url to receive its webhooks",
                name,
            )
        else:
            _LOGGER.info(
                "%s's calls are polled: Socket Mode receives no webhooks "
                "(run `slack run --http` with [slack] public_url to receive them)",
                name,
            )


async def run(  # noqa: PLR0913 - every option of `switchboard slack run`
    config: SwitchboardConfig,
    *,
    service: CommandService | None = None,
    mode: Mode | None = None,
    port: int | None = None,
    host: str | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Check the settings, build the app once, and serve until stopped.

    Args:
        config: The configuration (its ``[slack]`` section and PBXs).
        service: A command service to use (the demo's); created when omitted.
        mode: ``socket`` or ``http``, overriding ``slack.mode``.
        port: HTTP port, overriding ``slack.port``.
        host: HTTP bind address.
        env: Environment to read tokens from (default: ``os.environ``).

    Raises:
        SwitchboardConfigError: A token is missing, malformed or refused by Slack.
    """
    install_log_filter()
    runtime = resolve_runtime(config.slack, mode=mode, port=port, host=host, env=env)
    slack = await create_app(config, runtime, service=service)
    try:
        team = await check_bot_token(slack.bolt)
        _LOGGER.info("Connected to Slack workspace %s", team)
        relay = webhook_relay(runtime, slack.board.service)
        say_how_pushed(slack.board.service, runtime, relay)
        # Every worker runs the watcher; a lease lets one of them poll each PBX
        # (and register the webhooks of vendors that push that way).
        async with watching(slack.board, slack.bolt.client, relay):
            if runtime.app_token is not None and runtime.mode == "socket":
                await run_socket_mode(slack.bolt, runtime.app_token.get_secret_value())
            else:
                secret = runtime.signing_secret
                await run_http(
                    slack.bolt,
                    secret.get_secret_value() if secret else "",
                    runtime.host,
                    runtime.port,
                    webhooks=relay,
                )
    finally:
        await slack.aclose()
