"""Button and menu listeners."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.actions.missed_call_done import (
    handle_missed_call_done,
)
from switchboard.slack_app.listeners.actions.refresh_home import handle_refresh_home
from switchboard.slack_app.listeners.actions.run_command_action import (
    handle_command_action,
)
from switchboard.slack_app.listeners.views.blocks import (
    HOME_REFRESH_ACTION,
    RUN_ACTION_PREFIX,
    SELECT_ACTION_PREFIX,
)
from switchboard.slack_app.listeners.views.missed_call_builder import (
    MISSED_DONE_ACTION,
)

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Route every command-carrying control to one handler, and Refresh."""
    commands = re.compile(
        f"^(?:{re.escape(RUN_ACTION_PREFIX)}|{re.escape(SELECT_ACTION_PREFIX)})"
    )
    app.action(commands)(handle_command_action)
    app.action(HOME_REFRESH_ACTION)(handle_refresh_home)
    app.action(MISSED_DONE_ACTION)(handle_missed_call_done)
