"""The number picker's Call button: close the modal, dial, answer in the channel."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import send_direct, send_to_url
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.errors import friendly_error
from switchboard.slack_app.listeners.views.number_picker_builder import (
    NUMBER_BLOCK,
    chosen_number,
)
from switchboard.slack_app.listeners.views.reply_builder import build_reply_message

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    state = view.get("state") or {}
    values = state.get("values")
    return values if isinstance(values, dict) else {}


def _response_url(view: dict[str, Any]) -> str:
    """The shortcut's response URL, saved in the modal's private metadata.

    Slack signs the submission and returns the metadata exactly as we set it,
    so the URL is ours; anything else in there is ignored.
    """
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return ""
    url = metadata.get("response_url") if isinstance(metadata, dict) else None
    return (
        url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""
    )


async def handle_number_choice(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Close the modal (or keep it open with an error), then dial."""
    number = chosen_number(_values(view))
    if number is None:
        await ack(response_action="errors", errors={NUMBER_BLOCK: "Choose a number."})
        return
    await ack()
    board = switchboard(context)
    board.spawn(dial_chosen_number(board, body, view, number, client), "number-choice")


async def dial_chosen_number(
    board: Switchboard,
    body: dict[str, Any],
    view: dict[str, Any],
    number: str,
    client: AsyncWebClient,
) -> None:
    """Dial the chosen number and answer where the shortcut was used."""
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    text = f"call {number}"
    try:
        actor = await board.actor(
            client, user_id, str(user.get("username") or user.get("name") or "")
        )
        reply = await board.service.run(text, actor)
        message = build_reply_message(reply, text)
    except Exception as err:
        _LOGGER.exception("Dialling from the number picker failed unexpectedly")
        message = {"text": friendly_error(err)}
    url = _response_url(view)
    if url and await send_to_url(
        url,
        board.http,
        origins=board.reply_origins,
        **message,
        response_type="ephemeral",
    ):
        return
    # No usable response URL (or it expired): tell the user in the app's DM.
    await send_direct(client, user_id, **message)
