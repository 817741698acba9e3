"""MiRTA PBX capabilities on top of the proxy API client."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from switchboard.core.capabilities import Capability
from switchboard.core.client import ClientBackend
from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import (
    AccountInfo,
    Call,
    CallDirection,
    DialResult,
    Extension,
    ExtensionStatus,
    Flow,
)
from switchboard.plugins.mirta.client import MirtaClient
from switchboard.plugins.mirta.const import (
    CDR_ANSWERED,
    CDR_INCOMING,
    CDR_TIMEZONE,
    DISPLAY_NAME,
    DND_LOOKUP_LIMIT,
    DND_REQTYPE,
    FLOW_STATE_MAP,
    ORIGINATE_IS_OUTGOING,
    VENDOR,
)
from switchboard.plugins.mirta.models import device_on_call

if TYPE_CHECKING:
    import httpx

    from switchboard.plugins.mirta.models import Channel, ExtensionRecord, FlowRecord
    from switchboard.plugins.mirta.settings import MirtaSettings

_NO_LIVE_RECORDING = (
    f"{DISPLAY_NAME} can only record a call when it is placed; "
    "it cannot start or stop recording a live call."
)


class MirtaBackend(ClientBackend[MirtaClient]):
    """A MiRTA tenant: status, DND, click-to-dial, day/night flows, live calls.

    RECORDING, FORWARD and OFFICE_HOURS stay undeclared while their §7
    constants (LIVE_RECORDING_SUPPORTED, PROXY_FORWARDING_SUPPORTED /
    OPENAPI_PATH, OFFICE_HOURS_SUPPORTED) say so; a test keeps the two in step.
    """

    vendor: ClassVar[str] = VENDOR
    display_name: ClassVar[str] = DISPLAY_NAME
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.STATUS,
            Capability.DND,
            Capability.DIAL,
            Capability.FLOWS,
            Capability.LIVE_CALLS,
            Capability.CALL_HISTORY,
        }
    )
    unsupported_reasons: ClassVar[dict[Capability, str]] = {
        Capability.RECORDING: _NO_LIVE_RECORDING,
        Capability.RECORDING_PAUSE: _NO_LIVE_RECORDING,
        Capability.PRESENCE: (
            f"{DISPLAY_NAME} has no presence states; the closest it has is pausing "
            "a queue agent."
        ),
        Capability.FORWARD: (
            f"Call forwarding on {DISPLAY_NAME} needs MiRTA's newer OpenAPI; the "
            "legacy proxy API Switchboard uses cannot forward calls."
        ),
        Capability.OFFICE_HOURS: (
            f"{DISPLAY_NAME} has no office-hours override in its API; use a "
            "day/night flow instead."
        ),
        Capability.DND_TIMED: (
            f"{DISPLAY_NAME} cannot switch DND off by itself after a while; switch "
            "it on now and off again later."
        ),
    }

    def __init__(
        self, settings: MirtaSettings, http_client: httpx.AsyncClient | None = None
    ) -> None:
        self._host = (urlsplit(settings.url).hostname or settings.url).lower()
        self._tenant = settings.tenant
        self.client = MirtaClient(
            settings.url,
            api_key=settings.api_key.get_secret_value(),
            tenant=settings.tenant,
            proxy_path=settings.proxy_path,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"MirtaBackend(host={self._host!r}, tenant={self._tenant!r})"

    async def account_info(self) -> AccountInfo:
        """Check key and tenant with the cheapest authenticated request."""
        await self.client.count_peers()
        return AccountInfo(
            vendor=VENDOR,
            unique_id=f"{self._host}/{self._tenant.lower()}",
            name=f"{DISPLAY_NAME} {self._tenant} ({self._host})",
            # The API has no system id (seed 004): the tenant code is per server.
            address=self._host,
        )

    # -- status ------------------------------------------------------------------------

    @staticmethod
    def _extension(record: ExtensionRecord) -> Extension:
        return Extension(
            id=record.number, number=record.number, name=record.name, email=record.email
        )

    async def list_extensions(self) -> list[Extension]:
        """Return every extension of the tenant, by number."""
        records = await self.client.extensions()
        return [self._extension(r) for r in _by_number(records)]

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Read every status with three bulk requests, whatever the extension count.

        INFO extensions, PEERS (registration) and CHANNELS (calls) are fetched
        concurrently. Only an explicit lookup of a few extensions whose records
        lack the DND flag adds one DND request per extension.
        """
        records, peers, channels = await gather_or_cancel(
            self.client.extensions(), self.client.peers(), self.client.channels()
        )
        wanted = set(extension_ids) if extension_ids is not None else None
        records = [
            r for r in _by_number(records) if wanted is None or r.number in wanted
        ]
        dnd = {r.number: r.dnd for r in records}
        unknown = [n for n, flag in dnd.items() if flag is None]
        if wanted is not None and 0 < len(unknown) <= DND_LOOKUP_LIMIT:
            flags = await gather_or_cancel(*(self._dnd_or_none(n) for n in unknown))
            dnd.update(zip(unknown, flags, strict=True))
        registered = {p.name.lower() for p in peers if p.reachable}
        talking = _peers_on_call(channels)
        return [
            ExtensionStatus(
                extension=self._extension(r),
                registered=self._peer_name(r).lower() in registered,
                on_call=self._peer_name(r).lower() in talking
                or device_on_call(r.state),
                dnd=dnd[r.number],
            )
            for r in records
        ]

    async def _dnd_or_none(self, number: str) -> bool | None:
        """DND of a listed extension; ``None`` when the server has no DND request."""
        try:
            return await self.client.get_dnd(number)
        except SwitchboardNotFoundError:
            # The extension was just listed, so an empty answer means the
            # server lacks the DND request type (M3): DND is unknown, not fatal.
            return None

    def _number_of_peer(self, peer: str) -> str | None:
        """``101`` for the peer ``101-ACME``; ``None`` for trunks and others."""
        suffix = f"-{self._tenant}".lower()
        if not peer.lower().endswith(suffix):
            return None
        number = peer[: -len(suffix)]
        return number if number.isdigit() else None

    def _peer_name(self, record: ExtensionRecord) -> str:
        """The SIP username, ``<number>-<tenant>`` unless the record says otherwise."""
        return record.username or f"{record.number}-{self._tenant}"

    # -- DND and dial ------------------------------------------------------------------

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Switch DND, then read the extension back (the PBX's word, not ours)."""
        try:
            await self.client.set_dnd(extension_id, enabled=enabled)
        except SwitchboardNotFoundError:
            # An empty answer is all MiRTA gives for an unknown extension and
            # for a server without the DND request type (M3): tell them apart.
            records = await self.client.extensions()
            if not any(r.number == extension_id for r in records):
                raise
            msg = (
                f"This {DISPLAY_NAME} server did not answer the DND request: DND "
                f"needs a {DISPLAY_NAME} version with the {DND_REQTYPE} request type."
            )
            raise SwitchboardUnsupportedError(
                msg, vendor=VENDOR, capability=Capability.DND.name
            ) from None
        return await self.get_status(extension_id)

    async def dial(self, extension_id: str, destination: str) -> DialResult:
        """Ring the extension, then connect it to ``destination``."""
        reply = await self.client.dial(extension_id, destination)
        return DialResult(call_id=reply.id, message=reply.message)

    # -- flows ---------------------------------------------------------------------------

    @staticmethod
    def _flow(record: FlowRecord) -> Flow:
        return Flow(
            id=record.number, name=record.name or record.number, active=record.is_open
        )

    async def list_flows(self) -> list[Flow]:
        """Return every flow; active means open (FLOW_STATE_MAP, M6)."""
        return [self._flow(r) for r in await self.client.flows()]

    async def set_flow(self, flow_id: str, *, active: bool) -> Flow:
        """Open or close a flow, then read it back."""
        if not flow_id.strip():
            msg = "Name the flow to switch, e.g. 'flow day on'."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        wire = FLOW_STATE_MAP["open" if active else "closed"]
        await self.client.set_flow(flow_id, state=wire.state)
        for record in await self.client.flows():
            if record.number == flow_id:
                return self._flow(record)
        msg = f"Flow {flow_id} does not exist on this {DISPLAY_NAME}."
        raise SwitchboardNotFoundError(msg, vendor=VENDOR)

    # -- live calls ------------------------------------------------------------------------

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress: the tenant's channels grouped by call."""
        channels = await self.client.channels()
        numbers: dict[str, str] = {}
        calls: dict[str, list[Channel]] = {}
        for channel in channels:
            calls.setdefault(channel.call_key, []).append(channel)
            number = self._number_of_peer(channel.peer)
            if number is not None:
                numbers[channel.channel] = number
        result = []
        for key, legs in calls.items():
            first = max(legs, key=lambda c: c.duration)
            extension_id, direction = _attribute(legs, numbers)
            result.append(
                Call(
                    id=key,
                    from_number=first.callerid,
                    to_number=first.connectedline or first.extension,
                    extension_id=extension_id,
                    started=first.started(),
                    answered=any(c.state.lower() == "up" for c in legs),
                    direction=direction,
                )
            )
        return result

    async def call_history(self, since: datetime) -> list[Call]:
        """Return the call records since ``since`` (``INFO&info=cdrs``, seed 004)."""
        start = since.astimezone(CDR_TIMEZONE).replace(tzinfo=None)
        records = await self.client.cdrs(
            start.strftime("%Y-%m-%d %H:%M:%S"), "9999-12-31"
        )
        calls = []
        for cdr in records:
            try:
                started = datetime.strptime(cdr.start, "%Y-%m-%d %H:%M:%S").replace(
                    tzinfo=CDR_TIMEZONE
                )
            except ValueError:
                continue  # a record without a readable start cannot be placed in time
            incoming = cdr.direction.lower() == CDR_INCOMING
            calls.append(
                Call(
                    id=cdr.uniqueid,
                    from_number=cdr.src,
                    to_number=cdr.dst,
                    extension_id=cdr.dst if incoming else cdr.src,
                    started=started,
                    answered=cdr.disposition.upper() == CDR_ANSWERED,
                    direction=CallDirection.INCOMING
                    if incoming
                    else CallDirection.OUTGOING,
                    ended=started + timedelta(seconds=cdr.duration),
                )
            )
        return calls


def _attribute(
    legs: list[Channel], numbers: dict[str, str]
) -> tuple[str | None, CallDirection | None]:
    """The extension a call belongs to, and its direction, from its channels.

    An extension's leg being dialled (``AppDial``) by another leg of the call
    (``Dial``: the trunk, or a colleague) is an incoming call to it. A lone
    ``AppDial`` leg is an originate: click-to-dial rings the extension first and
    shows the destination as the caller, yet the call is outgoing
    (:data:`~switchboard.plugins.mirta.const.ORIGINATE_IS_OUTGOING`).
    """
    dialled = next(
        (
            c
            for c in legs
            if c.channel in numbers and c.application.lower() == "appdial"
        ),
        None,
    )
    dialling = any(c.application.lower() == "dial" for c in legs)
    if dialled is not None and (dialling or not ORIGINATE_IS_OUTGOING):
        return numbers[dialled.channel], CallDirection.INCOMING
    own = next((numbers[c.channel] for c in legs if c.channel in numbers), None)
    return own, (CallDirection.OUTGOING if own is not None else None)


def _by_number(records: list[ExtensionRecord]) -> list[ExtensionRecord]:
    return sorted(records, key=lambda r: (len(r.number), r.number))


def _peers_on_call(channels: list[Channel]) -> set[str]:
    return {c.peer.lower() for c in channels if c.peer}
