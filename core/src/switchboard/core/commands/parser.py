"""Turn the text a user typed into a typed command.

The parser never touches a PBX. It raises exactly one kind of error,
:class:`CommandSyntaxError` (a :class:`~switchboard.core.errors.SwitchboardInvalidInputError`),
whose message says what was wrong and, where it can, what the user probably
meant (``difflib`` over the valid words).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING

from switchboard.core.commands.grammar import (
    ALIASES,
    COMMANDS,
    CallCommand,
    CallsCommand,
    Command,
    DndCommand,
    FlowCommand,
    FlowListCommand,
    ForwardCommand,
    HelpCommand,
    HoursCommand,
    HoursListCommand,
    LinkCommand,
    NotifyCommand,
    PresenceCommand,
    RecordCommand,
    ServiceCommand,
    ServiceListCommand,
    StatusCommand,
    SyncCommand,
    UnlinkCommand,
    WhoamiCommand,
)
from switchboard.core.errors import SwitchboardInvalidInputError
from switchboard.core.models import (
    ForwardCondition,
    OfficeHoursState,
    Presence,
    RecordingAction,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

MAX_INPUT = 500
MAX_DURATION = timedelta(days=14)
MIN_DURATION = timedelta(minutes=1)

_TOKEN_RE = re.compile(r"<[^<>]*>|[^\s<>]+|[<>]")
_EXTENSION_RE = re.compile(r"\d{1,10}")
_NUMBER_RE = re.compile(r"\+?\d{1,20}")
_NUMBER_SEPARATORS = str.maketrans("", "", " -().·/")
_DURATION_RE = re.compile(
    r"(?:(?P<d>\d{1,4})(?:d|days?))?"
    r"(?:(?P<h>\d{1,5})(?:h|hrs?|hours?))?"
    r"(?:(?P<m>\d{1,6})(?:m|mins?|minutes?))?"
)
_DURATION_HINT_RE = re.compile(r"(?:\d+[a-z]+)+")
_MENTION_RE = re.compile(r"<@([A-Z0-9]{2,30})(?:\|[^<>]*)?>", re.IGNORECASE)
_USERNAME_RE = re.compile(r"@?([\w.\-]{1,64})")

_ON_OFF = {"on": True, "off": False}
# The words before the number of ``forward``; people write "no-answer" too.
_FORWARD_CONDITIONS = {c.value: c for c in ForwardCondition} | {
    "no-answer": ForwardCondition.NO_ANSWER,
    "unanswered": ForwardCondition.NO_ANSWER,
    "offline": ForwardCondition.UNAVAILABLE,
}
_RING_RE = re.compile(r"(\d{1,3})\s*(?:s|secs?|seconds?)?")
MAX_RING = timedelta(minutes=5)


class CommandSyntaxError(SwitchboardInvalidInputError):
    """The text is not a valid command.

    Attributes:
        command: The command word the error is about (for its usage), if known.
    """

    def __init__(self, message: str, *, command: str | None = None) -> None:
        super().__init__(message)
        self.command = command


def shown(token: str, limit: int = 40) -> str:
    """Return ``token`` safe to echo: printable, short."""
    clean = "".join(
        ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else "?"
        for ch in token
    )
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def suggest(word: str, options: Sequence[str]) -> str | None:
    """Return the option closest to ``word``, or ``None`` when none is close."""
    matches = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def tokenize(text: str) -> list[str]:
    """Split on whitespace, keeping Slack's ``<...>`` escapes as one token."""
    tokens = []
    for raw in _TOKEN_RE.findall(text):
        token = raw
        if raw.startswith("<tel:"):
            # Slack turns phone numbers into <tel:+4570305050|+45 70 30 50 50>.
            token = raw[5:-1].split("|", 1)[0]
        tokens.append(token)
    return tokens


# -- value parsers ---------------------------------------------------------------


def ascii_digits(text: str) -> str:
    """Read the digits of any script (٢٠١, fullwidth 201) as 0-9, which PBXs know."""
    return "".join(
        str(unicodedata.decimal(ch))
        if not ch.isascii() and unicodedata.decimal(ch, None) is not None
        else ch
        for ch in text
    )


def parse_extension(token: str, command: str | None = None) -> str:
    """Validate an extension number (digits only)."""
    token = ascii_digits(token)
    if _EXTENSION_RE.fullmatch(token):
        return token
    msg = f"'{shown(token)}' is not an extension number: write its digits, like 201."
    raise CommandSyntaxError(msg, command=command)


def parse_number(text: str, command: str | None = None) -> str:
    """Normalise a phone number: strip separators, keep a leading ``+``."""
    compact = ascii_digits(text.strip().translate(_NUMBER_SEPARATORS))
    if compact.startswith("00") and len(compact) > 4:
        compact = "+" + compact[2:]  # 0045... is the European way to write +45...
    if _NUMBER_RE.fullmatch(compact):
        return compact
    msg = (
        f"'{shown(text)}' is not a phone number: use digits, with + and the "
        "country code for outside numbers (like +4570305050)."
    )
    raise CommandSyntaxError(msg, command=command)


def parse_duration(text: str, command: str | None = "dnd") -> timedelta:
    """Parse ``2h``, ``30m``, ``1h30m``, ``1 hour 30 minutes``, ``1d``."""
    compact = text.lower().replace(" ", "")
    match = _DURATION_RE.fullmatch(compact) if compact else None
    if match is None or not any(match.groupdict().values()):
        if compact.isdigit():
            msg = f"Give '{shown(text)}' a unit: {compact}m for minutes or {compact}h for hours."
        else:
            msg = f"'{shown(text)}' is not a duration: write it like 2h, 30m or 1h30m."
        raise CommandSyntaxError(msg, command=command)
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    duration = timedelta(
        days=parts.get("d", 0), hours=parts.get("h", 0), minutes=parts.get("m", 0)
    )
    if not MIN_DURATION <= duration <= MAX_DURATION:
        msg = "A duration must be between 1 minute and 14 days."
        raise CommandSyntaxError(msg, command=command)
    return duration


def parse_user(token: str, command: str | None = None) -> str:
    """Parse ``@name``, ``name`` or Slack's ``<@U123|name>`` into a user id."""
    mention = _MENTION_RE.fullmatch(token)
    if mention:
        return mention.group(1)
    plain = _USERNAME_RE.fullmatch(token)
    if plain:
        return plain.group(1)
    msg = f"'{shown(token)}' is not a user: mention them, like @alice."
    raise CommandSyntaxError(msg, command=command)


def _choice(token: str | None, options: Sequence[str], command: str) -> str:
    """Return ``token`` lower-cased when it is one of ``options``."""
    if token is not None and token.lower() in options:
        return token.lower()
    listed = " or ".join(
        [", ".join(options[:-1]), options[-1]] if len(options) > 1 else options
    )
    if token is None:
        msg = f"'{command}' needs one of: {listed}."
        raise CommandSyntaxError(msg, command=command)
    hint = suggest(token, options)
    msg = f"'{shown(token)}' is not valid here: {command} takes {listed}."
    if hint:
        msg += f" Did you mean '{hint}'?"
    raise CommandSyntaxError(msg, command=command)


def _no_more(args: Sequence[str], command: str) -> None:
    if args:
        msg = f"'{command}' does not take '{shown(' '.join(args))}'."
        raise CommandSyntaxError(msg, command=command)


def _optional_extension(args: Sequence[str], command: str) -> str | None:
    if not args:
        return None
    _no_more(args[1:], command)
    return parse_extension(args[0], command)


# -- one function per command --------------------------------------------------------


def _help(args: list[str]) -> Command:
    if not args:
        return HelpCommand()
    _no_more(args[1:], "help")
    word = ALIASES.get(args[0].lower(), args[0].lower())
    if word in COMMANDS:
        return HelpCommand(topic=word)
    raise _unknown(args[0], "There is no command")


def _status(args: list[str]) -> Command:
    if args and args[0].lower() in {"all", "*", "everyone"}:
        _no_more(args[1:], "status")
        return StatusCommand(everyone=True)
    return StatusCommand(extension=_optional_extension(args, "status"))


def _dnd(args: list[str]) -> Command:
    enabled = _ON_OFF[_choice(args[0] if args else None, ["on", "off"], "dnd")]
    rest = args[1:]
    duration = None
    lowered = [a.lower() for a in rest]
    if "for" in lowered:
        at = lowered.index("for")
        duration = parse_duration(" ".join(rest[at + 1 :]) or "?")
        rest = rest[:at]
    elif rest and _DURATION_HINT_RE.fullmatch(rest[-1].lower()):
        duration = parse_duration(rest[-1])
        rest = rest[:-1]
    if duration is not None and not enabled:
        msg = "A duration only works with 'dnd on' (like: dnd on for 2h)."
        raise CommandSyntaxError(msg, command="dnd")
    return DndCommand(
        enabled=enabled, extension=_optional_extension(rest, "dnd"), duration=duration
    )


def _presence(args: list[str]) -> Command:
    values = [p.value for p in Presence]
    presence = Presence(_choice(args[0] if args else None, values, "presence"))
    return PresenceCommand(presence, _optional_extension(args[1:], "presence"))


def _ring(
    args: list[str], condition: ForwardCondition
) -> tuple[list[str], timedelta | None]:
    """Take ``after 20s`` off the end of a forward command."""
    lowered = [a.lower() for a in args]
    if "after" not in lowered:
        return args, None
    at = lowered.index("after")
    text = " ".join(args[at + 1 :])
    match = _RING_RE.fullmatch(text.lower())
    if condition is not ForwardCondition.NO_ANSWER:
        msg = "Only 'forward noanswer' rings first: forward noanswer NUMBER after 20s."
        raise CommandSyntaxError(msg, command="forward")
    if match is None or not 1 <= int(match.group(1)) <= MAX_RING.total_seconds():
        msg = f"'{shown(text or '?')}' is not a ring time: write it in seconds, like after 20s."
        raise CommandSyntaxError(msg, command="forward")
    return args[:at], timedelta(seconds=int(match.group(1)))


def _forward(args: list[str]) -> Command:
    condition = ForwardCondition.ALL
    if args and args[0].lower() in _FORWARD_CONDITIONS:
        condition = _FORWARD_CONDITIONS[args[0].lower()]
        args = args[1:]
    args, ring = _ring(args, condition)
    if not args:
        word = "" if condition is ForwardCondition.ALL else f" {condition.value}"
        msg = f"'forward{word}' needs a number, or 'off' (like: forward{word} +4570305050)."
        raise CommandSyntaxError(msg, command="forward")
    number = None if args[0].lower() == "off" else parse_number(args[0], "forward")
    if len(args) > 2:
        msg = "Too many words: write the number without spaces, like forward +4570305050 201."
        raise CommandSyntaxError(msg, command="forward")
    if number is None and ring is not None:
        msg = "A ring time only goes with a number: forward noanswer NUMBER after 20s."
        raise CommandSyntaxError(msg, command="forward")
    extension = _optional_extension(args[1:], "forward")
    return ForwardCommand(number, extension, condition, ring)


def _call(args: list[str]) -> Command:
    lowered = [a.lower() for a in args]
    extension = None
    if "from" in lowered:
        at = lowered.index("from")
        tail = args[at + 1 :]
        if len(tail) != 1:
            msg = "Write 'from' followed by one extension, like: call +4570305050 from 201."
            raise CommandSyntaxError(msg, command="call")
        extension = parse_extension(tail[0], "call")
        args = args[:at]
    if not args:
        msg = "'call' needs a number (like: call +4570305050)."
        raise CommandSyntaxError(msg, command="call")
    # Numbers are often written in groups ("+45 70 30 50 50"): join the words.
    return CallCommand(parse_number(" ".join(args), "call"), extension)


def _record(args: list[str]) -> Command:
    values = [a.value for a in RecordingAction]
    action = RecordingAction(_choice(args[0] if args else None, values, "record"))
    return RecordCommand(action, _optional_extension(args[1:], "record"))


def _flow(args: list[str]) -> Command:
    if not args or (len(args) == 1 and args[0].lower() == "list"):
        return FlowListCommand()
    if args[-1].lower() not in _ON_OFF:
        if len(args) == 1:
            msg = f"Say 'on' or 'off': flow {shown(args[0])} on."
        else:
            msg = (
                f"'{shown(args[-1])}' is not valid here: a flow is switched on or off."
            )
            hint = suggest(args[-1], ["on", "off"])
            if hint:
                msg += f" Did you mean '{hint}'?"
        raise CommandSyntaxError(msg, command="flow")
    if len(args) == 1:
        msg = "Name the flow: flow NAME on (see 'flow list')."
        raise CommandSyntaxError(msg, command="flow")
    return FlowCommand(flow=" ".join(args[:-1]), active=_ON_OFF[args[-1].lower()])


def _hours(args: list[str]) -> Command:
    if not args or (len(args) == 1 and args[0].lower() == "list"):
        return HoursListCommand()
    values = [s.value for s in OfficeHoursState]
    state = OfficeHoursState(_choice(args[-1], values, "hours"))
    return HoursCommand(state=state, target=" ".join(args[:-1]) or None)


def _service(args: list[str]) -> Command:
    if not args or args[0].lower() == "list":
        return ServiceListCommand(_optional_extension(args[1:], "service"))
    everyone, extension = False, None
    if len(args) > 2 and args[-1].lower() in {"all", "everyone"}:
        everyone, args = True, args[:-1]
    elif len(args) > 2 and ascii_digits(args[-1]).isdigit():
        extension, args = parse_extension(args[-1], "service"), args[:-1]
    if len(args) < 2:
        msg = "Name the service and the value: service followme available 201."
        raise CommandSyntaxError(msg, command="service")
    return ServiceCommand(
        feature=" ".join(args[:-1]),
        value=args[-1].lower(),
        extension=extension,
        everyone=everyone,
    )


def _calls(args: list[str]) -> Command:
    _no_more(args, "calls")
    return CallsCommand()


def _link(args: list[str]) -> Command:
    if not args:
        msg = "'link' needs an extension (like: link 201 @alice)."
        raise CommandSyntaxError(msg, command="link")
    extension = parse_extension(args[0], "link")
    _no_more(args[2:], "link")
    user = parse_user(args[1], "link") if len(args) > 1 else None
    return LinkCommand(extension, user)


def _unlink(args: list[str]) -> Command:
    _no_more(args[1:], "unlink")
    return UnlinkCommand(parse_user(args[0], "unlink") if args else None)


def _toggle(args: list[str], command: str, *kinds: str) -> tuple[str, bool]:
    """``KIND on|off`` (``notify missed on``): the kind and the switch."""
    kind = _choice(args[0] if args else None, list(kinds), command)
    enabled = _ON_OFF[
        _choice(args[1] if len(args) > 1 else None, ["on", "off"], command)
    ]
    _no_more(args[2:], command)
    return kind, enabled


def _notify(args: list[str]) -> Command:
    return NotifyCommand(*_toggle(args, "notify", "missed"))


def _sync(args: list[str]) -> Command:
    return SyncCommand(*_toggle(args, "sync", "dnd", "presence"))


def _whoami(args: list[str]) -> Command:
    _no_more(args, "whoami")
    return WhoamiCommand()


_PARSERS: dict[str, Callable[[list[str]], Command]] = {
    "help": _help,
    "status": _status,
    "dnd": _dnd,
    "presence": _presence,
    "forward": _forward,
    "call": _call,
    "record": _record,
    "flow": _flow,
    "hours": _hours,
    "service": _service,
    "calls": _calls,
    "link": _link,
    "unlink": _unlink,
    "whoami": _whoami,
    "notify": _notify,
    "sync": _sync,
}


def _unknown(word: str, lead: str = "I don't know the command") -> CommandSyntaxError:
    hint = suggest(word, [*COMMANDS, *ALIASES])
    msg = f"{lead} '{shown(word)}'."
    if hint:
        msg += f" Did you mean '{ALIASES.get(hint, hint)}'?"
    msg += " Type 'help' to see them all."
    return CommandSyntaxError(msg)


def parse_command(text: str) -> Command:
    """Parse one command line.

    Raises:
        SwitchboardInvalidInputError: (as :class:`CommandSyntaxError`) the text is
            not a valid command; the message explains why.
    """
    if len(text) > MAX_INPUT:
        msg = f"That is too long for a command ({MAX_INPUT} characters at most)."
        raise CommandSyntaxError(msg)
    tokens = tokenize(text)
    if tokens and tokens[0].lower() in {"/pbx", "switchboard"}:
        tokens = tokens[1:]
    if not tokens:
        return HelpCommand()
    word = tokens[0].lower()
    word = ALIASES.get(word, word)
    parser = _PARSERS.get(word)
    if parser is None:
        raise _unknown(tokens[0])
    return parser(tokens[1:])
