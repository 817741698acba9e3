"""Telphin (Ringme) wire models, with the vendor's field names.

Quirks are normalised here, nowhere else: ``*_gmt`` / ``*_dt`` strings in the
form ``YYYY-MM-DD HH:MM:SS`` become UTC datetimes, empty strings become
``None``, ``record_stereo``'s documented ``'yes'``/``'no'`` become booleans and
extension names ``<client prefix>*<extension>`` yield the short number.
Unknown fields are ignored, so a new server field never breaks the client; the
SIP ``password`` some servers include in the phone settings is dropped that way
and never stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
)

_GMT_FORMAT = "%Y-%m-%d %H:%M:%S"


def _parse_gmt(value: Any) -> Any:
    """Read ``YYYY-MM-DD HH:MM:SS`` as UTC (the fields are named ``*_gmt``)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.strptime(value, _GMT_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return value  # let pydantic try ISO 8601 and report a clean error
    return value


def _empty_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _yes_no(value: Any) -> Any:
    """Accept the documented ``'yes'``/``'no'`` besides JSON booleans."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"yes", "true"}:
            return True
        if lowered in {"no", "false"}:
            return False
        if not lowered or lowered == "none":
            return None
    return value


GmtDateTime = Annotated[datetime | None, BeforeValidator(_parse_gmt)]
OptionalText = Annotated[str | None, BeforeValidator(_empty_to_none)]
YesNo = Annotated[bool | None, BeforeValidator(_yes_no)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class TokenResponse(_Wire):
    """The answer of ``POST /oauth/token``.

    Attributes:
        access_token: The bearer token (a secret: hidden in reprs).
        token_type: Always ``Bearer`` in practice.
        expires_in: Lifetime in seconds; missing in some answers.
    """

    access_token: SecretStr
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: float | None = None

    @field_validator("access_token")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            msg = "must not be empty"
            raise ValueError(msg)
        return value

    @field_validator("expires_in", mode="before")
    @classmethod
    def _positive_or_none(cls, value: Any) -> Any:
        # A zero, negative or empty lifetime is as good as a missing one.
        if value in (None, ""):
            return None
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            return value
        return seconds if seconds > 0 else None


class ClientInfo(_Wire):
    """The client (the PBX account) the token belongs to.

    Attributes:
        id: Unique client id.
        name: The client's name (its extension prefix on most accounts).
        label: A display name, when the account has one.
    """

    id: int
    name: OptionalText = None
    label: OptionalText = None


class Extension(_Wire):
    """An extension from ``GET /client/{id}/extension/``.

    Attributes:
        id: Unique extension id (numeric).
        name: ``<client prefix>*<extension>``.
        type: ``phone``, ``queue``, ``ivr`` or ``fax``.
        status: ``active`` or ``blocked``.
        label: Display name shown on called phones.
    """

    id: int
    name: str
    type: str = "phone"
    status: str = "active"
    label: OptionalText = None

    @property
    def number(self) -> str:
        """The short extension number: the part after ``*``."""
        return self.name.rpartition("*")[2] or self.name


class Registration(_Wire):
    """One SIP registration of a phone terminal.

    Attributes:
        registration_id: Unique registration id.
        device: The device's user agent.
        contact_address: Address the device registered with.
        real_address: Address the registration really came from.
        expires: When the registration runs out.
    """

    registration_id: OptionalText = None
    device: OptionalText = None
    contact_address: OptionalText = None
    real_address: OptionalText = None
    expires: int | None = None


class RegInfo(_Wire):
    """Registration state of one extension (``GET /extension/registration/``).

    Attributes:
        extension_id: The extension.
        registered: True when there is an active registration.
        registrations: Active registrations, or the last expired ones.
    """

    extension_id: int
    registered: bool
    registrations: list[Registration] = Field(default_factory=list)


class CallStatus(_Wire):
    """An extension call status (``/client/{id}/extension/call_status/``).

    Attributes:
        id: Unique status id, assigned through the phone's ``call_status_id``.
        name: Status name, e.g. ``Do not disturb``.
        property_list: Which calls the status allows (``all``, ``li``, ``ro``...).
        create_dt: When the status was created (UTC).
    """

    id: int
    name: str
    property_list: list[str] = Field(default_factory=list)
    create_dt: GmtDateTime = None


class BundleMember(_Wire):
    """One extension of a bundle.

    Attributes:
        active: Whether the additional extension is active in the bundle.
    """

    active: bool = False


class Bundle(_Wire):
    """Several extensions of one employee whose settings are kept in sync.

    Attributes:
        bundle_list: Members by extension id.
        bundle_id: The main extension of the bundle.
    """

    bundle_list: dict[str, BundleMember] = Field(default_factory=dict)
    bundle_id: int | None = None


class PhoneProperties(_Wire):
    """Phone terminal properties (``GET|PUT /extension/{id}/phone/``), every seed field.

    On a PUT only the fields that were set are sent (``model_dump(exclude_unset=True)``),
    so ``PhoneProperties(external_number=None)`` switches forwarding off and
    leaves everything else alone.

    Attributes:
        label: Display name of the extension on called phones.
        announce_sound_upon_outgoing_call: Sound file played on outgoing calls.
        announce_sound_upon_incoming_call: Sound file played on answering.
        append_to_cid_name_on_transfer: Text appended to the caller name on transfer.
        auth_type: SIP authentication type (``digest``, ``network``, ``both``).
        call_screening_enabled: Callee confirms incoming calls with 1.
        conference_announce_caller_name: Announce names joining the local conference.
        conference_end_on_exit: The local conference ends when its creator leaves.
        conference_pin: PIN of the local conference (hidden in reprs).
        external_number: Where the SIP server sends calls (simple forwarding).
        geo_list: Countries the SIP account may be used from.
        hangup_timeout: Seconds an incoming call rings before it counts as unanswered.
        hold_music: Sound file played to the other side on hold.
        ignore_early_media: Ignore early media when calling the extension.
        incoming_limit: Concurrent incoming calls (0 = unlimited).
        network_permission_group_id: Trusted networks for network authentication.
        preserve_caller_id_number_att_tr: Pass the caller's number on attended transfer.
        record_enabled: Record calls of this extension (future calls only).
        record_format: ``mp3``, ``wav`` or ``None`` (the client's setting).
        record_stereo: Record in stereo; ``None`` uses the client's setting.
        record_transfer: Keep recording transferred calls.
        record_on_transfer: Record the other side instead.
        ringback_sound: Sound played instead of ringing.
        static_reg_address: Fixed registration address ``host:port``.
        transfer_caller_id_number: Fixed caller number on internal forwards.
        vm_attach_file: Attach voicemail audio to the notification.
        vm_enabled: Voicemail on.
        vm_greeting: Voicemail greeting sound file.
        vm_mailto: Voicemail notification addresses.
        intercom: Auto-answer delay in seconds; ``None`` disables it.
        bundle: The bundle this extension belongs to.
        replace_pin: Substitution secret code (hidden in reprs).
        call_status_id: The extension's call status.
        call_status_set_dt: When the call status was last set (UTC).
        transfer_after_call_end_to: Number the call goes to after the conversation.
    """

    label: OptionalText = None
    announce_sound_upon_outgoing_call: int | None = None
    announce_sound_upon_incoming_call: int | None = None
    append_to_cid_name_on_transfer: OptionalText = None
    auth_type: OptionalText = None
    call_screening_enabled: bool | None = None
    conference_announce_caller_name: bool | None = None
    conference_end_on_exit: bool | None = None
    conference_pin: OptionalText = Field(default=None, repr=False)
    external_number: OptionalText = None
    geo_list: OptionalText = None
    hangup_timeout: int | None = None
    hold_music: int | None = None
    ignore_early_media: bool | None = None
    incoming_limit: int | None = None
    network_permission_group_id: int | None = None
    preserve_caller_id_number_att_tr: bool | None = None
    record_enabled: bool | None = None
    record_format: OptionalText = None
    record_stereo: YesNo = None
    record_transfer: bool | None = None
    record_on_transfer: bool | None = None
    ringback_sound: int | None = None
    static_reg_address: OptionalText = None
    transfer_caller_id_number: OptionalText = None
    vm_attach_file: bool | None = None
    vm_enabled: bool | None = None
    vm_greeting: int | None = None
    vm_mailto: OptionalText = None
    intercom: int | None = None
    bundle: Bundle | None = None
    replace_pin: OptionalText = Field(default=None, repr=False)
    call_status_id: int | None = None
    call_status_set_dt: GmtDateTime = None
    transfer_after_call_end_to: OptionalText = None

    def changes(self) -> dict[str, Any]:
        """Return the fields that were set explicitly, as JSON for a PUT."""
        data = self.model_dump(mode="json", exclude_unset=True)
        # The server sets this one itself when call_status_id changes.
        data.pop("call_status_set_dt", None)
        return data


class CurrentCall(_Wire):
    """A call in progress (``GET /client/{id}/current_calls/``).

    Attributes:
        call_api_id: Identifier for controlling the call.
        call_flow: ``in`` or ``out``.
        extension_id: The extension the call belongs to.
        caller_id_number: Caller number.
        caller_id_name: Caller name.
        called_number: Dialled number.
        called_did: External number that was called.
        init_time_gmt: When the call started (UTC).
        answer_time_gmt: When it was answered; ``None`` while ringing.
        real_call: False when the call is assigned to the extension but not
            talking on it (e.g. forwarded to a mobile).
        record_uuid: Recording identifier.
        callback_id: The click-to-dial request that created the call.
    """

    call_api_id: str
    call_flow: OptionalText = None
    extension_id: int | None = None
    caller_id_number: OptionalText = None
    caller_id_name: OptionalText = None
    called_number: OptionalText = None
    called_did: OptionalText = None
    init_time_gmt: GmtDateTime = None
    answer_time_gmt: GmtDateTime = None
    real_call: bool | None = None
    record_uuid: OptionalText = None
    callback_id: OptionalText = None


class CallbackRequest(_Wire):
    """Body of ``POST /extension/{id}/callback/`` (click-to-dial).

    Attributes:
        src_num: Numbers called first (the extension's own phone).
        dst_num: The destination, called once the source answers.
        caller_id_name: Caller name shown to the destination.
        caller_id_number: Caller number shown to the destination.
        call_duration: Maximum call length in seconds.
        wait_for_pickup: Seconds to wait for the source to answer.
        allow_public_transfer: Allow transfers to external numbers.
    """

    src_num: list[str] = Field(min_length=1)
    dst_num: str = Field(min_length=1)
    caller_id_name: str | None = None
    caller_id_number: str | None = None
    call_duration: int | None = Field(default=None, gt=0)
    wait_for_pickup: int | None = Field(default=None, gt=0)
    allow_public_transfer: bool | None = None


class CallbackResult(_Wire):
    """The answer (201) of a click-to-dial request.

    Attributes:
        call_api_id: Identifier for controlling the new call.
        call_id: The call's id.
    """

    call_api_id: str
    call_id: OptionalText = None


class ErrorBody(_Wire):
    """An error answer: ``{"message": ..., "status": ...}``, every field optional.

    Attributes:
        message: Human-readable reason.
        status: Machine-readable reason, e.g. ``rate_limit_exceeded``.
        error: The OAuth2 error code on ``/oauth/token`` (``invalid_client``).
    """

    message: OptionalText = None
    status: OptionalText = None
    error: OptionalText = None


class PhoneEventRegistration(_Wire):
    """A webhook registered for every phone extension of the PBX (client-wide).

    ``POST /client/{client_id}/phone_events/`` answers ``{url, method,
    event_type, id}`` (Telphin page "Global events of all telephone terminals in
    PBX", https://ucom4b.atlassian.net/wiki/spaces/RACD/pages/247824385; vendor
    reference "Webhooks (client-wide)"); ``GET`` lists such rows.

    Attributes:
        id: The registration, to remove it.
        url: Where the PBX calls.
        method: ``GET`` or ``POST``.
        event_type: ``dial-in``, ``answer``… or ``extension-call-status``.
    """

    id: int
    url: str
    method: str = "POST"
    event_type: str


class CallStatusChange(_Wire):
    """The form fields of an ``extension-call-status`` callback.

    Per page 247824385: ``old_status_id``, ``new_status_id``, ``extension_id``,
    ``change_dt``, ``event_type`` (always ``call-status-change``), ``client_id``,
    ``extension_name``; all arrive as form text. Only the extension is read: the
    change itself is re-read from the phone (switchboard.core.push).

    Attributes:
        extension_id: The extension whose call status changed.
        event_type: ``call-status-change``.
    """

    extension_id: int
    event_type: str
