"""PBXware behind the vendor-neutral backend API.

Status costs two requests whatever the extension count: ``ext.list`` for the
extensions and one ``monitor.list`` (the bulk call) for registration, DND and
on-call. Writes a person asked for (DND, forwarding, office hours, recording)
are sent once and never retried: the person sees the failure and decides.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import urlsplit

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
    ExtensionStatus,
    OfficeHours,
    OfficeHoursState,
    RecordingAction,
    RecordingResult,
)
from switchboard.core.redaction import get_logger
from switchboard.plugins.pbxware.client import PbxwareClient, pick_operation_times
from switchboard.plugins.pbxware.const import (
    CLICK_TO_DIAL_SUPPORTED,
    DEFAULT_SERVER,
    DISPLAY_NAME,
    ES_PIN_COUNTS_AS_ON,
    EVENTS_SUPPORTED,
    OTIMES_LOOKUP_FIELD,
    RECORDING_DOWNLOAD_SUPPORTED,
    USE_BULK_ES_STATES,
    VENDOR,
)
from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    CallForwardConfiguration,
    DndMode,
    EsService,
    EsState,
    ExtensionEntry,
    MonitorEntry,
    OperationTimes,
    OtimesTarget,
    RegistrationStatus,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from datetime import timedelta

    import httpx

    from switchboard.plugins.pbxware.models import DidEntry, RecordingResponse
    from switchboard.plugins.pbxware.settings import PbxwareSettings

_LOGGER = get_logger(__name__)
_UNCONDITIONAL = CallForwardCondition.UNCONDITIONAL
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


def _es_on(state: EsState) -> bool:
    return state is EsState.YES or (ES_PIN_COUNTS_AS_ON and state is EsState.PIN)


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
        }
    )
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

        Forwarding has no bulk read, so ``forward_to`` is read (two more
        requests) only when exactly one extension is asked for.
        """
        with_forward = extension_ids is not None and len(extension_ids) == 1
        return await self._statuses(extension_ids, with_forward=with_forward)

    async def _statuses(
        self, extension_ids: list[str] | None, *, with_forward: bool
    ) -> list[ExtensionStatus]:
        entries, monitor = await _pair(
            self.client.list_extensions(server=self._server),
            self.client.list_monitor(server=self._server),
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
            forward = await self._forward_target(entry.id) if with_forward else None
            statuses.append(self._status(entry, live, forward))
        return statuses

    def _status(
        self, entry: ExtensionEntry, live: MonitorEntry | None, forward: str | None
    ) -> ExtensionStatus:
        if live is None:
            return ExtensionStatus(extension=self._extension(entry), forward_to=forward)
        registered = {
            RegistrationStatus.ONLINE: True,
            RegistrationStatus.OFFLINE: False,
        }.get(live.status)
        return ExtensionStatus(
            extension=self._extension(entry),
            registered=registered,
            on_call=live.on_call,
            dnd=live.dnd,
            forward_to=forward,
        )

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
        """Switch DND with ``ext.es.dnd.set&state=yes|no``."""
        state = EsState.YES if enabled else EsState.NO
        await self.client.set_es_state(
            extension_id, EsService.DND, state, server=self._server, retry=False
        )
        return await self._one_status(extension_id, with_forward=False)

    async def set_dnd_for(
        self, extension_id: str, duration: timedelta
    ) -> ExtensionStatus:
        """Switch temporary DND on for whole hours (``ext.es.dnd.edit&dnd=1``)."""
        seconds = duration.total_seconds()
        if seconds < _SECONDS_PER_HOUR or seconds % _SECONDS_PER_HOUR:
            msg = "PBXware times do-not-disturb in whole hours: choose 1h, 2h, 3h..."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        config = await self.client.get_dnd_configuration(
            extension_id, server=self._server
        )
        await self.client.edit_dnd_configuration(
            extension_id,
            server=self._server,
            mode=DndMode.TEMPORARY,
            duration_hours=int(seconds // _SECONDS_PER_HOUR),
            dst=config.dst or None,
            dsttype=config.dsttype or None,
            retry=False,
        )
        # The manual does not say whether edit switches the service on, so the
        # state is set explicitly.
        await self.client.set_es_state(
            extension_id, EsService.DND, EsState.YES, server=self._server, retry=False
        )
        return await self._one_status(extension_id, with_forward=False)

    # -- forwarding ----------------------------------------------------------------

    async def _service_state(self, extension_id: str, service: EsService) -> EsState:
        if USE_BULK_ES_STATES:
            states = await self.client.get_es_states(
                extension_id, server=self._server, services=[service]
            )
            return states.get(service.value, EsState.NO)
        return await self.client.get_es_state(
            extension_id, service, server=self._server
        )

    async def _forward_target(self, extension_id: str) -> str | None:
        state = await self._service_state(extension_id, EsService.CALLFWD)
        if not _es_on(state):
            return None
        config = await self.client.get_call_forward_configuration(
            extension_id, server=self._server
        )
        targets = config.destinations_for(_UNCONDITIONAL)
        return targets[0] if _UNCONDITIONAL in config.enabled and targets else None

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Forward all calls (unconditional forwarding), keeping the other rules."""
        target = None if number is None else _FORWARD_SEPARATORS.sub("", number)
        if target is not None and not _FORWARD_NUMBER.match(target):
            msg = "Forward to a phone number: digits, optionally starting with +."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        config = await self.client.get_call_forward_configuration(
            extension_id, server=self._server
        )
        enabled = [c for c in config.enabled if c is not _UNCONDITIONAL]
        destinations = dict(config.destinations)
        timeouts = dict(config.timeouts)
        destinations[_UNCONDITIONAL] = [] if target is None else [target]
        timeouts[_UNCONDITIONAL] = [] if target is None else [""]
        if target is not None:
            enabled.insert(0, _UNCONDITIONAL)
        new = CallForwardConfiguration(
            play=config.play,
            cid=config.cid,
            enabled=enabled,
            destinations=destinations,
            timeouts=timeouts,
        )
        await self.client.edit_call_forward_configuration(
            extension_id, new, server=self._server, retry=False
        )
        if target is not None or not enabled:
            # Forwarding rules only act while the service is on; with no rule
            # left, switch the service off too.
            state = EsState.YES if target is not None else EsState.NO
            await self.client.set_es_state(
                extension_id, EsService.CALLFWD, state, server=self._server, retry=False
            )
        return await self._one_status(extension_id, with_forward=True)

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
        """Return the calls in progress, linked to extensions where a party is one."""
        calls, entries = await _pair(
            self.client.list_live_calls(server=self._server),
            self.client.list_extensions(server=self._server),
        )
        id_by_number = {e.ext: e.id for e in entries}
        return [
            Call(
                id=call.id,
                from_number=call.from_number,
                to_number=call.to_number,
                extension_id=id_by_number.get(call.from_number)
                or id_by_number.get(call.to_number),
                started=call.started,
            )
            for call in calls
        ]
