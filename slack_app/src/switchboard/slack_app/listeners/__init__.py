"""Slack listeners, registered per kind; each kind's ``__init__`` maps ids to handlers.

Every listener calls ``await ack()`` first, with no PBX or Slack call before
it, then hands the slow part to ``Switchboard.spawn`` (a tracked background
task) and returns. The app runs with ``process_before_response=True``, so Bolt
answers the HTTP request (or the Socket Mode envelope) as soon as the listener
returns, instead of polling for the ack every 10 ms; and unlike Bolt's lazy
listeners, nothing is deep-copied on the way and shutdown can wait for the
answers still being prepared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.slack_app.context import injector
from switchboard.slack_app.listeners import actions, commands, events, shortcuts, views
from switchboard.slack_app.listeners.errors import handle_error

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from switchboard.slack_app.context import Switchboard


def register_listeners(app: AsyncApp, board: Switchboard) -> None:
    """Inject the command service into every request and route each kind."""
    app.use(injector(board))
    commands.register(app)
    actions.register(app)
    events.register(app)
    shortcuts.register(app)
    views.register(app)
    app.error(handle_error)
