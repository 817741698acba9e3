"""Who acts: a person and the front-end they act from.

Kept apart from the command layer so that the lean core (policy, Home Assistant)
can name an actor without the chat-ops extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Slack user ids (``U...``; ``W...`` on Enterprise Grid). Any other user id is a CLI
# user's name (``[users.alice]``): nobody Slack can reach.
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def is_slack_user_id(user_id: str) -> bool:
    """True when ``user_id`` has the form of a Slack user id."""
    return _SLACK_USER_ID.fullmatch(user_id) is not None


class Surface(StrEnum):
    """Where a command came from; decides how the answer is rendered."""

    CLI = "cli"
    SLACK = "slack"


@dataclass(frozen=True)
class Actor:
    """The person running a command.

    Attributes:
        user_id: Stable id (a Slack user id, or a CLI user name).
        name: Display name, for messages and the audit log.
        surface: Where the command came from.
        email: A verified e-mail address (Slack gives one), used to link by e-mail.
    """

    user_id: str
    name: str = ""
    surface: Surface = Surface.CLI
    email: str | None = None

    @property
    def label(self) -> str:
        """The name to show: the display name, else the id."""
        return self.name or self.user_id
