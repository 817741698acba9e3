"""PBXware behind the vendor-neutral backend API.

Status costs two requests whatever the extension count: ``ext.list`` for the
extensions and one ``monitor.list`` (the bulk call) for registration, DND and
on-call. DND and forwarding are switched through their configuration
(``edit``), never through the service's accessibility (``set``: see
:mod:`~switchboard.plugins.pbxware.enhanced_services`). Writes a person asked
for (DND, forwarding, office hours, recording) are sent once and never
retried: the person sees the failure and decides.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import urlsplit

from switchboard.core.call_events import attribute_call
from switchboard.core.capabilities import Capability
from switchboard.core.client import ClientBackend
from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
)
from switchboard.core.models import (
    AccountInfo,
    Call,
    Extension,
    ExtensionFeature,
    ExtensionStatus,
    FeatureSpec,
    ForwardCondition,
    ForwardRule,
    OfficeHours,
    OfficeHoursState,
    RecordingAction,
    RecordingResult,
)
from switchboard.core.redaction import get_logger
from switchboard.plugins.pbxware.client import PbxwareClient, pick_operation_times
from switchboard.plugins.pbxware.const import (
    CDR_ANSWERED,
    CLICK_TO_DIAL_SUPPORTED,
    DEFAULT_SERVER,
    DISPLAY_NAME,
    EVENTS_SUPPORTED,
    OTIMES_LOOKUP_FIELD,
    RECORDING_DOWNLOAD_SUPPORTED,
    VENDOR,
)
from switchboard.plugins.pbxware.enhanced_services import (
    FEATURE_SPECS,
    EnhancedServices,
)
from switchboard.plugins.pbxware.forwarding import (
    FORWARD_CONDITIONS,
    rules_of,
    with_rule,
)
from switchboard.plugins.pbxware.models import (
    DndMode,
    EsService,
    EsState,
    ExtensionEntry,
    MonitorEntry,
    OperationTimes,
    OtimesTarget,
    RegistrationStatus,
    name_of,
    number_of,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    import httpx

    from switchboard.plugins.pbxware.models import (
        DidEntry,
        DndConfiguration,
        RecordingResponse,
    )
    from switchboard.plugins.pbxware.settings import PbxwareSettings

_LOGGER = get_logger(__name__)
# Operation Times reads in flight at once: one request per destination, and a
# tenant can have hundreds of DIDs.
_OTIMES_CONCURRENCY = 8
_SECONDS_PER_HOUR = 3600
# What a forwarding target may look like once spaces and dashes are gone.
_FORWARD_NUMBER = re.compile(r"^\+?[0-9*#]{1,32}$")
_FORWARD_SEPARATORS = re.compile(r"[\s\-.()/]")

_TARGET_LABELS: dict[OtimesTarget, str] = {
    OtimesTarget.DID: "DID",
    OtimesTarget.IVR: "IVR",
    OtimesTarget.DIAL_GROUP: "Dial group",
    OtimesTarget.SERVERS: "Tenant",
    OtimesTarget.ROUTES: "Route",
    OtimesTarget.QUEUES: "Queue",
    OtimesTarget.ERG: "Enhanced ring group",
}

_UNSUPPORTED_REASONS: dict[Capability, str] = {
    Capability.PRESENCE: (
        "PBXware has no presence in its HTTP API; use do-not-disturb instead."
    ),
    Capability.FLOWS: (
        "PBXware has no day/night flows; use office hours (Operation Times) instead."
    ),
}
if not CLICK_TO_DIAL_SUPPORTED:
    _UNSUPPORTED_REASONS[Capability.DIAL] = (
        "PBXware has no click-to-dial in its HTTP API."
    )


@dataclass(frozen=True)
class _Destination:
    """One destination with Operation Times, as the backend addresses it."""

    target: OtimesTarget
    key: str
    """The value of the target's lookup field (OTIMES_LOOKUP_FIELD)."""
    hours_id: str
    """``OfficeHours.id``: ``did:<DID id>``, else ``<kind>:<key>``."""
    name: str
    dest_id: str | None
    """The entry to pick from the answer, when the id is known."""
    configured: bool = False
    """From the ``office_hours`` setting (not found via did.list)."""


_A = TypeVar("_A")
_B = TypeVar("_B")


async def _pair(first: Awaitable[_A], second: Awaitable[_B]) -> tuple[_A, _B]:
    a, b = await gather_or_cancel(first, second)
    return a, b


def _with_details(
    status: ExtensionStatus, dnd: DndConfiguration, rules: tuple[ForwardRule, ...]
) -> ExtensionStatus:
    """Add DND from its configuration and the forwarding rules (one extension)."""
    forward_to = next(
        (r.number for r in rules if r.condition is ForwardCondition.ALL), None
    )
    return status.model_copy(
        update={
            "dnd": dnd.dnd is not DndMode.NOT_ACTIVE,
            "forward_to": forward_to,
            "forward_rules": rules,
        }
    )


class PbxwareBackend(ClientBackend[PbxwareClient]):
    """A PBXware tenant as a Switchboard backend.

    Args:
        settings: Validated connection settings.
        http_client: An ``httpx.AsyncClient`` to borrow (Home Assistant's).
    """

    vendor: ClassVar[str] = VENDOR
    display_name: ClassVar[str] = DISPLAY_NAME
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.STATUS,
            Capability.DND,
            Capability.DND_TIMED,
            Capability.FORWARD,
            Capability.RECORDING,
            Capability.RECORDING_PAUSE,
            Capability.OFFICE_HOURS,
            Capability.LIVE_CALLS,
            Capability.FORWARD_RULES,
            Capability.EXTENSION_FEATURES,
            Capability.CALL_HISTORY,
        }
    )
    forward_conditions: ClassVar[frozenset[ForwardCondition]] = frozenset(
        FORWARD_CONDITIONS
    ) - {ForwardCondition.ALL}
    feature_specs: ClassVar[tuple[FeatureSpec, ...]] = FEATURE_SPECS
    unsupported_reasons: ClassVar[dict[Capability, str]] = _UNSUPPORTED_REASONS
    pushes_events: ClassVar[bool] = EVENTS_SUPPORTED
    """False: status is polled from ``monitor.list``."""
    downloads_recordings: ClassVar[bool] = RECORDING_DOWNLOAD_SUPPORTED
    """False: CDR rows only carry a recording path."""

    def __init__(
        self, settings: PbxwareSettings, http_client: httpx.AsyncClient | None = None
    ) -> None:
        self._settings = settings
        self._server = settings.server
        self._warned: set[str] = set()
        """``office_hours`` entries already reported as having no Operation Times."""
        self.client = PbxwareClient(
            settings.url,
            settings.api_key.get_secret_value(),
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            http_client=http_client,
        )
        self._services = EnhancedServices(self.client, self._server)

    def __repr__(self) -> str:
        return f"PbxwareBackend(client={self.client!r}, server={self._server!r})"

    async def account_info(self) -> AccountInfo:
        """Check the key with a cheap call; the id is the host plus the tenant."""
        await self.client.get_extensions_online(server=self._server)
        host = (urlsplit(self._settings.url).hostname or "").lower()
        tenant = "" if self._server == DEFAULT_SERVER else f" tenant {self._server}"
        return AccountInfo(
            vendor=VENDOR,
            unique_id=f"{host}#{self._server}",
            name=f"{DISPLAY_NAME} {host}{tenant}",
            # The API has no system id (seed 003): the tenant number is per host.
            address=host,
        )

    # -- status --------------------------------------------------------------------

    @staticmethod
    def _extension(entry: ExtensionEntry) -> Extension:
        return Extension(
            id=entry.id, number=entry.ext, name=entry.name, email=entry.email or None
        )

    async def list_extensions(self) -> list[Extension]:
        """Return every extension of the tenant (``ext.list``)."""
        entries = await self.client.list_extensions(server=self._server)
        return [self._extension(e) for e in entries]

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Return statuses from ``ext.list`` plus one ``monitor.list``.

        Forwarding has no bulk read, so for exactly one extension DND is read
        from ``ext.es.dnd.configuration`` and the forwarding rules from
        ``ext.es.callfwd.get/configuration`` (three more requests).
        """
        with_forward = extension_ids is not None and len(extension_ids) == 1
        return await self._statuses(extension_ids, with_forward=with_forward)

    async def _statuses(
        self, extension_ids: list[str] | None, *, with_forward: bool
    ) -> list[ExtensionStatus]:
        # The one extension's details do not depend on the lists: every read goes
        # out at once, so `status EXT` costs one round trip (5 requests), not two.
        detail_of = extension_ids[0] if with_forward and extension_ids else None
        (entries, monitor), details = await _pair(
            self._lists(), self._details(detail_of)
        )
        by_id = {m.id: m for m in monitor}
        by_number = {m.ext: m for m in monitor if m.ext}
        wanted = None if extension_ids is None else set(extension_ids)
        statuses = []
        for entry in entries:
            if wanted is not None and entry.id not in wanted:
                continue
            # monitor.list is keyed by extension id; the number is the fallback.
            live = by_id.get(entry.id) or by_number.get(entry.ext)
            status = self._status(entry, live)
            if details is not None and entry.id == detail_of:
                status = _with_details(status, *details)
            statuses.append(status)
        return statuses

    def _status(
        self, entry: ExtensionEntry, live: MonitorEntry | None
    ) -> ExtensionStatus:
        if live is None:
            return ExtensionStatus(extension=self._extension(entry))
        registered = {
            RegistrationStatus.ONLINE: True,
            RegistrationStatus.OFFLINE: False,
        }.get(live.status)
        return ExtensionStatus(
            extension=self._extension(entry),
            registered=registered,
            on_call=live.on_call,
            dnd=live.dnd,
        )

    async def _lists(self) -> tuple[list[ExtensionEntry], list[MonitorEntry]]:
        """``ext.list`` and ``monitor.list``, side by side.

        A coroutine of its own, so its requests are created only when it runs: a
        sibling that fails first cancels it before any of them exists.
        """
        return await _pair(
            self.client.list_extensions(server=self._server),
            self.client.list_monitor(server=self._server),
        )

    async def _details(
        self, extension_id: str | None
    ) -> tuple[DndConfiguration, tuple[ForwardRule, ...]] | None:
        """DND's configuration and the forwarding rules of one extension.

        None when not asked for, or when the extension does not exist: the list
        read beside it decides that, and says so in its own words.
        """
        if extension_id is None:
            return None
        try:
            return await _pair(
                self.client.get_dnd_configuration(extension_id, server=self._server),
                self._forward_rules(extension_id),
            )
        except SwitchboardNotFoundError:
            return None

    async def _one_status(
        self, extension_id: str, *, with_forward: bool
    ) -> ExtensionStatus:
        statuses = await self._statuses([extension_id], with_forward=with_forward)
        if not statuses:
            msg = f"Extension {extension_id} does not exist on this {DISPLAY_NAME}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        return statuses[0]

    # -- DND -----------------------------------------------------------------------

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Switch DND Permanent or Not Active (``ext.es.dnd.edit&dnd=2|0``)."""
        mode = DndMode.PERMANENT if enabled else DndMode.NOT_ACTIVE
        await self._edit_dnd(extension_id, mode, None)
        return await self._one_status(extension_id, with_forward=True)

    async def set_dnd_for(
        self, extension_id: str, duration: timedelta
    ) -> ExtensionStatus:
        """Switch temporary DND on for whole hours (``ext.es.dnd.edit&dnd=1``)."""
        seconds = duration.total_seconds()
        if seconds < _SECONDS_PER_HOUR or seconds % _SECONDS_PER_HOUR:
            msg = "PBXware times do-not-disturb in whole hours: choose 1h, 2h, 3h..."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        hours = int(seconds // _SECONDS_PER_HOUR)
        await self._edit_dnd(extension_id, DndMode.TEMPORARY, hours)
        return await self._one_status(extension_id, with_forward=True)

    async def _edit_dnd(
        self, extension_id: str, mode: DndMode, hours: int | None
    ) -> None:
        # Seed 003, "Do Not Disturb -> edit": dnd 0/1/2 is DND's on/off; dst and
        # dsttype (where callers go) are re-sent as read, so they are kept.
        await self._services.require_available(extension_id, EsService.DND)
        config = await self.client.get_dnd_configuration(
            extension_id, server=self._server
        )
        await self.client.edit_dnd_configuration(
            extension_id,
            server=self._server,
            mode=mode,
            duration_hours=hours,
            dst=config.dst,
            dsttype=config.dsttype or None,
            retry=False,
        )

    # -- forwarding ----------------------------------------------------------------

    async def _forward_rules(self, extension_id: str) -> tuple[ForwardRule, ...]:
        """The enabled rules of ``ext.es.callfwd.configuration``.

        Nothing is forwarded while the service is Unavailable, so no rule is
        reported then.
        """
        state, config = await _pair(
            self.client.get_es_state(
                extension_id, EsService.CALLFWD, server=self._server
            ),
            self.client.get_call_forward_configuration(
                extension_id, server=self._server
            ),
        )
        return () if state is EsState.NO else rules_of(config)

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Forward all calls (unconditional forwarding), keeping the other rules."""
        return await self.set_forward_rule(extension_id, ForwardCondition.ALL, number)

    async def set_forward_rule(
        self,
        extension_id: str,
        condition: ForwardCondition,
        number: str | None,
        *,
        timeout_seconds: int | None = None,
    ) -> ExtensionStatus:
        """Switch one forwarding condition with ``ext.es.callfwd.edit``.

        The whole configuration is read and re-sent (seed 003, "Call Forwarding
        -> edit") with only this condition changed (:func:`with_rule`).
        """
        self.check_forward_condition(condition)
        target = None if number is None else _FORWARD_SEPARATORS.sub("", number)
        if target is not None and not _FORWARD_NUMBER.match(target):
            msg = "Forward to a phone number: digits, optionally starting with +."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        if timeout_seconds is not None and condition is not ForwardCondition.NO_ANSWER:
            msg = "Only 'forward noanswer' takes a ring time."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        await self._services.require_available(extension_id, EsService.CALLFWD)
        config = await self.client.get_call_forward_configuration(
            extension_id, server=self._server
        )
        new = with_rule(config, condition, target, timeout_seconds)
        await self.client.edit_call_forward_configuration(
            extension_id, new, server=self._server, retry=False
        )
        return await self._one_status(extension_id, with_forward=True)

    # -- enhanced services (extension features) --------------------------------

    async def list_features(self, extension_id: str) -> list[ExtensionFeature]:
        """Return the accessibility of all 25 enhanced services of an extension."""
        return await self._services.features(extension_id)

    async def set_feature(
        self, extension_id: str, key: str, value: str
    ) -> ExtensionFeature:
        """Set an enhanced service's accessibility (``available|unavailable|pin``)."""
        spec = self.feature_spec(key)
        option = spec.option(value)
        if option is None:
            allowed = ", ".join(o.key for o in spec.options)
            msg = f"{spec.name} can be set to {allowed}."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        await self._services.set(extension_id, spec, option.key)
        return ExtensionFeature(spec=spec, value=option.key)

    # -- recording -----------------------------------------------------------------

    async def record(
        self, extension_id: str, action: RecordingAction
    ) -> RecordingResult:
        """Start, stop, pause or resume recording the extension's live calls.

        ``affected_calls`` is 0 when the extension is not on a call.
        """
        entries = await self.client.list_extensions(server=self._server)
        entry = next((e for e in entries if e.id == extension_id), None)
        if entry is None:
            msg = f"Extension {extension_id} does not exist on this {DISPLAY_NAME}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        commands = {
            RecordingAction.START: self.client.start_recording,
            RecordingAction.STOP: self.client.stop_recording,
            RecordingAction.PAUSE: self.client.pause_recording,
            RecordingAction.RESUME: self.client.unpause_recording,
        }
        answer: RecordingResponse = await commands[action](
            ext=entry.ext, server=self._server
        )
        return RecordingResult(
            action=action,
            affected_calls=answer.affected_calls,
            message=answer.success,
        )

    # -- office hours --------------------------------------------------------------

    def _did_destination(self, did: DidEntry) -> _Destination:
        return _Destination(
            target=OtimesTarget.DID,
            key=did.ext,
            hours_id=f"{OtimesTarget.DID.value}:{did.id}",
            name=f"{_TARGET_LABELS[OtimesTarget.DID]} {did.number or did.id}",
            dest_id=did.id,
        )

    @staticmethod
    def _other_destination(target: OtimesTarget, key: str) -> _Destination:
        by_id = OTIMES_LOOKUP_FIELD[target.value] == "id"
        return _Destination(
            target=target,
            key=key,
            hours_id=f"{target.value}:{key}",
            name=f"{_TARGET_LABELS[target]} {key}",
            dest_id=key if by_id else None,
            configured=True,
        )

    def _configured(self) -> list[_Destination]:
        return [
            self._other_destination(OtimesTarget(kind), key)
            for kind, key in self._settings.office_hours_destinations()
        ]

    async def _read_hours(
        self, target: OtimesTarget, key: str, limit: asyncio.Semaphore
    ) -> list[OperationTimes]:
        async with limit:
            try:
                return await self.client.list_operation_times(
                    target, key, server=self._server
                )
            except SwitchboardNotFoundError:
                # A destination without Operation Times; any other refusal
                # (a wrong lookup field, say) must reach the user.
                return []

    async def list_office_hours(self) -> list[OfficeHours]:
        """Return the Operation Times of every DID and of each configured destination.

        PBXware lists Operation Times one destination at a time, so this costs
        1 + one request per destination: one ``did.list``, then one
        ``otimes.<target>.list`` per distinct DID destination (``ext``) and per
        entry of the ``office_hours`` setting (at most
        ``_OTIMES_CONCURRENCY`` at once). DIDs without Operation Times are left
        out; a configured destination without them is left out with a warning.
        """
        dids = await self.client.list_dids(server=self._server)
        destinations = [self._did_destination(d) for d in dids if d.ext]
        destinations += self._configured()
        lookups = list(dict.fromkeys((d.target, d.key) for d in destinations))
        limit = asyncio.Semaphore(_OTIMES_CONCURRENCY)
        answers: list[list[OperationTimes]] = await gather_or_cancel(
            *(self._read_hours(target, key, limit) for target, key in lookups)
        )
        found = dict(zip(lookups, answers, strict=True))
        hours: list[OfficeHours] = []
        for destination in destinations:
            entry = pick_operation_times(
                found[destination.target, destination.key], destination.dest_id
            )
            if entry is None:
                # Home Assistant lists on every poll: warn once per entry.
                if destination.configured and destination.hours_id not in self._warned:
                    self._warned.add(destination.hours_id)
                    _LOGGER.warning(
                        "%s has no Operation Times for '%s' of the office_hours "
                        "setting; check the kind and the key",
                        DISPLAY_NAME,
                        destination.hours_id,
                    )
                continue
            hours.append(
                OfficeHours(
                    id=destination.hours_id,
                    name=destination.name,
                    state=OfficeHoursState(entry.status),
                )
            )
        return hours

    async def _destination(self, hours_id: str) -> _Destination:
        kind, _, key = hours_id.partition(":")
        try:
            target = OtimesTarget(kind)
        except ValueError:
            target = None
        if target is None or not key:
            kinds = ", ".join(t.value for t in OtimesTarget)
            msg = f"Office hours ids look like 'did:12' (kinds: {kinds})."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR) from None
        if target is not OtimesTarget.DID:
            return self._other_destination(target, key)
        # A DID is looked up by its ext, which only did.list knows.
        dids = await self.client.list_dids(server=self._server)
        did = next((d for d in dids if d.id == key and d.ext), None)
        if did is None:
            msg = f"{DISPLAY_NAME} has no Operation Times for did {key}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        return self._did_destination(did)

    async def set_office_hours(
        self, hours_id: str, state: OfficeHoursState
    ) -> OfficeHours:
        """Set a destination's Operation Times status, keeping all its rules.

        Read-modify-write (P2): the entry is read by the target's lookup field
        and re-sent whole by id. Costs 2 requests, 3 for a DID (``did.list``
        first, for its ext).
        """
        destination = await self._destination(hours_id)
        updated = await self.client.update_operation_times_status(
            destination.target,
            destination.key,
            state.value,
            server=self._server,
            dest_id=destination.dest_id,
            retry=False,
        )
        return OfficeHours(
            id=destination.hours_id,
            name=destination.name,
            state=OfficeHoursState(updated.status),
        )

    # -- live calls ----------------------------------------------------------------

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress, linked to extensions where a party is one.

        ``monitor.live_calls`` says nothing about answering (seed 003, "Live
        Calls"): whether a call was missed comes from ``cdr.download``.
        """
        calls, entries = await _pair(
            self.client.list_live_calls(server=self._server),
            self.client.list_extensions(server=self._server),
        )
        id_by_number = {e.ext: e.id for e in entries}
        result = []
        for call in calls:
            extension_id, direction = attribute_call(
                call.from_number, call.to_number, id_by_number
            )
            result.append(
                Call(
                    id=call.id,
                    from_number=call.from_number,
                    to_number=call.to_number,
                    extension_id=extension_id,
                    started=call.started,
                    direction=direction,
                    from_name=name_of(call.from_),
                )
            )
        return result

    async def call_history(self, since: datetime) -> list[Call]:
        """Return the CDRs since ``since`` (``cdr.download``, seed 003 "CDR").

        The API filters by day only; records before ``since`` are dropped here.
        """
        entries = await self.client.list_extensions(server=self._server)
        id_by_number = {e.ext: e.id for e in entries}
        records = []
        start = since.astimezone(UTC).replace(microsecond=0)
        async for cdr in self.client.iter_cdrs(
            start.date(), datetime.now(UTC).date(), server=self._server
        ):
            if cdr.started < start:
                continue
            from_number, to_number = number_of(cdr.from_), number_of(cdr.to)
            extension_id, direction = attribute_call(
                from_number, to_number, id_by_number
            )
            records.append(
                Call(
                    id=cdr.unique_id,
                    from_number=from_number,
                    to_number=to_number,
                    extension_id=extension_id,
                    started=cdr.started,
                    answered=cdr.status == CDR_ANSWERED,
                    direction=direction,
                    from_name=name_of(cdr.from_),
                    ended=cdr.started + timedelta(seconds=cdr.duration),
                )
            )
        return records
