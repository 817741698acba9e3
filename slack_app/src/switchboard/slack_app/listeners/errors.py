"""The global error handler: anything no listener caught ends here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import apologise
from switchboard.slack_app.context import CONTEXT_KEY, Switchboard

if TYPE_CHECKING:
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_bolt.context.respond.async_respond import AsyncRespond

_LOGGER = get_logger(__name__)


async def handle_error(
    error: Exception, respond: AsyncRespond | None, context: AsyncBoltContext
) -> None:
    """Log with the traceback and, when Slack gave us a way, answer politely.

    Only signed requests get this far (see switchboard.slack_app.request_gate),
    and the answer still goes only to an allowed response URL.
    """
    _LOGGER.error("Unhandled error in a Slack listener", exc_info=error)
    board = context.get(CONTEXT_KEY)
    if isinstance(board, Switchboard):
        await apologise(respond, error, board.http, origins=board.reply_origins)
    else:
        await apologise(respond, error)
