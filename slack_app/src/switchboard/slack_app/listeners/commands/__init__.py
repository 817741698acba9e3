"""Slash command listeners: ``/pbx``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.commands.pbx_command import handle_pbx_command

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

COMMAND = "/pbx"


def register(app: AsyncApp) -> None:
    """Route ``/pbx``."""
    app.command(COMMAND)(handle_pbx_command)
