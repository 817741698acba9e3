"""The command grammar shared by Slack (``/pbx ...``) and the CLI (``switchboard ...``).

Each command is a frozen dataclass; :data:`COMMANDS` describes them for help,
suggestions and capability hints. The parser (:mod:`switchboard.core.commands.parser`)
turns text into these objects; the executor runs them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from switchboard.core.capabilities import Capability
from switchboard.core.models import ForwardCondition

if TYPE_CHECKING:
    from switchboard.core.models import OfficeHoursState, Presence, RecordingAction


def format_duration(seconds: float) -> str:
    """Render seconds as ``2h``, ``30m``, ``1h30m``, ``1d2h``."""
    minutes = round(seconds / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else ""]
    parts.append(f"{minutes}m" if minutes or not any(parts) else "")
    return "".join(parts)


@dataclass(frozen=True)
class Command:
    """Base of every parsed command.

    Attributes:
        name: The command word (``dnd``).
        changes_state: True when running it changes something (it is audited).
    """

    name: ClassVar[str] = ""
    changes_state: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able description (``{"command": "dnd", "enabled": true}``)."""
        out: dict[str, Any] = {"command": self.name}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, timedelta):
                value = int(value.total_seconds())
            elif isinstance(value, Enum):
                value = value.value
            out[item.name] = value
        return out

    def describe(self) -> str:
        """Return the command as a normalised line (``dnd on 201 for 2h``), for the audit log."""
        words = [self.name]
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if value is None and item.name == "number":
                words.append("off")
            elif value is None or (value is False and item.name == "everyone"):
                continue
            elif isinstance(value, bool):
                words.append(
                    "all" if item.name == "everyone" else ("on" if value else "off")
                )
            elif isinstance(value, timedelta):
                words.append(f"for {format_duration(value.total_seconds())}")
            elif isinstance(value, Enum):
                words.append(str(value.value))
            elif item.name == "user":
                words.append(f"@{value}")
            elif item.name == "extension" and self.name == "call":
                words.append(f"from {value}")
            else:
                words.append(str(value))
        return " ".join(words)


@dataclass(frozen=True)
class HelpCommand(Command):
    """``help [COMMAND]``."""

    name: ClassVar[str] = "help"
    topic: str | None = None


@dataclass(frozen=True)
class StatusCommand(Command):
    """``status [EXT|all]``."""

    name: ClassVar[str] = "status"
    extension: str | None = None
    everyone: bool = False


@dataclass(frozen=True)
class DndCommand(Command):
    """``dnd on|off [EXT] [for 2h]``."""

    name: ClassVar[str] = "dnd"
    changes_state: ClassVar[bool] = True
    enabled: bool
    extension: str | None = None
    duration: timedelta | None = None


@dataclass(frozen=True)
class PresenceCommand(Command):
    """``presence work|off|holiday|busy [EXT]``."""

    name: ClassVar[str] = "presence"
    changes_state: ClassVar[bool] = True
    presence: Presence
    extension: str | None = None


@dataclass(frozen=True)
class ForwardCommand(Command):
    """``forward [all|busy|noanswer|unavailable] NUMBER|off [EXT] [after 20s]``.

    ``number`` is ``None`` for off; ``ring`` is how long a ``noanswer`` rule
    lets the phone ring first (``None``: the PBX's current or default).
    """

    name: ClassVar[str] = "forward"
    changes_state: ClassVar[bool] = True
    number: str | None
    extension: str | None = None
    condition: ForwardCondition = ForwardCondition.ALL
    ring: timedelta | None = None

    def describe(self) -> str:
        """Return ``forward busy +4570305050 201 after 20s`` (for the audit log)."""
        words = [self.name, self.condition.value, self.number or "off"]
        words += [self.extension] if self.extension else []
        if self.ring is not None:
            words.append(f"after {int(self.ring.total_seconds())}s")
        return " ".join(words)


@dataclass(frozen=True)
class ServiceListCommand(Command):
    """``service list [EXT]``: an extension's features and their values."""

    name: ClassVar[str] = "service"
    extension: str | None = None


@dataclass(frozen=True)
class ServiceCommand(Command):
    """``service NAME VALUE [EXT|all]`` (PBXware: available|unavailable|pin)."""

    name: ClassVar[str] = "service"
    changes_state: ClassVar[bool] = True
    feature: str
    value: str
    extension: str | None = None
    everyone: bool = False


@dataclass(frozen=True)
class CallCommand(Command):
    """``call NUMBER [from EXT]``."""

    name: ClassVar[str] = "call"
    changes_state: ClassVar[bool] = True
    number: str
    extension: str | None = None


@dataclass(frozen=True)
class RecordCommand(Command):
    """``record start|stop|pause|resume [EXT]``."""

    name: ClassVar[str] = "record"
    changes_state: ClassVar[bool] = True
    action: RecordingAction
    extension: str | None = None


@dataclass(frozen=True)
class FlowListCommand(Command):
    """``flow list``."""

    name: ClassVar[str] = "flow"


@dataclass(frozen=True)
class FlowCommand(Command):
    """``flow NAME on|off``."""

    name: ClassVar[str] = "flow"
    changes_state: ClassVar[bool] = True
    flow: str
    active: bool


@dataclass(frozen=True)
class HoursListCommand(Command):
    """``hours`` or ``hours list``."""

    name: ClassVar[str] = "hours"


@dataclass(frozen=True)
class HoursCommand(Command):
    """``hours [TARGET] on|off|inherit``."""

    name: ClassVar[str] = "hours"
    changes_state: ClassVar[bool] = True
    state: OfficeHoursState
    target: str | None = None


@dataclass(frozen=True)
class CallsCommand(Command):
    """``calls``."""

    name: ClassVar[str] = "calls"


@dataclass(frozen=True)
class LinkCommand(Command):
    """``link EXT [@user]``; ``user`` is ``None`` for yourself."""

    name: ClassVar[str] = "link"
    changes_state: ClassVar[bool] = True
    extension: str
    user: str | None = None


@dataclass(frozen=True)
class UnlinkCommand(Command):
    """``unlink [@user]``."""

    name: ClassVar[str] = "unlink"
    changes_state: ClassVar[bool] = True
    user: str | None = None


@dataclass(frozen=True)
class WhoamiCommand(Command):
    """``whoami``."""

    name: ClassVar[str] = "whoami"


@dataclass(frozen=True)
class _UserSwitchCommand(Command):
    """``WORD KIND on|off``: one of the user's own switches."""

    changes_state: ClassVar[bool] = True
    kind: str
    enabled: bool


@dataclass(frozen=True)
class NotifyCommand(_UserSwitchCommand):
    """``notify missed on|off``: your own missed-call messages."""

    name: ClassVar[str] = "notify"


@dataclass(frozen=True)
class SyncCommand(_UserSwitchCommand):
    """``sync dnd|presence on|off``: let your Slack DND (status) drive PBX DND (presence)."""

    name: ClassVar[str] = "sync"


@dataclass(frozen=True)
class CommandSpec:
    """What help says about one command word.

    Attributes:
        name: The command word.
        usage: Its forms, one per line.
        summary: One sentence.
        examples: Example invocations (without the ``/pbx`` or ``switchboard`` prefix).
        needs: Capabilities of which at least one must be supported.
        admin: True when changing things needs an admin.
    """

    name: str
    usage: tuple[str, ...]
    summary: str
    examples: tuple[str, ...] = ()
    needs: frozenset[Capability] = frozenset()
    admin: bool = False


def _spec(  # noqa: PLR0913 - a table row
    name: str,
    usage: tuple[str, ...],
    summary: str,
    examples: tuple[str, ...] = (),
    needs: tuple[Capability, ...] = (),
    *,
    admin: bool = False,
) -> CommandSpec:
    return CommandSpec(name, usage, summary, examples, frozenset(needs), admin)


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "help",
            ("help [COMMAND]",),
            "Show the commands, or the details of one.",
            ("help", "help dnd"),
        ),
        _spec(
            "status",
            ("status [EXT]", "status all"),
            "Show an extension: registered, on a call, DND, presence, forwarding.",
            ("status", "status 201", "status all"),
            (Capability.STATUS,),
        ),
        _spec(
            "dnd",
            ("dnd on|off [EXT] [for DURATION]",),
            "Switch do-not-disturb; with 'for', it switches itself off again.",
            ("dnd on", "dnd off", "dnd on for 2h", "dnd on 201 for 1h30m"),
            (Capability.DND,),
        ),
        _spec(
            "presence",
            ("presence work|off|holiday|busy [EXT]",),
            "Set your presence.",
            ("presence holiday", "presence work 201"),
            (Capability.PRESENCE,),
        ),
        _spec(
            "forward",
            ("forward [busy|noanswer|unavailable] NUMBER|off [EXT]",),
            "Forward all calls, or only when busy, unanswered or unavailable.",
            (
                "forward +4570305050",
                "forward off",
                "forward busy 202",
                "forward noanswer +4570305050 after 20s",
                "forward unavailable off 201",
            ),
            (Capability.FORWARD, Capability.FORWARD_RULES),
        ),
        _spec(
            "call",
            ("call NUMBER [from EXT]",),
            "Click-to-dial: your phone rings, then the number is called.",
            ("call +4570305050", "call 202", "call 70305050 from 201"),
            (Capability.DIAL,),
        ),
        _spec(
            "record",
            ("record start|stop|pause|resume [EXT]",),
            "Control the recording of the call you are on.",
            ("record start", "record pause", "record stop"),
            (Capability.RECORDING,),
        ),
        _spec(
            "flow",
            ("flow list", "flow NAME on|off"),
            "List the day/night flows, or switch one (admins).",
            ("flow list", "flow night on"),
            (Capability.FLOWS,),
            admin=True,
        ),
        _spec(
            "hours",
            ("hours [list]", "hours [TARGET] on|off|inherit"),
            "Show office hours, or force them open/closed or back to the schedule (admins).",
            ("hours", "hours off", "hours main inherit"),
            (Capability.OFFICE_HOURS,),
            admin=True,
        ),
        _spec(
            "service",
            ("service list [EXT]", "service NAME available|unavailable|pin [EXT|all]"),
            "Show or set which features an extension may use (admins).",
            (
                "service list 201",
                "service followme available 201",
                "service callscreening pin all",
            ),
            (Capability.EXTENSION_FEATURES,),
            admin=True,
        ),
        _spec(
            "calls",
            ("calls",),
            "List the calls in progress (yours; admins see all).",
            ("calls",),
            (Capability.LIVE_CALLS,),
        ),
        _spec(
            "link",
            ("link EXT [@user]",),
            "Link a user to an extension (admins; yourself when the e-mail matches).",
            ("link 201", "link 201 @alice"),
        ),
        _spec(
            "unlink",
            ("unlink [@user]",),
            "Remove a link (your own; admins any).",
            ("unlink", "unlink @alice"),
        ),
        _spec(
            "notify",
            ("notify missed on|off",),
            "Get a message for each call you missed, with a Call back button (on by default).",
            ("notify missed off", "notify missed on"),
        ),
        _spec(
            "sync",
            ("sync dnd on|off", "sync presence on|off"),
            "Let your Slack DND switch your PBX DND on and back, or your Slack status set "
            "your presence (off by default).",
            ("sync dnd on", "sync dnd off", "sync presence on"),
            (Capability.DND, Capability.PRESENCE),
        ),
        _spec(
            "whoami",
            ("whoami",),
            "Show who you are, your extension and whether you are an admin.",
            ("whoami",),
        ),
    )
}

# Synonyms users type; each maps onto a canonical command word.
ALIASES: dict[str, str] = {
    "?": "help",
    "dial": "call",
    "fwd": "forward",
    "rec": "record",
    "flows": "flow",
    "me": "whoami",
    "officehours": "hours",
    "services": "service",
}
