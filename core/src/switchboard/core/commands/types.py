"""The public shapes of the command layer: who asks, and what they get back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from switchboard.core.capabilities import Capability
    from switchboard.core.commands.grammar import Command
    from switchboard.core.models import ExtensionStatus


class Outcome(StrEnum):
    """How a command ended."""

    SUCCESS = "success"
    REFUSED = "refused"
    """Policy, an unsupported capability or bad input: the user can fix it."""
    FAILED = "failed"
    """The PBX failed (unreachable, refused our credentials, answered garbage)."""
    UNKNOWN = "unknown"
    """A write that is not safe to repeat timed out: the PBX may have done it."""
    HELP = "help"


@dataclass(frozen=True)
class Link:
    """A user linked to an extension on one PBX.

    Attributes:
        user_id: The linked user.
        pbx: The configured PBX name.
        extension: The dialable extension number.
        linked_by: Who made the link (a user id, ``config`` or ``email``).
        linked_at: When, in UTC (``None`` for links from the configuration file).
    """

    user_id: str
    pbx: str
    extension: str
    linked_by: str = ""
    linked_at: datetime | None = None


@dataclass(frozen=True)
class Reply:
    """The answer to one command.

    Attributes:
        outcome: How it ended.
        text: Rendered for the actor's surface (plain text or Slack mrkdwn).
        data: A JSON-able structured result (``--json``, Slack blocks).
        command: The parsed command, or ``None`` when the input did not parse.
        status: The affected extension after the action, when there is one.
        pbx: The configured PBX name the command ran against.
        supports: The capabilities of that PBX.
    """

    outcome: Outcome
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    command: Command | None = None
    status: ExtensionStatus | None = None
    pbx: str | None = None
    supports: frozenset[Capability] = frozenset()

    @property
    def ok(self) -> bool:
        """True for success and help."""
        return self.outcome in (Outcome.SUCCESS, Outcome.HELP)
