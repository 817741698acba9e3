"""PBXware wire models: vendor field names, quirks normalised in validators.

Unknown fields are ignored, so a newer PBXware adding fields breaks nothing.
Secrets PBXware sends (``pin``, SIP ``options.secret``, ``username``...) have no
field here, so they are dropped at validation and can never be stored, shown
or logged.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    field_validator,
    model_validator,
)

from switchboard.plugins.pbxware.const import OTIMES_STATUS_VALUES
from switchboard.plugins.pbxware.quirks import (
    TrueFalse,
    YesNo,
    ZeroOne,
    blank_as_none,
    comma_list,
    empty_list_as_dict,
    keyed_by_id,
    pick_only_item,
)


class _Wire(BaseModel):
    """Base of every wire model: frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


# -- enums ---------------------------------------------------------------------


class EsService(StrEnum):
    """The extension enhanced services (the ``<service>`` in ``ext.es.<service>``)."""

    CALLERID = "callerid"
    CALLFILTERS = "callfilters"
    CALLSCREENING = "callscreening"
    DND = "dnd"
    CALLPICKUP = "callpickup"
    LASTCALLER = "lastcaller"
    CALLFWD = "callfwd"
    FOLLOWME = "followme"
    INSTRECORD = "instrecord"
    REMOTEACCESS = "remoteaccess"
    PHONECALLBACK = "phonecallback"
    GROUPHUNT = "grouphunt"
    MOBILENUMBERS = "mobilenumbers"
    SPPAGE = "sppage"
    BLFLIST = "blflist"
    SPEEDDIAL = "speeddial"
    DELRECORDINGS = "delrecordings"
    LISTENRECORDINGS = "listenrecordings"
    OPERATIONTIMES = "operationtimes"
    EXTOPERATIONTIMES = "extoperationtimes"
    CALLMONITORING = "callmonitoring"
    WAKEUPCALL = "wakeupcall"
    OPWAKEUPCALL = "opwakeupcall"
    SPPAGEGROUPS = "sppagegroups"
    SMSNOTIFICATIONS = "smsnotifications"


# The human names of the enhanced services, as the manual lists them
# (003_efadcb813d8a2e7f.txt, "Extension Enhanced Services").
ES_SERVICE_NAMES: dict[EsService, str] = {
    EsService.CALLERID: "Caller ID",
    EsService.CALLFILTERS: "Call Filters & Blocking",
    EsService.CALLSCREENING: "Call Screening",
    EsService.DND: "Do Not Disturb",
    EsService.CALLPICKUP: "Call Pickup",
    EsService.LASTCALLER: "Last Caller",
    EsService.CALLFWD: "Call Forwarding",
    EsService.FOLLOWME: "Follow Me",
    EsService.INSTRECORD: "Instant Recording",
    EsService.REMOTEACCESS: "Remote Access",
    EsService.PHONECALLBACK: "Phone Callback",
    EsService.GROUPHUNT: "Group Hunt",
    EsService.MOBILENUMBERS: "Mobile Numbers",
    EsService.SPPAGE: "Speakerphone Page",
    EsService.BLFLIST: "BLF List",
    EsService.SPEEDDIAL: "Speed Dial",
    EsService.DELRECORDINGS: "Delete Recordings",
    EsService.LISTENRECORDINGS: "Listen to Recordings",
    EsService.OPERATIONTIMES: "System Operation Times",
    EsService.EXTOPERATIONTIMES: "Extension Operation Times",
    EsService.CALLMONITORING: "Call Monitoring",
    EsService.WAKEUPCALL: "Wake-up Call",
    EsService.OPWAKEUPCALL: "Operator Wake-up Call",
    EsService.SPPAGEGROUPS: "Speakerphone Page Groups",
    EsService.SMSNOTIFICATIONS: "SMS Notifications",
}


class EsState(StrEnum):
    """An enhanced service's ACCESSIBILITY (``set``/``get``), never its on/off.

    Bicom's administration manual (Enhanced Services) calls them Available,
    Unavailable and PIN Required: whether the user may use the service at all.
    ``pin`` still lets the API change the service's configuration.
    """

    YES = "yes"
    NO = "no"
    PIN = "pin"


class DndMode(IntEnum):
    """``dnd`` of the DND configuration: how DND is switched on."""

    NOT_ACTIVE = 0
    TEMPORARY = 1
    PERMANENT = 2


class CallForwardCondition(StrEnum):
    """The call forwarding conditions, spelled as PBXware spells them."""

    UNCONDITIONAL = "unconditional"
    BUSY = "busy"
    NO_ANSWER = "no answer"
    LINE_UNAVAILABLE = "line unavailable"


class OtimesTarget(StrEnum):
    """The destinations that have Operation Times (``otimes.<target>``)."""

    DID = "did"
    IVR = "ivr"
    DIAL_GROUP = "dial_group"
    SERVERS = "servers"
    ROUTES = "routes"
    QUEUES = "queues"
    ERG = "erg"


class RecordingCommand(StrEnum):
    """The ``recording.<method>`` actions."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    UNPAUSE = "unpause"


class RegistrationStatus(StrEnum):
    """monitor.list ``status``; anything new reads as ``unknown``."""

    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @classmethod
    def _missing_(cls, value: object) -> RegistrationStatus:
        if isinstance(value, str) and value.lower() != value:
            return cls(value.lower())
        return cls.UNKNOWN


def _otimes_status(value: Any) -> str:
    # The manual spells the values "On, Off, Inherit", its example "on".
    if isinstance(value, str) and value.strip().lower() in OTIMES_STATUS_VALUES:
        return value.strip().lower()
    msg = f"expected one of {', '.join(OTIMES_STATUS_VALUES)}"
    raise ValueError(msg)


OtimesStatus = Annotated[str, BeforeValidator(_otimes_status)]
_NUMBER_IN_PARENS = re.compile(r"\(([^()]*)\)\s*$")


# -- generic answers -----------------------------------------------------------


class SuccessResponse(_Wire):
    """A setter's answer: ``success`` is a message string, not a boolean."""

    success: str


class EsStateResponse(_Wire):
    """``ext.es.<service>.get``."""

    state: EsState


class EsSetResponse(_Wire):
    """``ext.es.<service>.set``: ``{"success": "11: 2.", "state": "yes"}``."""

    success: str
    state: EsState


class EsStates(RootModel[dict[str, EsState]]):
    """``ext.es.states.get``: the state of each requested service."""


# -- extensions ----------------------------------------------------------------


class ExtensionEntry(_Wire):
    """One row of ``ext.list`` (keyed by internal extension id)."""

    id: str
    name: str = ""
    email: str = ""
    protocol: str = ""
    ext: str
    """The dialable extension number."""
    location: str = ""
    ua_id: str = ""
    ua_name: str = ""
    ua_fullname: str = ""
    status: str = ""
    """``enabled`` or ``disabled``."""
    macaddress: str = ""
    sn: str = ""
    linenum: str = ""
    user_location: str = ""
    department: Annotated[list[str], BeforeValidator(comma_list)] = Field(
        default_factory=list
    )


class ExtensionList(RootModel[list[ExtensionEntry]]):
    """``ext.list``."""

    root: Annotated[list[ExtensionEntry], BeforeValidator(keyed_by_id)]


class ExtensionOptions(_Wire):
    """The harmless part of ``options``; ``secret``, ``username`` etc. are dropped."""

    callerid: str = ""
    context: str = ""
    recordcalls: ZeroOne | None = None


class ExtensionConfiguration(_Wire):
    """``ext.configuration`` without its secrets (``pin``, ``options.secret``)."""

    id: str | None = None
    name: str = ""
    email: str = ""
    protocol: str = ""
    ext: str
    location: str = ""
    user_language: str = ""
    ua_id: str = ""
    ua_name: str = ""
    ua_fullname: str = ""
    status: str = ""
    linenum: str = ""
    smuser: ZeroOne | None = None
    service_plan: str = ""
    options: Annotated[ExtensionOptions, BeforeValidator(empty_list_as_dict)] = Field(
        default_factory=ExtensionOptions
    )

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        # The answer is keyed by extension id like a list: {"1": {...}}.
        return pick_only_item(data)


# -- enhanced services: DND and call forwarding ---------------------------------


class DndConfiguration(_Wire):
    """``ext.es.dnd.configuration``."""

    dnd: DndMode
    dst: str = ""
    """Destination number (numbers only)."""
    dsttype: str = ""
    """``voicemail`` or ``call forward``."""
    duration: Annotated[int | None, BeforeValidator(blank_as_none)] = None
    """Hours, for temporary DND."""


_Conditions = Annotated[
    dict[CallForwardCondition, list[str]], BeforeValidator(empty_list_as_dict)
]


class CallForwardConfiguration(_Wire):
    """``ext.es.callfwd.configuration``: conditions with their destinations."""

    play: ZeroOne = False
    cid: ZeroOne = False
    enabled: Annotated[list[CallForwardCondition], BeforeValidator(comma_list)] = Field(
        default_factory=list
    )
    destinations: _Conditions = Field(default_factory=dict)
    timeouts: _Conditions = Field(default_factory=dict)

    def destinations_for(self, condition: CallForwardCondition) -> list[str]:
        """Return the destinations of ``condition`` (empty when none)."""
        return list(self.destinations.get(condition, []))

    def timeouts_for(self, condition: CallForwardCondition) -> list[str]:
        """Return the timeouts of ``condition``, one per destination."""
        timeouts = list(self.timeouts.get(condition, []))
        missing = len(self.destinations_for(condition)) - len(timeouts)
        return timeouts + [""] * max(0, missing)


# -- monitor -------------------------------------------------------------------


class MonitorEntry(_Wire):
    """One row of ``monitor.list``: registration, DND and on-call per extension."""

    id: str
    name: str = ""
    ext: str = ""
    ip: str = ""
    status: RegistrationStatus = RegistrationStatus.UNKNOWN
    ua: str = ""
    dnd: TrueFalse = False
    on_call: TrueFalse = False

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return RegistrationStatus(value) if isinstance(value, str) else value


class MonitorList(RootModel[list[MonitorEntry]]):
    """``monitor.list``."""

    root: Annotated[list[MonitorEntry], BeforeValidator(keyed_by_id)]


class LiveCall(_Wire):
    """One call of ``monitor.live_calls`` (keyed by Asterisk unique id)."""

    id: str
    """The Asterisk unique id, ``<epoch seconds>.<sequence>``."""
    from_: str = Field(default="", alias="from")
    """``Name (number)``."""
    to: str = ""
    timestamp: str = ""

    @property
    def from_number(self) -> str:
        """The number in ``User1 (203)`` (the whole text when there is none)."""
        return number_of(self.from_)

    @property
    def to_number(self) -> str:
        """The number in ``User2 (210)`` (the whole text when there is none)."""
        return number_of(self.to)

    @property
    def started(self) -> datetime | None:
        """When the call started, from the epoch in the Asterisk unique id."""
        head = self.id.split(".", 1)[0]
        return _from_epoch(head)


class LiveCallList(RootModel[list[LiveCall]]):
    """``monitor.live_calls``."""

    root: Annotated[list[LiveCall], BeforeValidator(keyed_by_id)]


def _from_epoch(text: str) -> datetime | None:
    """Read Unix seconds; ``None`` for anything that is no date (corrupt digits)."""
    if not text.isascii() or not text.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(text), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def name_of(party: str) -> str:
    """Return the name in ``Name (203)``, or ``""`` when the party is a bare number."""
    match = _NUMBER_IN_PARENS.search(party)
    return party[: match.start()].strip() if match else ""


def number_of(party: str) -> str:
    """Return the number in ``Name (203)``, or ``party`` itself when it has none."""
    match = _NUMBER_IN_PARENS.search(party)
    return match.group(1).strip() if match else party.strip()


class RecordingResponse(_Wire):
    """``recording.start|stop|pause|unpause``."""

    success: str
    affected_calls: int = Field(ge=0)


class ExtensionsOnline(_Wire):
    """``dashboard.ext_online``."""

    type: str = ""
    count: int = Field(ge=0)


# -- DIDs ----------------------------------------------------------------------


class DidEntry(_Wire):
    """One row of ``did.list`` (keyed by DID id)."""

    id: str
    number: str = ""
    """The DID number."""
    number2: str = ""
    """The end of a DID range, empty otherwise."""
    server: str = ""
    trunk: str = ""
    type: str = ""
    """The destination type, e.g. ``Extension``."""
    ext: str = ""
    """The destination number(s), comma-separated."""
    status: str = ""
    """``enabled`` or ``disabled``."""
    name: str = ""


class DidList(RootModel[list[DidEntry]]):
    """``did.list``."""

    root: Annotated[list[DidEntry], BeforeValidator(keyed_by_id)]


# -- operation times -----------------------------------------------------------


class ClosedDate(_Wire):
    """A closed-dates rule of an Operation Times entry."""

    description: str = ""
    destination: str = ""
    date_from: str = ""
    date_to: str = ""
    time_from: str = ""
    time_to: str = ""


class CustomDestination(_Wire):
    """A custom-destination rule of an Operation Times entry."""

    destination: str = ""
    is_open_range: YesNo = False
    days: str = ""
    time_from: str = ""
    time_to: str = ""


class OpenDays(_Wire):
    """An open-days rule of an Operation Times entry."""

    description: str = ""
    days: str = ""
    """Comma list of weekday numbers, e.g. ``1,2,6``."""
    time_from: str = ""
    time_to: str = ""


class OperationTimes(_Wire):
    """The whole Operation Times state of one destination."""

    id: str
    status: OtimesStatus
    greeting: str = ""
    default_dest_ext: str = ""
    default_dest_is_vm: YesNo = False
    closed_dates: list[ClosedDate] = Field(default_factory=list)
    custom_destinations: list[CustomDestination] = Field(default_factory=list)
    open_days: list[OpenDays] = Field(default_factory=list)


class OperationTimesList(RootModel[list[OperationTimes]]):
    """``otimes.<target>.list`` (keyed by destination id)."""

    root: Annotated[list[OperationTimes], BeforeValidator(keyed_by_id)]


# -- CDRs ----------------------------------------------------------------------


class CdrRecord(_Wire):
    """One CDR row, mapped by the header's column names (billing columns vary)."""

    from_: str = Field(alias="From")
    to: str = Field(alias="To")
    started: datetime = Field(alias="Date/Time")
    duration: int = Field(alias="Total Duration", ge=0)
    rating_duration: Annotated[int | None, BeforeValidator(blank_as_none)] = Field(
        default=None, alias="Rating Duration"
    )
    rating_cost: Annotated[float | None, BeforeValidator(blank_as_none)] = Field(
        default=None, alias="Rating Cost"
    )
    status: str = Field(default="", alias="Status")
    unique_id: str = Field(default="", alias="Unique ID")
    recording_path: str = Field(default="", alias="Recording Path")
    recording_available: TrueFalse = Field(default=False, alias="Recording Available")
    location_type: str = Field(default="", alias="Location Type")
    mos: float | None = Field(default=None, alias="MOS")
    """0 means there is no MOS data."""

    @field_validator("started", mode="before")
    @classmethod
    def _epoch(cls, value: Any) -> Any:
        # Unix seconds as a string. Parsed here because pydantic guesses: it
        # reads large numbers as milliseconds.
        if isinstance(value, str) and value.strip().isdigit():
            started = _from_epoch(value.strip())
            if started is None:
                msg = "expected Unix seconds within the calendar"
                raise ValueError(msg)
            return started
        return value


class CdrPage(_Wire):
    """One page of ``cdr.download``; rows are mapped by column name."""

    success: str = ""
    next_page: TrueFalse = False
    limit: int = Field(ge=0)
    records: int = Field(ge=0)
    header: list[str]
    rows: list[CdrRecord] = Field(alias="csv")

    @model_validator(mode="before")
    @classmethod
    def _map_columns(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        header, rows = data.get("header"), data.get("csv")
        if not isinstance(header, list) or not isinstance(rows, list):
            return data
        mapped: list[Any] = []
        for row in rows:
            if not isinstance(row, list) or len(row) != len(header):
                msg = "a CDR row does not have one value per header column"
                raise ValueError(msg)
            mapped.append(dict(zip(header, row, strict=True)))
        return {**data, "csv": mapped}
