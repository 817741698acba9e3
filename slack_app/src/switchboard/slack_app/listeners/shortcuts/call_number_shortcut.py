"""Message shortcut "Call this number": dial a number found in a message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import SLACK_ERRORS, apologise, send_response
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.listeners.views.number_picker_builder import (
    build_number_picker,
)
from switchboard.slack_app.listeners.views.reply_builder import build_reply_message
from switchboard.slack_app.phone_numbers import find_phone_numbers

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_bolt.context.respond.async_respond import AsyncRespond
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)

NO_NUMBER = (
    "I found no phone number in that message. Numbers without a country code "
    "are read as {region} numbers; to call anything else, type `/pbx call NUMBER`."
)


def message_text(shortcut: dict[str, Any]) -> str:
    """The message's text, including simple attachments' text."""
    message = shortcut.get("message") or {}
    parts = [str(message.get("text") or "")]
    parts.extend(
        str(a.get("text") or a.get("fallback") or "")
        for a in message.get("attachments") or []
        if isinstance(a, dict)
    )
    return "\n".join(p for p in parts if p)


async def handle_call_number_shortcut(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge at once; the trigger id stays valid for the modal (3 s)."""
    await ack()
    board = switchboard(context)
    board.spawn(call_number_in_message(board, shortcut, respond, client), "shortcut")


async def call_number_in_message(
    board: Switchboard,
    shortcut: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """One number: dial it. Several: ask which one in a modal. None: say so."""
    try:
        numbers = find_phone_numbers(message_text(shortcut), board.default_region)
        if not numbers:
            await send_response(
                respond,
                board.http,
                origins=board.reply_origins,
                text=NO_NUMBER.format(region=board.default_region),
                response_type="ephemeral",
            )
            return
        if len(numbers) > 1:
            # The trigger id expires 3 s after the click: open the modal before
            # any other Slack or PBX call.
            metadata = json.dumps({"response_url": shortcut.get("response_url") or ""})
            try:
                await client.views_open(
                    trigger_id=shortcut["trigger_id"],
                    view=build_number_picker(numbers, metadata),
                )
            except SLACK_ERRORS as err:
                _LOGGER.exception("Could not open the number picker")
                await apologise(respond, err, board.http, origins=board.reply_origins)
            return
        user = shortcut.get("user") or {}
        actor = await board.actor(
            client,
            str(user.get("id") or ""),
            str(user.get("username") or user.get("name") or ""),
        )
        text = f"call {numbers[0]}"
        reply = await board.service.run(text, actor)
        await send_response(
            respond,
            board.http,
            origins=board.reply_origins,
            **build_reply_message(reply, text),
            response_type="ephemeral",
        )
    except Exception as err:
        _LOGGER.exception("The call-this-number shortcut failed unexpectedly")
        await apologise(respond, err, board.http, origins=board.reply_origins)
