"""A click on a button (or a menu choice) whose value is a command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import apologise, send_response
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.home import publish_home
from switchboard.slack_app.listeners.views.reply_builder import (
    build_reply_message,
    pbx_of_block,
    response_type,
)

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_bolt.context.respond.async_respond import AsyncRespond
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    first = actions[0]
    return first if isinstance(first, dict) else {}


def command_text(action: dict[str, Any]) -> str:
    """The command a button (``value``) or a menu (selected option) carries."""
    selected = action.get("selected_option")
    if isinstance(selected, dict):
        return str(selected.get("value") or "")
    return str(action.get("value") or "")


async def handle_command_action(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge the click at once, then run its command."""
    await ack()
    board = switchboard(context)
    board.spawn(
        run_command_action(board, body, command_text(_action(body)), respond, client),
        "button",
    )


async def run_command_action(
    board: Switchboard,
    body: dict[str, Any],
    text: str,
    respond: AsyncRespond | None,
    client: AsyncWebClient,
) -> None:
    """Run the command like a typed one; update the Home tab or the message."""
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    try:
        actor = await board.actor(
            client, user_id, str(user.get("username") or user.get("name") or "")
        )
        pbx = pbx_of_block(str(_action(body).get("block_id") or ""))
        reply = await board.service.run(text, actor, pbx=pbx)
        view = body.get("view") or {}
        if view.get("type") == "home":
            await publish_home(board, client, actor, notice=reply.text)
            return
        if respond is None:
            return
        # An ephemeral answer is private to the clicker: replace it with the
        # new state. A channel message stays; the clicker gets their own answer.
        replace = bool((body.get("container") or {}).get("is_ephemeral"))
        await send_response(
            respond,
            board.http,
            origins=board.reply_origins,
            **build_reply_message(reply, text),
            response_type="ephemeral" if replace else response_type(reply),
            replace_original=replace,
        )
    except Exception as err:
        _LOGGER.exception("Button %r failed unexpectedly", text[:80])
        await apologise(respond, err, board.http, origins=board.reply_origins)
