"""The parser: every grammar form, clear errors, and no other exception for any input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchboard.core.commands.grammar import (
    COMMANDS,
    CallCommand,
    CallsCommand,
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
from switchboard.core.commands.parser import (
    CommandSyntaxError,
    parse_command,
    parse_duration,
    parse_number,
)
from switchboard.core.errors import SwitchboardInvalidInputError
from switchboard.core.models import (
    ForwardCondition,
    OfficeHoursState,
    Presence,
    RecordingAction,
)

BUSY, NO_ANSWER = ForwardCondition.BUSY, ForwardCondition.NO_ANSWER

FORMS = [
    ("help", HelpCommand()),
    ("", HelpCommand()),
    ("help dnd", HelpCommand(topic="dnd")),
    ("help dial", HelpCommand(topic="call")),
    ("status", StatusCommand()),
    ("status 201", StatusCommand(extension="201")),
    ("status all", StatusCommand(everyone=True)),
    ("dnd on", DndCommand(enabled=True)),
    ("DND OFF", DndCommand(enabled=False)),
    ("dnd on 201", DndCommand(enabled=True, extension="201")),
    ("dnd on for 2h", DndCommand(enabled=True, duration=timedelta(hours=2))),
    ("dnd on 201 for 1h30m", DndCommand(True, "201", timedelta(minutes=90))),
    ("dnd on 30m", DndCommand(enabled=True, duration=timedelta(minutes=30))),
    ("dnd on for 1 hour 15 minutes", DndCommand(True, None, timedelta(minutes=75))),
    ("presence work", PresenceCommand(Presence.WORK)),
    ("presence off", PresenceCommand(Presence.OFF_WORK)),
    ("presence holiday 201", PresenceCommand(Presence.HOLIDAY, "201")),
    ("presence busy", PresenceCommand(Presence.BUSY)),
    ("forward +4512345678", ForwardCommand("+4512345678")),
    ("forward 004512345678 201", ForwardCommand("+4512345678", "201")),
    ("forward off", ForwardCommand(None)),
    ("forward off 201", ForwardCommand(None, "201")),
    ("forward all +4512345678", ForwardCommand("+4512345678")),
    ("forward busy 202", ForwardCommand("202", None, BUSY)),
    ("forward busy off 201", ForwardCommand(None, "201", BUSY)),
    ("forward noanswer +4512345678", ForwardCommand("+4512345678", None, NO_ANSWER)),
    (
        "forward no-answer 202 201 after 20s",
        ForwardCommand("202", "201", NO_ANSWER, timedelta(seconds=20)),
    ),
    (
        "forward unavailable +4512345678",
        ForwardCommand("+4512345678", None, ForwardCondition.UNAVAILABLE),
    ),
    ("service", ServiceListCommand()),
    ("service list", ServiceListCommand()),
    ("service list 201", ServiceListCommand("201")),
    ("service followme available", ServiceCommand("followme", "available")),
    ("service dnd PIN 201", ServiceCommand("dnd", "pin", "201")),
    (
        "service Follow Me unavailable all",
        ServiceCommand("Follow Me", "unavailable", everyone=True),
    ),
    ("call +4570305050", CallCommand("+4570305050")),
    ("call +45 70 30 50 50 from 201", CallCommand("+4570305050", "201")),
    ("call <tel:+4570305050|+45 70 30 50 50>", CallCommand("+4570305050")),
    ("dial 202", CallCommand("202")),
    ("record start", RecordCommand(RecordingAction.START)),
    ("record stop 201", RecordCommand(RecordingAction.STOP, "201")),
    ("record pause", RecordCommand(RecordingAction.PAUSE)),
    ("record resume", RecordCommand(RecordingAction.RESUME)),
    ("flow list", FlowListCommand()),
    ("flow", FlowListCommand()),
    ("flow night on", FlowCommand("night", active=True)),
    ("flow Night Shift off", FlowCommand("Night Shift", active=False)),
    ("hours", HoursListCommand()),
    ("hours list", HoursListCommand()),
    ("hours on", HoursCommand(OfficeHoursState.ON)),
    ("hours main off", HoursCommand(OfficeHoursState.OFF, "main")),
    ("hours did:12 inherit", HoursCommand(OfficeHoursState.INHERIT, "did:12")),
    ("calls", CallsCommand()),
    ("link 201", LinkCommand("201")),
    ("link 201 @alice", LinkCommand("201", "alice")),
    ("link 201 <@U024BE7LH|bob>", LinkCommand("201", "U024BE7LH")),
    ("unlink", UnlinkCommand()),
    ("unlink @alice", UnlinkCommand("alice")),
    ("whoami", WhoamiCommand()),
    ("/pbx whoami", WhoamiCommand()),
    ("notify missed off", NotifyCommand("missed", enabled=False)),
    ("Notify MISSED on", NotifyCommand("missed", enabled=True)),
    ("sync dnd on", SyncCommand("dnd", enabled=True)),
    ("sync presence off", SyncCommand("presence", enabled=False)),
]


@pytest.mark.parametrize(
    ("text", "expected"), FORMS, ids=[f[0] or "empty" for f in FORMS]
)
def test_every_form_parses(text: str, expected: object) -> None:
    """Each form of the grammar parses into its typed command."""
    assert parse_command(text) == expected


def test_every_command_word_has_a_form() -> None:
    """The table above covers every command of the grammar."""
    parsed = {type(parse_command(text)).name for text, _ in FORMS}
    assert parsed == set(COMMANDS)


ERRORS = [
    ("stauts", "I don't know the command 'stauts'. Did you mean 'status'?"),
    ("dnf on", "Did you mean 'dnd'?"),
    ("help stauts", "There is no command 'stauts'. Did you mean 'status'?"),
    ("dnd onn", "'onn' is not valid here: dnd takes on or off. Did you mean 'on'?"),
    ("dnd", "'dnd' needs one of: on or off."),
    ("dnd off for 2h", "A duration only works with 'dnd on'"),
    ("dnd on for 2", "Give '2' a unit: 2m for minutes or 2h for hours."),
    ("dnd on for soon", "'soon' is not a duration"),
    ("dnd on for 30d", "between 1 minute and 14 days"),
    ("dnd on abc", "'abc' is not an extension number"),
    ("presence away", "presence takes work, off, holiday or busy"),
    ("forward", "'forward' needs a number, or 'off'"),
    ("forward pizza", "'pizza' is not a phone number"),
    ("forward +45 12 34 56 78", "write the number without spaces"),
    ("forward busy", "'forward busy' needs a number, or 'off'"),
    ("forward busy 202 after 20s", "Only 'forward noanswer' rings first"),
    ("forward noanswer 202 after soon", "'soon' is not a ring time"),
    ("forward noanswer off after 20s", "A ring time only goes with a number"),
    ("service dnd", "Name the service and the value"),
    ("service list abc", "'abc' is not an extension number"),
    ("call", "'call' needs a number"),
    ("call +4570305050 from", "Write 'from' followed by one extension"),
    ("call 7030505O", "'7030505O' is not a phone number"),
    (
        "record strat",
        "record takes start, stop, pause or resume. Did you mean 'start'?",
    ),
    ("flow night", "Say 'on' or 'off': flow night on."),
    ("flow night onn", "a flow is switched on or off. Did you mean 'on'?"),
    ("flow on", "Name the flow"),
    ("hours main maybe", "hours takes on, off or inherit"),
    ("calls all", "'calls' does not take 'all'."),
    ("whoami please", "'whoami' does not take 'please'."),
    ("link", "'link' needs an extension"),
    ("link 201 <#C123>", "is not a user"),
    ("status 201 202", "'status' does not take '202'."),
    ("x" * 501, "too long for a command"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[e[0][:20] for e in ERRORS])
def test_bad_input_is_explained(text: str, message: str) -> None:
    """Bad input raises the documented error with a helpful sentence."""
    with pytest.raises(CommandSyntaxError) as caught:
        parse_command(text)
    assert message in caught.value.message
    assert isinstance(caught.value, SwitchboardInvalidInputError)


def test_errors_name_the_command_for_its_usage() -> None:
    """A syntax error inside a command carries the command word (help shows its usage)."""
    with pytest.raises(CommandSyntaxError) as caught:
        parse_command("dnd maybe")
    assert caught.value.command == "dnd"


def test_echoed_tokens_are_sanitised() -> None:
    """Control characters and long words are not echoed back verbatim."""
    with pytest.raises(CommandSyntaxError) as caught:
        parse_command("dnd \x1b[31mred" + "x" * 100)
    assert "\x1b" not in caught.value.message
    assert len(caught.value.message) < 200


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2h", 120),
        ("30m", 30),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1d", 1440),
        ("2 hours", 120),
        ("45min", 45),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    """Durations in the usual spellings."""
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("+45 70-30-50-50", "+4570305050"),
        ("(030) 1234", "0301234"),
        ("0045 7030 5050", "+4570305050"),
    ],
)
def test_numbers_are_normalised(text: str, number: str) -> None:
    """Separators go, 00 becomes +."""
    assert parse_number(text) == number


WORDS = st.sampled_from(
    [
        *COMMANDS,
        "on",
        "off",
        "for",
        "from",
        "all",
        "list",
        "2h",
        "1h30m",
        "201",
        "+4570305050",
        "@bob",
        "<@U1|x>",
        "<tel:+45|x>",
        "night",
        "inherit",
        "start",
        "pause",
        "<",
        ">",
        "0",
        "00",
    ]
)


@given(
    st.one_of(
        st.text(max_size=60),
        st.lists(WORDS | st.text(max_size=8), max_size=6).map(" ".join),
    )
)
@settings(max_examples=400, deadline=None)
def test_parser_raises_only_the_documented_error(text: str) -> None:
    """Whatever the input, the parser returns a command or raises SwitchboardInvalidInputError."""
    error: SwitchboardInvalidInputError | None = None
    try:
        command = parse_command(text)
    except SwitchboardInvalidInputError as err:
        error = err
    if error is not None:
        assert error.message
    else:
        assert command.name in COMMANDS
        assert command.describe().startswith(command.name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notify", "'notify' needs one of: missed"),
        ("notify missed", "'notify' needs one of: on or off"),
        ("notify missed maybe", "notify takes on or off"),
        ("sync status on", "sync takes dnd or presence"),
        ("sync dnd on now", "'sync' does not take 'now'"),
    ],
)
def test_notify_and_sync_explain_bad_input(text: str, message: str) -> None:
    with pytest.raises(CommandSyntaxError, match=message):
        parse_command(text)
