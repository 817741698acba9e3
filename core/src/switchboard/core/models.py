"""Vendor-neutral models: what every front-end sees, whatever PBX is behind it.

Vendor identifiers stay opaque strings here (PBXware internal ids, MiRTA numbers,
TelecomX 24-hex ids, Telphin numeric ids); only the plugin knows their shape.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic needs it at runtime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Presence(StrEnum):
    """Presence states, named after TelecomX's (the one vendor with real presence)."""

    WORK = "work"
    OFF_WORK = "off"
    HOLIDAY = "holiday"
    BUSY = "busy"


class RecordingAction(StrEnum):
    """What to do with the recording of the call an extension is on."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"


class CallDirection(StrEnum):
    """Which way a call went, seen from the extension it belongs to (``Call.extension_id``).

    ``incoming``: someone called the extension (an outside caller or a colleague);
    ``outgoing``: the extension called out, click-to-dial included.
    """

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class OfficeHoursState(StrEnum):
    """Manual override of an office-hours schedule (PBXware Operation Times status)."""

    ON = "on"
    OFF = "off"
    INHERIT = "inherit"


class ForwardCondition(StrEnum):
    """When calls are forwarded: the words of ``forward busy|noanswer|...``."""

    ALL = "all"
    """Every call (unconditional forwarding)."""
    BUSY = "busy"
    NO_ANSWER = "noanswer"
    UNAVAILABLE = "unavailable"
    """The line is unreachable (not registered)."""


class ForwardRule(_Model):
    """One active forwarding rule of an extension."""

    condition: ForwardCondition
    number: str
    timeout_seconds: int | None = None
    """For ``noanswer``: how long the phone rings first, when the PBX says."""


class FeatureOption(_Model):
    """One allowed value of an extension feature (``pin`` = "PIN required")."""

    key: str
    """The word a user types (``available``)."""
    label: str
    """What a person reads (``Available``)."""


class FeatureSpec(_Model):
    """A vendor-defined, named per-extension setting and the values it allows."""

    key: str
    """The word a user types (``followme``)."""
    name: str
    """The human name (``Follow Me``)."""
    options: tuple[FeatureOption, ...]

    def option(self, key: str) -> FeatureOption | None:
        """Return the option called ``key`` (case-insensitive), if there is one."""
        wanted = key.casefold()
        return next((o for o in self.options if o.key.casefold() == wanted), None)


class ExtensionFeature(_Model):
    """The value an extension has for one feature."""

    spec: FeatureSpec
    value: str
    """The key of the current option."""

    @property
    def label(self) -> str:
        """The current value in words."""
        option = self.spec.option(self.value)
        return option.label if option else self.value


class AccountInfo(_Model):
    """Who we are connected to; ``unique_id`` identifies the PBX account.

    Where the vendor's API names the account only relative to the address it is
    reached at (a self-hosted PBXware's tenant number, a MiRTA tenant code), the id
    starts with that address: ``address`` is that prefix (empty when the id does not
    depend on the address). A front-end can then recognise the same account reached
    at a new address: same id after the prefix.
    """

    vendor: str
    unique_id: str
    name: str
    address: str = ""

    def moved_from(self, old_unique_id: str, old_address: str) -> bool:
        """True if ``old_unique_id``, reached at ``old_address``, is this account.

        Only the address part may differ; a vendor whose id has no address part
        must answer the same id.
        """
        if not self.address or not self.unique_id.startswith(self.address):
            return old_unique_id == self.unique_id
        account_part = self.unique_id.removeprefix(self.address)
        return old_unique_id == old_address + account_part


class Extension(_Model):
    """An extension (a user's line) on the PBX."""

    id: str
    """Vendor identifier, opaque outside the plugin."""
    number: str
    """The dialable extension number."""
    name: str = ""
    email: str | None = None


class ExtensionStatus(_Model):
    """Live state of one extension. ``None`` means the vendor does not tell."""

    extension: Extension
    registered: bool | None = None
    on_call: bool | None = None
    dnd: bool | None = None
    dnd_phones_on: int | None = None
    """For per-phone DND (TelecomX): how many of the phones have DND on."""
    dnd_phones_total: int | None = None
    presence: Presence | None = None
    forward_to: str | None = None
    """Where all calls are forwarded, or ``None`` when forwarding is off or unknown."""
    forward_rules: tuple[ForwardRule, ...] = ()
    """Every active forwarding rule, where the vendor tells (empty: none or unknown)."""


class Flow(_Model):
    """A day/night flow or switch (MiRTA flow, TelecomX switch)."""

    id: str
    name: str
    active: bool


class OfficeHours(_Model):
    """An office-hours schedule with its manual override (PBXware Operation Times)."""

    id: str
    """Opaque identifier, e.g. ``did:12`` for a PBXware DID's Operation Times."""
    name: str
    state: OfficeHoursState


class Call(_Model):
    """A call in progress, or (with ``ended`` set) one from the call history."""

    id: str
    from_number: str = ""
    to_number: str = ""
    extension_id: str | None = None
    started: datetime | None = None
    answered: bool | None = None
    direction: CallDirection | None = None
    """``None`` when the vendor does not say (and the numbers do not tell)."""
    from_name: str = ""
    """The caller's name, where the PBX knows it."""
    ended: datetime | None = None
    """Set on call-history records only."""


class DialResult(_Model):
    """The PBX accepted a click-to-dial request."""

    call_id: str | None = None
    message: str = ""


class RecordingResult(_Model):
    """Outcome of a recording action."""

    action: RecordingAction
    affected_calls: int = Field(default=1, ge=0)
    message: str = ""


class RateLimitState(_Model):
    """The request quota a vendor reported on its last answer."""

    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None
