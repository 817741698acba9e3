"""Events API listeners: ``app_home_opened``, ``dnd_updated_user``, ``user_change``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.events.app_home_opened import (
    handle_app_home_opened,
)
from switchboard.slack_app.listeners.events.dnd_updated_user import (
    handle_dnd_updated_user,
)
from switchboard.slack_app.listeners.events.user_change import handle_user_change

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Route the events the manifest subscribes to."""
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("dnd_updated_user")(handle_dnd_updated_user)
    app.event("user_change")(handle_user_change)
