"""Publishing a user's App Home: their extension and the buttons to change it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.errors import SwitchboardError
from switchboard.core.redaction import get_logger
from switchboard.slack_app.answers import SLACK_ERRORS
from switchboard.slack_app.errors import friendly_error
from switchboard.slack_app.listeners.views.home_builder import build_home_view

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

    from switchboard.core.actors import Actor
    from switchboard.core.capabilities import Capability
    from switchboard.core.models import ExtensionStatus
    from switchboard.slack_app.context import Switchboard

_LOGGER = get_logger(__name__)

# Missed calls the App Home lists, newest first.
HOME_MISSED_CALLS = 5


async def publish_home(
    board: Switchboard,
    client: AsyncWebClient,
    actor: Actor,
    *,
    notice: str | None = None,
) -> bool:
    """Read the user's extension and publish their Home tab; False if Slack refused."""
    status: ExtensionStatus | None = None
    supports: frozenset[Capability] = frozenset()
    problem: str | None = None
    try:
        status, supports = await board.service.extension_status(actor)
        if status is None:
            # No status means "not linked" or "this PBX shows no statuses"; only
            # the first should ask the user to link themselves.
            link = await board.service.linked_extension(actor.user_id)
            if link is not None:
                problem = (
                    f"You are linked to extension {link.extension}, but this PBX "
                    "does not show extension statuses."
                )
    except SwitchboardError as err:
        # Why matters: bad credentials need an admin, a timeout only a retry.
        problem = f"Could not read your extension. {friendly_error(err)}"
    missed = await board.service.store.recent_missed_calls(
        actor.user_id, HOME_MISSED_CALLS
    )
    view = build_home_view(
        status,
        supports,
        notice=notice,
        problem=problem,
        missed=missed,
        region=board.default_region,
    )
    try:
        await client.views_publish(user_id=actor.user_id, view=view)
    except SLACK_ERRORS:
        _LOGGER.exception("Could not publish the App Home of %s", actor.user_id)
        return False
    return True
