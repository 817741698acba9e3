"""Wire models of the MiRTA proxy API, tolerant by design (vendor-apis.md §7 M8).

Response schemas are not documented, so each field accepts its JSON spelling
(``ex_number``, ``fl_value``...) and its plain-table spelling (the header name,
lower-cased: ``number``, ``value``...). Unknown fields are ignored, PHP sends
numbers as strings (or not), and credential fields never reach these models:
the client drops them before validation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from switchboard.plugins.mirta.const import (
    EXTENSION_DND_FIELD,
    FLOW_STATE_MAP,
    ON_CALL_STATES,
    UNREACHABLE_PEER_STATUSES,
)

_TRUE = frozenset({"on", "yes", "1", "true", "y"})
_FALSE = frozenset({"", "off", "no", "0", "false", "n", "null", "none"})


def parse_flag(value: object) -> bool | None:
    """Read a PHP-style flag (``on``/``""``, ``yes``/``no``, ``1``/``0``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class WireModel(BaseModel):
    """Base of the wire models: frozen, extra fields ignored, numbers as text."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, coerce_numbers_to_str=True
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: object) -> object:
        # Rows are database rows: an empty column is JSON null. It means "no
        # value", so the field's default applies (a required one stays missing).
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class ExtensionRecord(WireModel):
    """One row of ``INFO&info=extensions`` (credentials already dropped).

    Attributes:
        number: The dialable extension number.
        name: The user's display name.
        tech: ``SIP`` (chan_sip), ``PJSIP``, custom or virtual.
        state: The device state, when the row carries it.
        username: The SIP username, ``<number>-<tenant code>``.
        email: The user's e-mail, when the JSON record carries it.
        dnd: The DND flag, when the record carries it (assumption, see const).
    """

    number: str = Field(validation_alias=_aliases("ex_number", "number"), min_length=1)
    name: str = Field(default="", validation_alias=_aliases("ex_name", "name"))
    tech: str = Field(default="", validation_alias=_aliases("ex_tech", "tech"))
    state: str = Field(default="", validation_alias=_aliases("ex_state", "state"))
    username: str = Field(
        default="", validation_alias=_aliases("ex_username", "username")
    )
    email: str | None = Field(
        default=None, validation_alias=_aliases("ex_email", "email")
    )
    dnd: bool | None = Field(
        default=None, validation_alias=_aliases(EXTENSION_DND_FIELD, "dnd")
    )

    @field_validator("dnd", mode="before")
    @classmethod
    def _flag(cls, value: object) -> bool | None:
        return parse_flag(value)

    @field_validator("email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None


class Peer(WireModel):
    """One registered peer (``PEERS``).

    Attributes:
        name: The peer (SIP username), ``<number>-<tenant code>``.
        host: The address it registered from.
        status: Qualify status, e.g. ``OK (23 ms)``.
        node: The cluster node it is registered on.
    """

    name: str = Field(
        validation_alias=_aliases("name", "peer", "objectname", "username")
    )
    host: str = Field(default="", validation_alias=_aliases("ipaddress", "host", "ip"))
    status: str = ""
    node: str = ""

    @property
    def reachable(self) -> bool:
        """Whether the peer is registered and answering."""
        return not self.status.strip().upper().startswith(UNREACHABLE_PEER_STATUSES)


class PeerCount(WireModel):
    """``COUNTPEERS``: registered peers per node and in total."""

    total: int
    nodes: dict[str, int] = Field(default_factory=dict)


class FlowRecord(WireModel):
    """One flow (``FLOWS``).

    Attributes:
        number: The flow number SETFLOW addresses.
        name: Display name (``Day``, ``Night``).
        state: BLF device state (``INUSE``, ``NOT_INUSE``...).
        value: The flow variable's value.
        variable: The variable's name.
    """

    number: str = Field(validation_alias=_aliases("fl_number", "number"), min_length=1)
    name: str = Field(default="", validation_alias=_aliases("fl_name", "name"))
    state: str = Field(default="", validation_alias=_aliases("fl_state", "state"))
    value: str = Field(default="", validation_alias=_aliases("fl_value", "value"))
    variable: str = Field(
        default="", validation_alias=_aliases("fl_variable_name", "variable")
    )

    @property
    def is_open(self) -> bool:
        """Whether the flow is open (active), per FLOW_STATE_MAP (M6)."""
        state = self.state.strip().upper()
        if state:
            return state == FLOW_STATE_MAP["open"].state
        return self.value.strip().lower() == FLOW_STATE_MAP["open"].value


class Channel(WireModel):
    """One live channel (``CHANNELS``), Asterisk style.

    Attributes:
        channel: The channel name, e.g. ``PJSIP/101-ACME-0000002a``.
        state: ``Up``, ``Ring``, ``Ringing``...
        callerid: The caller id number of this leg.
        connectedline: The number on the other side.
        duration: Seconds since the channel was created.
        uniqueid: This channel's unique id.
        linkedid: The id shared by every channel of one call.
    """

    channel: str = Field(min_length=1)
    context: str = ""
    extension: str = Field(default="", validation_alias=_aliases("extension", "exten"))
    state: str = ""
    application: str = ""
    callerid: str = Field(
        default="", validation_alias=_aliases("callerid", "calleridnum")
    )
    connectedline: str = Field(
        default="", validation_alias=_aliases("connectedline", "connectedlinenum")
    )
    duration: int = Field(
        default=0, ge=0, validation_alias=_aliases("duration", "seconds")
    )
    uniqueid: str = ""
    linkedid: str = ""

    @field_validator("duration", mode="before")
    @classmethod
    def _blank_is_zero(cls, value: object) -> object:
        return value if value not in ("", None) else 0

    @property
    def peer(self) -> str:
        """The peer this channel belongs to (``101-ACME``), or ``""``."""
        _, _, rest = self.channel.partition("/")
        peer, _, _ = rest.rpartition("-")
        return peer

    @property
    def call_key(self) -> str:
        """The id that groups the legs of one call."""
        return self.linkedid or self.uniqueid or self.channel

    def started(self, now: datetime | None = None) -> datetime:
        """When the channel was created."""
        return (now or datetime.now(UTC)) - timedelta(seconds=self.duration)


class ExtState(WireModel):
    """``INFO&info=EXTSTATE``: what one extension is doing.

    ``UniqueID`` is ``KO`` (with ``LinkedID`` "Extension not registered") for an
    unregistered extension, empty when it is idle.
    """

    unique_id: str = Field(
        default="", validation_alias=_aliases("UniqueID", "uniqueid")
    )
    linked_id: str = Field(
        default="", validation_alias=_aliases("LinkedID", "linkedid")
    )
    connected_line: str = Field(
        default="",
        validation_alias=_aliases(
            "Connected Line ID", "connected line id", "connectedline"
        ),
    )
    extension: str = Field(
        default="", validation_alias=_aliases("Extension", "extension")
    )
    direction: str = Field(
        default="", validation_alias=_aliases("Direction", "direction")
    )
    other_party: str = Field(
        default="", validation_alias=_aliases("OtherParty", "otherparty")
    )

    @property
    def registered(self) -> bool:
        """Whether the extension is registered."""
        return self.unique_id.upper() != "KO"

    @property
    def on_call(self) -> bool:
        """Whether the extension is on a call."""
        return self.registered and bool(self.unique_id)


class ActionReply(WireModel):
    """The reply to an action: ``Success|Originate successfully queued|<id>|``."""

    response: str = Field(validation_alias=_aliases("Response", "response"))
    message: str = Field(default="", validation_alias=_aliases("Message", "message"))
    id: str | None = Field(default=None, validation_alias=_aliases("ID", "id", "Id"))

    @property
    def ok(self) -> bool:
        """Whether the PBX accepted the action."""
        return self.response.strip().lower() == "success"


class CallInfo(WireModel):
    """``INFO&info=call``: an originated call."""

    id: str = Field(validation_alias=_aliases("ID", "id"))
    status: str = Field(default="", validation_alias=_aliases("Status", "status"))
    source: str = Field(default="", validation_alias=_aliases("Source", "source"))
    dest: str = Field(default="", validation_alias=_aliases("Dest", "dest"))
    uniqueid: str = Field(default="", validation_alias=_aliases("UniqueID", "uniqueid"))


class Cdr(WireModel):
    """One call record (``INFO&info=cdrs``)."""

    uniqueid: str
    src: str = Field(default="", validation_alias=_aliases("realsrc", "src"))
    dst: str = Field(default="", validation_alias=_aliases("lastdst", "dst"))
    start: str = ""
    duration: int = 0
    direction: str = ""
    disposition: str = ""


class Did(WireModel):
    """One DID (``INFO&info=dids``)."""

    number: str = Field(validation_alias=_aliases("di_number", "number"), min_length=1)
    comment: str = Field(default="", validation_alias=_aliases("di_comment", "comment"))
    destination: str = Field(
        default="", validation_alias=_aliases("di_destination", "destination")
    )


def device_on_call(state: str) -> bool:
    """Whether a device state means the extension is on a call."""
    return state.strip().upper() in ON_CALL_STATES
