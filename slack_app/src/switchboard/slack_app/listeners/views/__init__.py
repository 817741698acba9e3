"""Modal submissions, and the pure Block Kit builders (``*_builder.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.listeners.views.number_choice_submission import (
    handle_number_choice,
)
from switchboard.slack_app.listeners.views.number_picker_builder import (
    NUMBER_PICKER_CALLBACK,
)

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    """Route the modal submissions."""
    app.view(NUMBER_PICKER_CALLBACK)(handle_number_choice)
