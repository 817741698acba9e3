"""Wire models of the TelecomX API, with the vendor's field names as aliases.

"Properties holding no value may be omitted from the object"
(000_77d4379dd62ec50f.txt), so every field is optional. Unknown fields are
ignored, and vendor enums fall back to ``UNKNOWN`` so that a new value on the
PBX never breaks parsing. Ids are kept as plain strings here: the wiki's own
examples carry 23-character ids, so only ids we *send* are checked as 24-hex.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic needs it at runtime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from switchboard.plugins.telecomx.const import PRESENCE_FIELD


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class _VendorEnum(StrEnum):
    """A vendor enum whose unknown values become ``UNKNOWN``."""

    @classmethod
    def _missing_(cls, value: object) -> _VendorEnum:  # noqa: ARG003 - enum hook
        return cls("UNKNOWN")


class PhoneType(_VendorEnum):
    """What kind of phone belongs to an extension."""

    SIP = "SIP"
    MVNO = "MVNO"
    EXTERNAL = "EXTERNAL"
    UNKNOWN = "UNKNOWN"


class PresenceState(_VendorEnum):
    """An employee's presence (inferred from the onPresence* fields, §7 T2)."""

    WORK = "WORK"
    OFF_WORK = "OFF_WORK"
    HOLIDAY = "HOLIDAY"
    BUSY = "BUSY"
    UNKNOWN = "UNKNOWN"


class RecordingMode(_VendorEnum):
    """The PBX-wide recording policy."""

    ALWAYS = "ALWAYS"
    DEMAND = "DEMAND"
    NEVER = "NEVER"
    UNKNOWN = "UNKNOWN"


# -- auth --------------------------------------------------------------------


class LoginResult(_Wire):
    """Answer of ``POST /auth/login``.

    Attributes:
        token: The session token (a secret: hidden in reprs).
        expires_in_minutes: Lifetime; -1 for a persistent token.
        employee: Id of the employee who logged in.
        customer: Id of the employee's customer.
        access_level: PERSONAL, VIEWER, MANAGER, OWNER, RESELLER, ADMIN, …
    """

    token: SecretStr
    expires_in_minutes: int = Field(default=15, alias="expiresInMinutes")
    employee: str | None = None
    customer: str | None = None
    access_level: str | None = Field(default=None, alias="accessLevel")


# -- settings ------------------------------------------------------------------


class RecordingSettings(_Wire):
    """``recording`` of the PBX settings."""

    mode: RecordingMode | None = None
    quality: str | None = None
    retension: int | None = None
    """Days to keep recordings (the vendor's spelling)."""


class BillingSettings(_Wire):
    """``billing`` of the PBX settings."""

    invoiced_until: datetime | None = Field(default=None, alias="invoicedUntil")


class PbxSettings(_Wire):
    """Answer of ``GET /pbx/settings[/{customer}]``.

    Attributes:
        id: The customer the settings belong to (the account's unique id).
        master_pin_code: Master PIN for hot-desking; a secret, hidden in reprs.
    """

    id: str = Field(alias="_id")
    default_music_on_hold: str | None = Field(default=None, alias="defaultMusicOnHold")
    master_pin_code: SecretStr | None = Field(default=None, alias="masterPinCode")
    default_language: str | None = Field(default=None, alias="defaultLanguage")
    default_number: str | None = Field(default=None, alias="defaultNumber")
    default_voice_account: str | None = Field(default=None, alias="defaultVoiceAccount")
    national_prefix: str | None = Field(default=None, alias="nationalPrefix")
    caller_id_name_outbound: str | None = Field(
        default=None, alias="callerIdNameOutbound"
    )
    voicemail_breakout: str | None = Field(default=None, alias="voicemailBreakout")
    recording: RecordingSettings | None = None
    billing: BillingSettings | None = None
    present_mobile_on_local_to_mobile: bool | None = Field(
        default=None, alias="presentMobileOnLocalToMobile"
    )


# -- extension -----------------------------------------------------------------


class GotoRef(_Wire):
    """A dialplan item, as ``expandGoto=true`` expands a ``*Goto`` id."""

    id: str = Field(alias="_id")
    type: str | None = None
    name: str | None = None
    number: str | None = None


Goto = GotoRef | str | None
"""A ``*goto`` property: an id, an expanded item, or nothing."""


class Phone(_Wire):
    """One of an extension's phones (``includePhones=true``)."""

    id: str = Field(alias="_id")
    type: PhoneType = PhoneType.UNKNOWN
    model: str | None = None
    identification: str | None = None
    online: bool | None = None
    dnd: bool | None = None
    notes: str | None = None
    product: str | None = None
    rate_plan: str | None = Field(default=None, alias="ratePlan")
    new_rate_plan: str | None = Field(default=None, alias="newRatePlan")


class CallerRouting(_Wire):
    """Where an external, an internal and a mobile caller go (action, number, goto).

    The seed gives ``noAnswer`` and ``busy`` the same nine fields as they are read;
    their update bodies differ in the actions allowed (see ``NoAnswerUpdate``).
    """

    ext_action: str | None = Field(default=None, alias="extAction")
    ext_number: str | None = Field(default=None, alias="extNumber")
    ext_goto: Goto = Field(default=None, alias="extGoto")
    int_action: str | None = Field(default=None, alias="intAction")
    int_number: str | None = Field(default=None, alias="intNumber")
    int_goto: Goto = Field(default=None, alias="intGoto")
    mobile_action: str | None = Field(default=None, alias="mobileAction")
    mobile_number: str | None = Field(default=None, alias="mobileNumber")
    mobile_goto: Goto = Field(default=None, alias="mobileGoto")


class NoAnswer(CallerRouting):
    """``noAnswer``: what happens when nobody picks up (after ``timeout`` s)."""

    timeout: int | None = None


class Busy(CallerRouting):
    """``busy``: what happens when the extension is busy."""


class CallerId(_Wire):
    """``outbound.callerId``: which number to present, per presence."""

    on_presence_work: str | None = Field(default=None, alias="onPresenceWork")
    on_presence_work_ask: bool | None = Field(default=None, alias="onPresenceWorkAsk")
    on_presence_off_work: str | None = Field(default=None, alias="onPresenceOffWork")
    on_presence_off_work_ask: bool | None = Field(
        default=None, alias="onPresenceOffWorkAsk"
    )
    on_next_call: str | None = Field(default=None, alias="onNextCall")


class Outbound(_Wire):
    """``outbound``: restrictions and caller id for calls out."""

    destinations: str | None = None
    caller_id: CallerId | None = Field(default=None, alias="callerId")
    goto: Goto = None


class ExtensionDetail(_Wire):
    """Answer of ``GET /pbx/extension/{id}`` (001_d475557f66c1db1c.txt)."""

    id: str = Field(alias="_id")
    type: str | None = None
    customer: str | None = None
    name: str | None = None
    number: str | None = None
    start_audio: str | None = Field(default=None, alias="startAudio")
    redirect: str | None = None
    notes: str | None = None
    employee: str | None = None
    direct: str | None = None
    primary: bool | None = None
    phonebook: bool | None = None
    call_waiting: bool | None = Field(default=None, alias="callWaiting")
    block_secret: bool | None = Field(default=None, alias="blockSecret")
    auto_master: bool | None = Field(default=None, alias="autoMaster")
    mobile_use_own_number: bool | None = Field(default=None, alias="mobileUseOwnNumber")
    billing_customer: str | None = Field(default=None, alias="billingCustomer")
    employee_delete_date: datetime | None = Field(
        default=None, alias="employeeDeleteDate"
    )
    inbound_goto: Goto = Field(default=None, alias="inboundGoto")
    ringtone: str | None = None
    music_on_hold: str | None = Field(default=None, alias="musicOnHold")
    mobile_delay: int | None = Field(default=None, alias="mobileDelay")
    on_presence_off_work: str | None = Field(default=None, alias="onPresenceOffWork")
    on_presence_holiday: str | None = Field(default=None, alias="onPresenceHoliday")
    on_presence_busy: str | None = Field(default=None, alias="onPresenceBusy")
    no_answer: NoAnswer | None = Field(default=None, alias="noAnswer")
    busy: Busy | None = None
    outbound: Outbound | None = None
    phones: list[Phone] | None = None
    """Only present with ``includePhones=true``."""


# -- extension update (request bodies) ----------------------------------------

NoAnswerAction = Literal["NOTHING", "VOICEMAIL", "NUMBER", "GOTO"]
MobileNoAnswerAction = Literal["EXTERNAL", "NOTHING", "VOICEMAIL", "NUMBER", "GOTO"]
BusyExtAction = Literal["BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE"]
BusyIntAction = Literal["BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE", "BARGE"]
BusyMobileAction = Literal["EXTERNAL", "BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE"]


class _Update(BaseModel):
    """A partial update: only the fields that are set are sent."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    def body(self) -> dict[str, object]:
        """Return the JSON body with the vendor's names, without unset fields."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class NoAnswerUpdate(_Update):
    """New ``noAnswer`` settings; ``timeout`` must be 5-60 seconds."""

    timeout: int | None = None
    ext_action: NoAnswerAction | None = Field(default=None, alias="extAction")
    ext_number: str | None = Field(default=None, alias="extNumber")
    ext_goto: str | None = Field(default=None, alias="extGoto")
    int_action: NoAnswerAction | None = Field(default=None, alias="intAction")
    int_number: str | None = Field(default=None, alias="intNumber")
    int_goto: str | None = Field(default=None, alias="intGoto")
    mobile_action: MobileNoAnswerAction | None = Field(
        default=None, alias="mobileAction"
    )
    mobile_number: str | None = Field(default=None, alias="mobileNumber")
    mobile_goto: str | None = Field(default=None, alias="mobileGoto")


class BusyUpdate(_Update):
    """New ``busy`` settings."""

    ext_action: BusyExtAction | None = Field(default=None, alias="extAction")
    ext_number: str | None = Field(default=None, alias="extNumber")
    ext_goto: str | None = Field(default=None, alias="extGoto")
    int_action: BusyIntAction | None = Field(default=None, alias="intAction")
    int_number: str | None = Field(default=None, alias="intNumber")
    int_goto: str | None = Field(default=None, alias="intGoto")
    mobile_action: BusyMobileAction | None = Field(default=None, alias="mobileAction")
    mobile_number: str | None = Field(default=None, alias="mobileNumber")
    mobile_goto: str | None = Field(default=None, alias="mobileGoto")


# -- actions -------------------------------------------------------------------


class DndResult(_Wire):
    """Answer of ``GET /pbx/extension/{id}/dnd``: the phone's DND state now."""

    dnd: bool


class RedirectResult(_Wire):
    """Answer of ``GET /pbx/extension/{id}/redirect``."""

    state: bool
    number: str | None = None


class CallActionResult(_Wire):
    """Answer of ``GET /pbx/app/action/call``."""

    success: bool
    id: str | None = Field(default=None, alias="_id")
    """The call id, e.g. ``pbx4.telecomx.dk:1700000000.42``."""


class OnDemandRecordingResult(_Wire):
    """Answer of ``GET /pbx/recording/ondemand``."""

    success: bool
    mode: str | None = None


class Switch(_Wire):
    """A switch (``/pbx/switch``): a named boolean the dialplan routes on."""

    name: str
    value: bool
    description: str | None = None
    customer: str | None = None


# -- employees (app) -------------------------------------------------------------


class AppPhone(_Wire):
    """A phone as the employees list shows it: its id, kind and live state."""

    id: str = Field(alias="_id")
    type: PhoneType = PhoneType.UNKNOWN
    online: bool | None = None
    dnd: bool | None = None


class AppExtension(_Wire):
    """An extension of an employee, with its phones' state."""

    id: str = Field(alias="_id")
    name: str | None = None
    number: str | None = None
    direct: str | None = None
    primary: bool | None = None
    redirect: str | None = None
    phones: list[AppPhone] = Field(default_factory=list)


class AppCall(_Wire):
    """A current call on one of the employees' extensions (``calls=true``)."""

    id: str = Field(alias="_id")
    extension: str | None = None
    direction: str | None = None
    caller_number: str | None = Field(default=None, alias="callerNumber")
    called_number: str | None = Field(default=None, alias="calledNumber")
    start: datetime | None = None
    answered: bool | None = None
    recording: bool | None = None


class AppRecord(_Wire):
    """One record of ``/pbx/app/employees``: an employee, or a standalone extension.

    Standalone extensions (``type: EXTENSION``, with ``standalone=true``) carry
    their own number and phones instead of an ``extensions`` list.
    """

    id: str = Field(alias="_id")
    type: str = "EMPLOYEE"
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email_address: str | None = Field(default=None, alias="emailAddress")
    presence: PresenceState | None = Field(default=None, alias=PRESENCE_FIELD)
    extensions: list[AppExtension] = Field(default_factory=list)
    number: str | None = None
    redirect: str | None = None
    phones: list[AppPhone] = Field(default_factory=list)
    calls: list[AppCall] = Field(default_factory=list)

    def own_extensions(self) -> list[AppExtension]:
        """Return the extensions of this record (itself, when standalone)."""
        if self.type == "EXTENSION":
            return [
                AppExtension(
                    id=self.id,
                    name=self.name,
                    number=self.number,
                    redirect=self.redirect,
                    phones=self.phones,
                )
            ]
        return self.extensions


class EmployeeRecord(_Wire):
    """Answer of ``POST /employee/{id}``: the updated employee."""

    id: str = Field(alias="_id")
    name: str | None = None
    email_address: str | None = Field(default=None, alias="emailAddress")
    presence: PresenceState | None = Field(default=None, alias=PRESENCE_FIELD)
