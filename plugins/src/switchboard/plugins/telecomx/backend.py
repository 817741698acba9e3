"""TelecomX behind the vendor-neutral backend API.

Status comes from one bulk call, ``/pbx/app/employees?calls=true``: its
records carry presence, extensions, each phone's ``online`` and ``dnd`` state,
and the current calls, so a refresh costs one request however many extensions
there are. DND belongs to phones, not extensions: switching it sets every
phone of the extension, with an explicit state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from switchboard.core.capabilities import Capability
from switchboard.core.client import ClientBackend
from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardResponseError,
)
from switchboard.core.models import (
    AccountInfo,
    Call,
    CallDirection,
    DialResult,
    Extension,
    ExtensionStatus,
    Flow,
    ForwardCondition,
    ForwardRule,
    Presence,
    RecordingAction,
    RecordingResult,
)
from switchboard.core.transport import RetryPolicy
from switchboard.plugins.telecomx.client import TelecomXClient, check_number
from switchboard.plugins.telecomx.const import (
    BUSY_OFF_ACTION,
    DISPLAY_NAME,
    NO_ANSWER_OFF_ACTION,
    VENDOR,
)
from switchboard.plugins.telecomx.models import (
    AppExtension,
    AppPhone,
    AppRecord,
    BusyUpdate,
    CallerRouting,
    ExtensionDetail,
    NoAnswerUpdate,
    PhoneType,
    PresenceState,
    Switch,
)
from switchboard.plugins.telecomx.realtime import RealtimeFeed

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

    from switchboard.core.push import PushSignal
    from switchboard.plugins.telecomx.settings import TelecomXSettings

_TO_VENDOR_PRESENCE = {
    Presence.WORK: PresenceState.WORK,
    Presence.OFF_WORK: PresenceState.OFF_WORK,
    Presence.HOLIDAY: PresenceState.HOLIDAY,
    Presence.BUSY: PresenceState.BUSY,
}
_FROM_VENDOR_PRESENCE = {v: k for k, v in _TO_VENDOR_PRESENCE.items()}


_FORWARDS = "NUMBER"


def _forward_rules(detail: ExtensionDetail) -> tuple[ForwardRule, ...]:
    """The rules an extension forwards by: ``redirect``, and NUMBER actions."""
    rules = []
    if detail.redirect:
        rules.append(
            ForwardRule(condition=ForwardCondition.ALL, number=detail.redirect)
        )
    busy, no_answer = detail.busy, detail.no_answer
    if busy and busy.ext_action == _FORWARDS and busy.ext_number:
        rules.append(
            ForwardRule(condition=ForwardCondition.BUSY, number=busy.ext_number)
        )
    if no_answer and no_answer.ext_action == _FORWARDS and no_answer.ext_number:
        rules.append(
            ForwardRule(
                condition=ForwardCondition.NO_ANSWER,
                number=no_answer.ext_number,
                timeout_seconds=no_answer.timeout,
            )
        )
    return tuple(rules)


def _rule_fields(
    sides: CallerRouting | None, number: str | None, off: str
) -> dict[str, object]:
    """The ``busy``/``noAnswer`` fields that forward to ``number`` (``None``: stop)."""
    if number is not None:
        return {
            "extAction": _FORWARDS,
            "extNumber": number,
            "intAction": _FORWARDS,
            "intNumber": number,
        }
    # Only the sides that forward to a number go back to the default.
    return {
        field: off
        for field, action in (
            ("extAction", sides.ext_action if sides else None),
            ("intAction", sides.int_action if sides else None),
        )
        if action == _FORWARDS
    }


def _flow(switch: Switch) -> Flow:
    return Flow(
        id=switch.name, name=switch.description or switch.name, active=switch.value
    )


# ``/pbx/app/employees?calls=true`` calls carry ``direction`` IN or OUT (the same
# values as ``/pbx/cdr?direction=IN|OUT``, reference/vendor-apis.md "CDR");
# a click-to-dial (``/pbx/app/action/call``) is OUT.
DIRECTIONS: dict[str, CallDirection] = {
    "IN": CallDirection.INCOMING,
    "OUT": CallDirection.OUTGOING,
}


class TelecomXBackend(ClientBackend[TelecomXClient]):
    """TelecomX (Denmark): per-phone DND, presence, switches, on-demand recording.

    Args:
        settings: Validated connection settings.
        http_client: A client to borrow (Home Assistant's); never closed here.
        retry: Overrides the retry policy built from ``settings.max_retries``.
    """

    vendor = VENDOR
    display_name = DISPLAY_NAME
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.STATUS,
            Capability.DND,
            Capability.PRESENCE,
            Capability.FORWARD,
            Capability.DIAL,
            Capability.RECORDING,
            Capability.FLOWS,
            Capability.LIVE_CALLS,
            Capability.FORWARD_RULES,
            Capability.PUSH,
        }
    )
    # 001_d475557f66c1db1c.txt has noAnswer and busy handling; nothing for an
    # unreachable phone.
    forward_conditions: ClassVar[frozenset[ForwardCondition]] = frozenset(
        {ForwardCondition.BUSY, ForwardCondition.NO_ANSWER}
    )
    unsupported_reasons: ClassVar[dict[Capability, str]] = {
        Capability.DND_TIMED: (
            "TelecomX cannot switch do-not-disturb off by itself after a while: "
            "switch it off again when you are done."
        ),
        Capability.RECORDING_PAUSE: (
            "TelecomX can start and stop recording a call, but cannot pause it."
        ),
        Capability.OFFICE_HOURS: (
            "Office hours are read-only for TelecomX: its API has no call to change "
            "a time router, so change them in the TelecomX portal."
        ),
    }

    def __init__(
        self,
        settings: TelecomXSettings,
        http_client: httpx.AsyncClient | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        self.client = TelecomXClient(
            settings.url,
            api_token=settings.api_token,
            username=settings.username,
            password=settings.password,
            timeout=settings.timeout,
            retry=retry or RetryPolicy(max_retries=settings.max_retries),
            http_client=http_client,
        )
        # The phones each extension had when we last looked. DND is switched
        # often, and the write must be the first request of the action (a
        # failing write is never retried), so the phone list comes from here;
        # the read-back after the writes catches phones added since.
        self._phones: dict[str, list[AppPhone]] = {}
        self._customer: str | None = None

    def __repr__(self) -> str:
        return f"TelecomXBackend({self.client!r})"

    async def push_signals(self) -> AsyncIterator[PushSignal]:
        """Follow the realtime feed of our customer (switchboard.plugins.telecomx.realtime)."""
        feed = RealtimeFeed(
            self._settings.url,
            self.client.auth,
            self._customer_id,
            http_session=self.web_session,
        )
        async for signal in feed.signals():
            yield signal

    async def _customer_id(self) -> str:
        """The configured customer, else the token's own (``GET /pbx/settings``)."""
        if self._customer is None:
            configured = self._settings.customer_id
            self._customer = configured or (await self.client.get_settings()).id
        return self._customer

    async def account_info(self) -> AccountInfo:
        """Read the PBX settings (one small request): the customer id is the unique id."""
        settings = await self.client.get_settings(self._settings.customer_id)
        name = f"{DISPLAY_NAME} {settings.default_number or settings.id}"
        return AccountInfo(vendor=VENDOR, unique_id=settings.id, name=name)

    # -- status ------------------------------------------------------------------

    async def _snapshot(self, *, calls: bool) -> list[AppRecord]:
        records = await self.client.list_employees(calls=calls, standalone=True)
        for record in records:
            for ext in record.own_extensions():
                self._phones[ext.id] = ext.phones
        return records

    @staticmethod
    def _extension(record: AppRecord, ext: AppExtension) -> Extension:
        return Extension(
            id=ext.id,
            number=ext.number or "",
            name=ext.name or record.name or "",
            email=record.email_address if record.type != "EXTENSION" else None,
        )

    def _status(
        self, record: AppRecord, ext: AppExtension, talking: set[str] | None
    ) -> ExtensionStatus:
        total = len(ext.phones)
        dnd_on = sum(1 for phone in ext.phones if phone.dnd)
        presence = (
            _FROM_VENDOR_PRESENCE.get(record.presence) if record.presence else None
        )
        return ExtensionStatus(
            extension=self._extension(record, ext),
            registered=any(phone.online for phone in ext.phones),
            on_call=None if talking is None else ext.id in talking,
            dnd=(dnd_on == total) if total else None,
            dnd_phones_on=dnd_on,
            dnd_phones_total=total,
            presence=presence,
            forward_to=ext.redirect or None,
        )

    async def list_extensions(self) -> list[Extension]:
        """Return every extension: employees' and standalone ones."""
        records = await self._snapshot(calls=False)
        return [
            self._extension(record, ext)
            for record in records
            for ext in record.own_extensions()
        ]

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Return statuses from one ``/pbx/app/employees?calls=true`` request.

        For exactly one extension its busy / no-answer forwarding rules are read
        too (one more request: they are not in the bulk answer).
        """
        statuses = await self._bulk_statuses(extension_ids)
        if extension_ids is not None and len(statuses) == 1:
            detail = await self.client.get_extension(statuses[0].extension.id)
            rules = _forward_rules(detail)
            statuses = [statuses[0].model_copy(update={"forward_rules": rules})]
        return statuses

    async def _after_write(self, extension_id: str) -> ExtensionStatus:
        """The status an action answers with: the bulk read only (one request)."""
        statuses = await self._bulk_statuses([extension_id])
        if not statuses:
            msg = f"Extension {extension_id} does not exist on this {DISPLAY_NAME}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        return statuses[0]

    async def _bulk_statuses(
        self, extension_ids: list[str] | None
    ) -> list[ExtensionStatus]:
        talking: set[str] | None
        try:
            records = await self._snapshot(calls=True)
        except SwitchboardPermissionError:
            # calls=true needs the group permission viewOtherParty; without it
            # everything else still reads, and on-call is unknown.
            records = await self._snapshot(calls=False)
            talking = None
        else:
            talking = {
                call.extension
                for record in records
                for call in record.calls
                if call.extension
            }
        wanted = set(extension_ids) if extension_ids is not None else None
        return [
            self._status(record, ext, talking)
            for record in records
            for ext in record.own_extensions()
            if wanted is None or ext.id in wanted
        ]

    # -- DND -----------------------------------------------------------------------

    async def _read_phones(self, extension_id: str) -> list[AppPhone]:
        detail = await self.client.get_extension(extension_id, include_phones=True)
        phones = [
            AppPhone(id=p.id, type=p.type, online=p.online, dnd=p.dnd)
            for p in detail.phones or []
        ]
        self._phones[extension_id] = phones
        return phones

    async def _write_dnd(
        self, extension_id: str, phones: list[AppPhone], *, enabled: bool
    ) -> None:
        done: set[str] = set()
        refreshed = False
        pending = list(phones)
        while pending:
            phone = pending.pop(0)
            if phone.type is PhoneType.UNKNOWN or phone.id in done:
                continue
            try:
                await self.client.set_phone_dnd(
                    extension_id, phone.type, phone.id, state=enabled
                )
            except SwitchboardNotFoundError:
                # Our phone list is stale (a phone was removed): the PBX changed
                # nothing, so read the current phones and carry on once.
                if refreshed:
                    raise
                refreshed = True
                pending = await self._read_phones(extension_id)
                continue
            done.add(phone.id)

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Switch DND on every phone of the extension (explicit state, never a toggle)."""
        phones = self._phones.get(extension_id) or await self._read_phones(extension_id)
        if not phones:
            msg = f"Extension {extension_id} has no phones, so {DISPLAY_NAME} has no DND to switch."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        await self._write_dnd(extension_id, phones, enabled=enabled)
        status = await self._after_write(extension_id)
        # The read-back refreshed the phone list: a phone added since our last
        # look still has the old state, so switch it too.
        missed = [
            p for p in self._phones.get(extension_id, []) if bool(p.dnd) != enabled
        ]
        if missed:
            await self._write_dnd(extension_id, missed, enabled=enabled)
            status = await self._after_write(extension_id)
        return status

    # -- presence, forwarding ----------------------------------------------------

    async def set_presence(
        self, extension_id: str, presence: Presence
    ) -> ExtensionStatus:
        """Set the presence of the employee who owns the extension."""
        detail = await self.client.get_extension(extension_id)
        if detail.employee is None:
            msg = (
                f"Extension {detail.number or extension_id} is not linked to an "
                f"employee; {DISPLAY_NAME} keeps presence per employee."
            )
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        await self.client.set_employee_presence(
            detail.employee, _TO_VENDOR_PRESENCE[presence]
        )
        return await self._after_write(extension_id)

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Forward all calls (the extension's ``redirect``), or stop forwarding."""
        await self.client.set_redirect(extension_id, number)
        return await self._after_write(extension_id)

    async def set_forward_rule(
        self,
        extension_id: str,
        condition: ForwardCondition,
        number: str | None,
        *,
        timeout_seconds: int | None = None,
    ) -> ExtensionStatus:
        """Forward on busy or no answer (``POST /pbx/extension/{id}``).

        External and local callers both go to ``number`` (``extAction`` and
        ``intAction`` NUMBER); direct-to-mobile handling is left alone. Off
        restores the documented default only where we forwarded to a number.
        """
        self.check_forward_condition(condition)
        if condition is ForwardCondition.ALL:
            return await self.set_forward(extension_id, number)
        busy = condition is ForwardCondition.BUSY
        if busy and timeout_seconds is not None:
            msg = "Only 'forward noanswer' takes a ring time."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        if number is not None:
            number = check_number(number, "forwarding number")
        current = await self.client.get_extension(extension_id)
        if busy:
            fields = _rule_fields(current.busy, number, BUSY_OFF_ACTION)
        else:
            fields = _rule_fields(current.no_answer, number, NO_ANSWER_OFF_ACTION)
            if timeout_seconds is not None:
                fields["timeout"] = timeout_seconds
        updated = current
        if busy and fields:
            updated = await self.client.update_extension(
                extension_id, busy=BusyUpdate.model_validate(fields)
            )
        elif fields:
            updated = await self.client.update_extension(
                extension_id, no_answer=NoAnswerUpdate.model_validate(fields)
            )
        status = await self._after_write(extension_id)
        return status.model_copy(update={"forward_rules": _forward_rules(updated)})

    # -- calls ---------------------------------------------------------------------

    async def dial(self, extension_id: str, destination: str) -> DialResult:
        """Ring the extension's first SIP phone, then call ``destination``."""
        phones = await self._read_phones(extension_id)
        device = next((p for p in phones if p.type is PhoneType.SIP), None)
        if device is None:
            msg = (
                f"Extension {extension_id} has no SIP phone; {DISPLAY_NAME} "
                "click-to-dial rings a desk or soft phone first."
            )
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        result = await self.client.call(device.id, destination)
        if not result.success:
            msg = f"{DISPLAY_NAME} did not accept the call."
            raise SwitchboardResponseError(msg, vendor=VENDOR)
        return DialResult(call_id=result.id, message=f"Calling {destination}.")

    async def record(
        self, extension_id: str, action: RecordingAction
    ) -> RecordingResult:
        """Start or stop recording the extension's ongoing call (no pause)."""
        self.check_recording_action(action)
        start = action is RecordingAction.START
        try:
            result = await self.client.set_ondemand_recording(
                extension_id, enabled=start
            )
        except SwitchboardInvalidInputError as err:
            # 409 calls: stopping a call that is not recorded. The state the
            # user asked for holds already; say so instead of failing.
            if start or err.status_code != 409:
                raise
            return RecordingResult(
                action=action,
                affected_calls=0,
                message="The call was not being recorded.",
            )
        if not result.success:
            msg = f"{DISPLAY_NAME} did not change the recording."
            raise SwitchboardResponseError(msg, vendor=VENDOR)
        return RecordingResult(
            action=action,
            affected_calls=1,
            message="Recording started." if start else "Recording stopped.",
        )

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress on every extension (one request)."""
        records = await self._snapshot(calls=True)
        seen: dict[str, Call] = {}
        for record in records:
            for call in record.calls:
                seen.setdefault(
                    call.id,
                    Call(
                        id=call.id,
                        from_number=call.caller_number or "",
                        to_number=call.called_number or "",
                        extension_id=call.extension,
                        started=call.start,
                        answered=call.answered,
                        direction=DIRECTIONS.get((call.direction or "").upper()),
                    ),
                )
        return list(seen.values())

    # -- flows (switches) ----------------------------------------------------------

    async def list_flows(self) -> list[Flow]:
        """Return every switch as a flow."""
        switches = await self.client.list_switches(self._settings.customer_id)
        return [_flow(switch) for switch in switches]

    async def set_flow(self, flow_id: str, *, active: bool) -> Flow:
        """Set a switch on or off; never retried."""
        # The customer the switches were listed for (resellers), not our own.
        switch = await self.client.set_switch(
            flow_id, value=active, customer_id=self._settings.customer_id
        )
        return _flow(switch)
