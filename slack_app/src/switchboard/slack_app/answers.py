"""Sending answers back to Slack without ever raising out of a listener.

Answers through a response URL go only to the allowed origins (Slack's own by
default, see :mod:`switchboard.slack_app.reply_urls`); a URL elsewhere is
dropped with one log line that does not repeat it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from switchboard.core.redaction import get_logger
from switchboard.slack_app.errors import friendly_error
from switchboard.slack_app.reply_urls import SLACK_REPLY_ORIGINS, allowed_reply_url

if TYPE_CHECKING:
    from collections.abc import Collection

    from aiohttp import ClientSession
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)

# Slack and network failures while answering: logged, never shown as a traceback.
SLACK_ERRORS = (
    SlackApiError,
    SlackClientError,
    aiohttp.ClientError,
    OSError,
    ValueError,
)


def _refused(url: str | None, origins: Collection[str]) -> bool:
    if allowed_reply_url(url, origins):
        return False
    # The URL came from a request body: not repeated in the log.
    _LOGGER.warning("Not answering: the response URL is not one of Slack's hosts")
    return True


async def send_response(
    respond: AsyncRespond,
    session: ClientSession | None = None,
    *,
    origins: Collection[str] = SLACK_REPLY_ORIGINS,
    **message: Any,
) -> bool:
    """Post through the payload's ``response_url``; False when that failed.

    With ``session``, the post reuses its pooled connections (one TLS handshake
    to Slack for many answers) instead of a new session per answer. Bolt's own
    respond posts only to ``origins``.
    """
    if type(respond) is AsyncRespond:
        if not respond.response_url:
            # Bolt hands every listener a respond, even when the payload has
            # no response URL (it would raise ValueError).
            _LOGGER.warning("This Slack request has no response URL to answer through")
            return False
        if _refused(respond.response_url, origins):
            return False
    try:
        # Only Bolt's own respond is replaced; any other callable (a wrapper, a
        # test double) is used as it is.
        if (
            session is not None
            and type(respond) is AsyncRespond
            and respond.response_url is not None
        ):
            response = await AsyncWebhookClient(
                respond.response_url,
                session=session,
                proxy=respond.proxy,
                ssl=respond.ssl,
            ).send(**message)
        else:
            response = await respond(**message)
    except SLACK_ERRORS:
        _LOGGER.exception("Could not post the answer to Slack")
        return False
    if response.status_code >= 400:
        _LOGGER.error("Slack refused the answer (HTTP %s)", response.status_code)
        return False
    return True


async def send_to_url(
    url: str,
    session: ClientSession | None = None,
    *,
    origins: Collection[str] = SLACK_REPLY_ORIGINS,
    **message: Any,
) -> bool:
    """Post to a saved ``response_url`` (e.g. after a modal closed)."""
    if _refused(url, origins):
        return False
    try:
        response = await AsyncWebhookClient(url, session=session).send(**message)
    except SLACK_ERRORS:
        _LOGGER.exception("Could not post the answer to Slack")
        return False
    if response.status_code >= 400:
        _LOGGER.error("Slack refused the answer (HTTP %s)", response.status_code)
        return False
    return True


async def send_direct(client: AsyncWebClient, user_id: str, **message: Any) -> bool:
    """Send the user a message from the app, in their DM with it.

    ``conversations.open`` (scope ``im:write``) returns the DM's channel id; the
    message goes there (``chat:write``).
    """
    try:
        opened = await client.conversations_open(users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        if not channel:
            _LOGGER.error("Slack opened no direct message channel for %s", user_id)
            return False
        await client.chat_postMessage(channel=channel, **message)
    except SLACK_ERRORS:
        _LOGGER.exception("Could not send a direct message")
        return False
    return True


async def apologise(
    respond: AsyncRespond | None,
    error: BaseException,
    session: ClientSession | None = None,
    *,
    origins: Collection[str] = SLACK_REPLY_ORIGINS,
) -> None:
    """Tell the user, politely, that something failed (best effort)."""
    if respond is None:
        return
    await send_response(
        respond,
        session,
        origins=origins,
        text=friendly_error(error),
        response_type="ephemeral",
        replace_original=False,
    )
