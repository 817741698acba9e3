"""``/pbx ...``: acknowledge at once, then run the shared command and answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.commands import CommandSyntaxError, parse_command
from switchboard.core.commands.grammar import LinkCommand
from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import apologise, send_response
from switchboard.slack_app.context import Switchboard, switchboard
from switchboard.slack_app.listeners.views.reply_builder import (
    build_reply_message,
    response_type,
)

if TYPE_CHECKING:
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_bolt.context.respond.async_respond import AsyncRespond
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)


def typed_text(text: str) -> str:
    """What the user typed: Slack sends ``&``, ``<`` and ``>`` as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def needs_email(text: str) -> bool:
    """``link EXT`` compares the extension's e-mail with the user's own."""
    try:
        return isinstance(parse_command(text), LinkCommand)
    except CommandSyntaxError:
        return False


async def handle_pbx_command(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Acknowledge within milliseconds (no PBX or Slack call first), then work."""
    await ack()
    board = switchboard(context)
    board.spawn(run_pbx_command(board, command, respond, client), "pbx-command")


async def run_pbx_command(
    board: Switchboard,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    """Run the command text through the command layer and post the answer."""
    text = typed_text(str(command.get("text") or ""))
    try:
        actor = await board.actor(
            client,
            str(command["user_id"]),
            str(command.get("user_name") or ""),
            with_email=needs_email(text),
        )
        reply = await board.service.run(text, actor)
        await send_response(
            respond,
            board.http,
            **build_reply_message(reply, text),
            response_type=response_type(reply),
            origins=board.reply_origins,
        )
    except Exception as err:
        # The command layer never raises; this is a bug or Slack trouble. Keep
        # the traceback for the log and give the user a polite sentence.
        _LOGGER.exception("/pbx %r failed unexpectedly", text[:80])
        await apologise(respond, err, board.http, origins=board.reply_origins)
