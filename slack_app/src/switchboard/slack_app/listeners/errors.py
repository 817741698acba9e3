"""The global error handler: anything no listener caught ends here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import apologise

if TYPE_CHECKING:
    from slack_bolt.context.respond.async_respond import AsyncRespond

_LOGGER = get_logger(__name__)


async def handle_error(error: Exception, respond: AsyncRespond | None) -> None:
    """Log with the traceback and, when Slack gave us a way, answer politely."""
    _LOGGER.error("Unhandled error in a Slack listener", exc_info=error)
    await apologise(respond, error)
