"""Shortcut listeners: the "Call this number" message shortcut."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.shortcuts.call_number_shortcut import (
    handle_call_number_shortcut,
)

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

CALL_NUMBER_CALLBACK = "pbx_call_number"


def register(app: AsyncApp) -> None:
    """Route the shortcuts declared in the manifest."""
    app.shortcut(CALL_NUMBER_CALLBACK)(handle_call_number_shortcut)
