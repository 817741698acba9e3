"""Async client for the PBXware HTTP API: one typed method per API call.

All calls go through :meth:`~switchboard.plugins.pbxware.client_base.PbxwareApi._request`;
responses are validated into :mod:`switchboard.plugins.pbxware.models`, where the wire
quirks are normalised.

Idempotency: reads and explicit-state setters (``state=yes``, a whole
Operation Times state, a whole forwarding configuration) are safe to repeat and
are retried by default; a caller that reports failures to a person may pass
``retry=False``. Recording actions are never retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.errors import SwitchboardNotFoundError
from switchboard.core.redaction import get_logger
from switchboard.plugins.pbxware.client_base import (
    PbxwareApi,
    invalid_input,
    yes_no,
    zero_one,
)
from switchboard.plugins.pbxware.const import (
    CDR_DEFAULT_LIMIT,
    CDR_MAX_LIMIT,
    DISPLAY_NAME,
    OTIMES_LOOKUP_FIELD,
    OTIMES_SET_REPLACES_STATE,
    VENDOR,
)
from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    CallForwardConfiguration,
    CdrPage,
    CdrRecord,
    DidEntry,
    DidList,
    DndConfiguration,
    DndMode,
    EsService,
    EsSetResponse,
    EsState,
    EsStateResponse,
    EsStates,
    ExtensionConfiguration,
    ExtensionEntry,
    ExtensionList,
    ExtensionsOnline,
    LiveCall,
    LiveCallList,
    MonitorEntry,
    MonitorList,
    OperationTimes,
    OperationTimesList,
    OtimesTarget,
    RecordingCommand,
    RecordingResponse,
    SuccessResponse,
)
from switchboard.plugins.pbxware.quirks import format_cdr_date

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence
    from datetime import date

    from switchboard.plugins.pbxware.models import (
        ClosedDate,
        CustomDestination,
        OpenDays,
    )

_LOGGER = get_logger(__name__)

# The request parameters of each forwarding condition in ext.es.callfwd.edit.
_CALLFWD_PARAMS: dict[CallForwardCondition, tuple[str, str]] = {
    CallForwardCondition.UNCONDITIONAL: ("uncond_dests", "uncond_timeouts"),
    CallForwardCondition.BUSY: ("busy_dests", "busy_timeouts"),
    CallForwardCondition.NO_ANSWER: ("noansw_dests", "noansw_timeouts"),
    CallForwardCondition.LINE_UNAVAILABLE: ("unavail_dests", "unavail_timeouts"),
}
_DEFAULT_MAX_PAGES = 100


def pick_operation_times(
    entries: list[OperationTimes], dest_id: str | None
) -> OperationTimes | None:
    """Return the entry of ``dest_id``, or the only entry when no id is known.

    An ``otimes.<target>.list`` answer is keyed by destination id; looked up by
    a DID's ext it can hold several DIDs, so the id decides. A queue number
    names one queue: more than one entry would be a guess, so none is picked.
    """
    if dest_id is not None:
        return next((e for e in entries if e.id == dest_id), None)
    return entries[0] if len(entries) == 1 else None


class PbxwareClient(PbxwareApi):
    """The PBXware HTTP API, one method per action.

    Args:
        url: Scheme and host of the PBXware (``https://pbx.example.com``).
        api_key: The API key (Admin Settings: API key). Never logged or shown.
        timeout: Seconds one request may take.
        max_retries: Retries of idempotent requests.
        http_client: An ``httpx.AsyncClient`` to borrow (never closed here).
        sleep: Injected for tests (retry back-off).
    """

    # -- dashboard ---------------------------------------------------------------

    async def get_extensions_online(self, *, server: str) -> ExtensionsOnline:
        """``dashboard.ext_online``: how many extensions are online (cheap)."""
        action = "dashboard.ext_online"
        data = await self._request(action, [("server", server)], idempotent=True)
        return self._validate(ExtensionsOnline, data, action)

    # -- extensions --------------------------------------------------------------

    async def list_extensions(self, *, server: str) -> list[ExtensionEntry]:
        """``ext.list``: every extension of the tenant."""
        action = "ext.list"
        data = await self._request(action, [("server", server)], idempotent=True)
        return self._validate(ExtensionList, data, action).root

    async def get_extension_configuration(
        self, *, server: str, ext_id: str | None = None, number: str | None = None
    ) -> ExtensionConfiguration:
        """``ext.configuration`` by internal id or by number, without secrets."""
        if (ext_id is None) == (number is None):
            msg = "Give either the extension id or the extension number, not both."
            raise invalid_input(msg)
        action = "ext.configuration"
        key = ("id", ext_id) if ext_id is not None else ("ext", number or "")
        data = await self._request(action, [("server", server), key], idempotent=True)
        return self._validate(ExtensionConfiguration, data, action)

    # -- enhanced services -------------------------------------------------------

    async def get_es_state(
        self, ext_id: str, service: EsService, *, server: str
    ) -> EsState:
        """``ext.es.<service>.get``: the state of one enhanced service."""
        action = f"ext.es.{service.value}.get"
        params = [("server", server), ("id", ext_id)]
        data = await self._request(action, params, idempotent=True)
        return self._validate(EsStateResponse, data, action).state

    async def set_es_state(
        self,
        ext_id: str,
        service: EsService,
        state: EsState,
        *,
        server: str,
        retry: bool = True,
    ) -> EsSetResponse:
        """``ext.es.<service>.set``: switch an enhanced service (explicit state)."""
        action = f"ext.es.{service.value}.set"
        params = [("server", server), ("id", ext_id), ("state", state.value)]
        data = await self._request(action, params, idempotent=retry, setter=True)
        return self._validate(EsSetResponse, data, action)

    async def get_es_states(
        self,
        ext_id: str,
        *,
        server: str,
        services: Sequence[EsService] | None = None,
    ) -> dict[str, EsState]:
        """``ext.es.states.get``: several services at once (all when ``None``)."""
        action = "ext.es.states.get"
        wanted = ",".join(s.value for s in services) if services else "all"
        params = [("server", server), ("id", ext_id), ("services", wanted)]
        data = await self._request(action, params, idempotent=True)
        return self._validate(EsStates, data, action).root

    async def set_es_states(
        self,
        ext_id: str,
        states: Mapping[EsService, EsState],
        *,
        server: str,
        retry: bool = True,
    ) -> str:
        """``ext.es.states.set``: switch several services at once; returns the message."""
        if not states:
            msg = "Name at least one enhanced service to switch."
            raise invalid_input(msg)
        action = "ext.es.states.set"
        params = [("server", server), ("id", ext_id)]
        params += [(s.value, state.value) for s, state in states.items()]
        data = await self._request(action, params, idempotent=retry, setter=True)
        return self._validate(SuccessResponse, data, action).success

    async def get_dnd_configuration(
        self, ext_id: str, *, server: str
    ) -> DndConfiguration:
        """``ext.es.dnd.configuration``: permanent or timed DND and its destination."""
        action = "ext.es.dnd.configuration"
        params = [("server", server), ("id", ext_id)]
        data = await self._request(action, params, idempotent=True)
        return self._validate(DndConfiguration, data, action)

    async def edit_dnd_configuration(  # noqa: PLR0913 - the API's arguments
        self,
        ext_id: str,
        *,
        server: str,
        mode: DndMode,
        duration_hours: int | None = None,
        dst: str | None = None,
        dsttype: str | None = None,
        retry: bool = True,
    ) -> str:
        """``ext.es.dnd.edit``: e.g. temporary DND for ``duration_hours``.

        ``None`` leaves a field out of the request.
        """
        if duration_hours is not None and duration_hours < 1:
            msg = "PBXware times DND in whole hours, at least 1."
            raise invalid_input(msg)
        if dst is not None and dst and not dst.isdigit():
            msg = "The DND destination must be a number (digits only)."
            raise invalid_input(msg)
        action = "ext.es.dnd.edit"
        params = [("server", server), ("id", ext_id), ("dnd", str(int(mode)))]
        optional = {"dst": dst, "dsttype": dsttype}
        if duration_hours is not None:
            optional["duration"] = str(duration_hours)
        params += [(k, v) for k, v in optional.items() if v is not None]
        data = await self._request(action, params, idempotent=retry, setter=True)
        return self._validate(SuccessResponse, data, action).success

    async def get_call_forward_configuration(
        self, ext_id: str, *, server: str
    ) -> CallForwardConfiguration:
        """``ext.es.callfwd.configuration``: conditions, destinations, timeouts."""
        action = "ext.es.callfwd.configuration"
        params = [("server", server), ("id", ext_id)]
        data = await self._request(action, params, idempotent=True)
        return self._validate(CallForwardConfiguration, data, action)

    async def edit_call_forward_configuration(
        self,
        ext_id: str,
        config: CallForwardConfiguration,
        *,
        server: str,
        retry: bool = True,
    ) -> str:
        """``ext.es.callfwd.edit``: replace the whole forwarding configuration.

        Every condition's destinations and timeouts are re-sent as comma lists,
        which PBXware insists have matching lengths.
        """
        params = [
            ("server", server),
            ("id", ext_id),
            ("enabled", ",".join(c.value for c in config.enabled)),
        ]
        for condition, (dests_key, timeouts_key) in _CALLFWD_PARAMS.items():
            dests = config.destinations_for(condition)
            timeouts = config.timeouts_for(condition)
            if len(timeouts) != len(dests):
                msg = f"Forwarding '{condition.value}' has {len(dests)} destinations but {len(timeouts)} timeouts."
                raise invalid_input(msg)
            if any("," in item for item in (*dests, *timeouts)):
                msg = "Forwarding destinations and timeouts cannot contain commas."
                raise invalid_input(msg)
            params += [(dests_key, ",".join(dests)), (timeouts_key, ",".join(timeouts))]
        params += [("play", zero_one(config.play)), ("cid", zero_one(config.cid))]
        action = "ext.es.callfwd.edit"
        data = await self._request(action, params, idempotent=retry, setter=True)
        return self._validate(SuccessResponse, data, action).success

    # -- call recording (never retried: a repeat could undo or redo) --------------

    async def _recording(
        self, command: RecordingCommand, ext: str, server: str
    ) -> RecordingResponse:
        action = f"recording.{command.value}"
        params = [("server", server), ("ext", ext)]
        data = await self._request(action, params, idempotent=False, setter=True)
        return self._validate(RecordingResponse, data, action)

    async def start_recording(self, *, ext: str, server: str) -> RecordingResponse:
        """``recording.start`` for the live calls of extension number ``ext``."""
        return await self._recording(RecordingCommand.START, ext, server)

    async def stop_recording(self, *, ext: str, server: str) -> RecordingResponse:
        """``recording.stop`` for the live calls of extension number ``ext``."""
        return await self._recording(RecordingCommand.STOP, ext, server)

    async def pause_recording(self, *, ext: str, server: str) -> RecordingResponse:
        """``recording.pause`` for the live calls of extension number ``ext``."""
        return await self._recording(RecordingCommand.PAUSE, ext, server)

    async def unpause_recording(self, *, ext: str, server: str) -> RecordingResponse:
        """``recording.unpause`` for the live calls of extension number ``ext``."""
        return await self._recording(RecordingCommand.UNPAUSE, ext, server)

    # -- monitor -----------------------------------------------------------------

    async def list_monitor(self, *, server: str) -> list[MonitorEntry]:
        """``monitor.list``: registration, DND and on-call of every extension."""
        action = "monitor.list"
        data = await self._request(action, [("server", server)], idempotent=True)
        return self._validate(MonitorList, data, action).root

    async def list_live_calls(self, *, server: str) -> list[LiveCall]:
        """``monitor.live_calls``: the calls in progress."""
        action = "monitor.live_calls"
        data = await self._request(action, [("server", server)], idempotent=True)
        return self._validate(LiveCallList, data, action).root

    # -- DIDs --------------------------------------------------------------------

    async def list_dids(self, *, server: str, ext: str | None = None) -> list[DidEntry]:
        """``did.list``: the tenant's DIDs, or those routed to destination ``ext``."""
        action = "did.list"
        params = [("server", server)]
        if ext is not None:
            params.append(("ext", ext))
        data = await self._request(action, params, idempotent=True)
        return self._validate(DidList, data, action).root

    # -- operation times ---------------------------------------------------------

    async def list_operation_times(
        self, target: OtimesTarget, key: str, *, server: str
    ) -> list[OperationTimes]:
        """``otimes.<target>.list`` for one destination.

        ``key`` goes into the request field the manual names for the target
        (:data:`~switchboard.plugins.pbxware.const.OTIMES_LOOKUP_FIELD`): the destination
        id, a queue's number or a DID's ext. The answer is keyed by destination
        id, and may hold several entries (DIDs sharing one ext) or none.
        """
        if not key:
            msg = f"Name the {target.value} destination whose Operation Times to read."
            raise invalid_input(msg)
        action = f"otimes.{target.value}.list"
        params = [(OTIMES_LOOKUP_FIELD[target.value], key), ("server", server)]
        data = await self._request(action, params, idempotent=True)
        return self._validate(OperationTimesList, data, action).root

    async def set_operation_times(  # noqa: PLR0913 - the API's arguments
        self,
        target: OtimesTarget,
        dest_id: str,
        *,
        server: str,
        status: str,
        greeting: str | None = None,
        pin: str | None = None,
        default_dest_ext: str | None = None,
        default_dest_is_vm: bool | None = None,
        closed_dates: Sequence[ClosedDate] | None = None,
        custom_destinations: Sequence[CustomDestination] | None = None,
        open_days: Sequence[OpenDays] | None = None,
        retry: bool = True,
    ) -> str:
        """``otimes.<target>.set``: set the state of a destination's Operation Times.

        ``None`` leaves a field out. PBXware sets "the entire state", so use
        :meth:`update_operation_times_status` to change the status alone.
        Rule lists go out as ordered PHP bracket arrays (``open_days[]=…``).
        """
        params = [("id", dest_id), ("server", server), ("status", status)]
        scalars = {
            "greeting": greeting,
            "pin": pin,
            "default_dest_ext": default_dest_ext,
        }
        params += [(k, v) for k, v in scalars.items() if v is not None]
        if default_dest_is_vm is not None:
            params.append(("default_dest_is_vm", yes_no(default_dest_is_vm)))
        for rule in closed_dates or ():
            params += [
                ("closed_dates_desc[]", rule.description),
                ("closed_dates_dest[]", rule.destination),
                ("closed_dates_date_from[]", rule.date_from),
                ("closed_dates_date_to[]", rule.date_to),
                ("closed_dates_time_from[]", rule.time_from),
                ("closed_dates_time_to[]", rule.time_to),
            ]
        for custom in custom_destinations or ():
            params += [
                ("custom_destinations_dest[]", custom.destination),
                ("custom_destinations_is_open[]", yes_no(custom.is_open_range)),
                ("custom_destinations_days[]", custom.days),
                ("custom_destinations_time_from[]", custom.time_from),
                ("custom_destinations_time_to[]", custom.time_to),
            ]
        for days in open_days or ():
            params += [
                ("open_days_desc[]", days.description),
                ("open_days[]", days.days),
                ("open_days_time_from[]", days.time_from),
                ("open_days_time_to[]", days.time_to),
            ]
        action = f"otimes.{target.value}.set"
        data = await self._request(action, params, idempotent=retry, setter=True)
        return self._validate(SuccessResponse, data, action).success

    async def update_operation_times_status(  # noqa: PLR0913 - the API's arguments
        self,
        target: OtimesTarget,
        key: str,
        status: str,
        *,
        server: str,
        dest_id: str | None = None,
        retry: bool = True,
    ) -> OperationTimes:
        """Change only the status: read the entry, re-send every field with it.

        ``key`` is what :meth:`list_operation_times` looks the destination up
        by; ``dest_id`` picks the entry when that answer can hold several (a
        DID's ext). The write always names the destination by id. Costs two
        requests (one when P2 is relaxed and the id is known).

        Raises:
            SwitchboardNotFoundError: The destination has no Operation Times.
        """
        by_id = OTIMES_LOOKUP_FIELD[target.value] == "id"
        known_id = dest_id or (key if by_id else None)
        if not OTIMES_SET_REPLACES_STATE and known_id:
            await self.set_operation_times(
                target, known_id, server=server, status=status, retry=retry
            )
            return OperationTimes(id=known_id, status=status)
        entries = await self.list_operation_times(target, key, server=server)
        current = pick_operation_times(entries, known_id)
        if current is None:
            what = f"{target.value} {dest_id or key}"
            msg = f"{DISPLAY_NAME} has no Operation Times for {what}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        if not OTIMES_SET_REPLACES_STATE:
            await self.set_operation_times(
                target, current.id, server=server, status=status, retry=retry
            )
            return current.model_copy(update={"status": status})
        await self.set_operation_times(
            target,
            current.id,
            server=server,
            status=status,
            greeting=current.greeting,
            default_dest_ext=current.default_dest_ext,
            default_dest_is_vm=current.default_dest_is_vm,
            closed_dates=current.closed_dates,
            custom_destinations=current.custom_destinations,
            open_days=current.open_days,
            retry=retry,
        )
        return current.model_copy(update={"status": status})

    # -- CDRs --------------------------------------------------------------------

    async def download_cdrs(  # noqa: PLR0913 - the API's filters
        self,
        start: date,
        end: date,
        *,
        server: str,
        page: int = 1,
        limit: int = CDR_DEFAULT_LIMIT,
        ext: str | None = None,
        extdst: str | None = None,
        trunk: str | None = None,
        trunkdst: str | None = None,
        status: int | None = None,
        cdrtype: int | None = None,
        timezone: str | None = None,
    ) -> CdrPage:
        """``cdr.download``: one page of call records between two dates.

        Raises:
            SwitchboardInvalidInputError: Bad dates, page, limit or filter mix.
        """
        if end < start:
            msg = "The CDR end date is before the start date."
            raise invalid_input(msg)
        if page < 1 or not 1 <= limit <= CDR_MAX_LIMIT:
            msg = f"CDR pages start at 1 and hold 1 to {CDR_MAX_LIMIT} records."
            raise invalid_input(msg)
        if (trunk and ext) or (trunkdst and extdst):
            msg = "PBXware filters CDRs by extension or by trunk, not both."
            raise invalid_input(msg)
        params = [
            ("start", format_cdr_date(start)),
            ("end", format_cdr_date(end)),
            ("server", server),
            ("page", str(page)),
            ("limit", str(limit)),
        ]
        optional = {
            "ext": ext,
            "extdst": extdst,
            "trunk": trunk,
            "trunkdst": trunkdst,
            "status": None if status is None else str(status),
            "cdrtype": None if cdrtype is None else str(cdrtype),
            "timezone": timezone,
        }
        params += [(k, v) for k, v in optional.items() if v is not None]
        action = "cdr.download"
        data = await self._request(action, params, idempotent=True)
        return self._validate(CdrPage, data, action)

    async def iter_cdrs(  # noqa: PLR0913 - the API's filters
        self,
        start: date,
        end: date,
        *,
        server: str,
        limit: int = CDR_MAX_LIMIT,
        max_pages: int = _DEFAULT_MAX_PAGES,
        ext: str | None = None,
    ) -> AsyncIterator[CdrRecord]:
        """Yield every CDR between two dates, page by page, following ``next_page``.

        PBXware does not tell the page count, so ``max_pages`` bounds the walk.
        """
        for page in range(1, max_pages + 1):
            result = await self.download_cdrs(
                start, end, server=server, page=page, limit=limit, ext=ext
            )
            for record in result.rows:
                yield record
            if not result.next_page:
                return
        _LOGGER.warning(
            "Stopped reading %s CDRs after %d pages", DISPLAY_NAME, max_pages
        )
