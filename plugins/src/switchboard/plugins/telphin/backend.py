"""Telphin capabilities on top of :class:`~switchboard.plugins.telphin.client.TelphinClient`.

What a status refresh costs (the hourly quota counts every request):

* ``get_statuses()`` for all extensions reads three lists concurrently:
  ``N // 100 + 1`` extension pages + as many registration pages + 1
  current-calls request -- 3 requests below 100 extensions, 23 for 1,000 (a
  page shorter than 100 ends a list, so a multiple of 100 costs one empty page
  more).
* DND and forwarding live in each phone's settings, one request per extension.
  With DND configured (:class:`TelphinDndBackend`) a bulk refresh reports them
  from a cache (:mod:`switchboard.plugins.telphin.phone_cache`) and reads only the phones
  it has never seen (at most ``FIRST_PASS_READS_PER_REFRESH``, 50) plus the
  ``ROUND_ROBIN_READS_PER_REFRESH`` (2) it read longest ago. The first refresh
  also reads the call-status list, once: 28 requests for 24 extensions, then 5
  per refresh; for 1,000 extensions 74, then 75 until all are seen (20
  refreshes), then 25. Without DND configured only the forwarding column of a
  Slack status list would use the phones, not worth 2 requests on every Home
  Assistant refresh: the bulk refresh stays at the list reads and reports DND
  and forwarding as unknown (``None``).
* ``get_statuses([ids])`` / ``get_status(id)``: the same list reads plus one
  fresh phone read per named extension (plus, once, the call-status list for DND).

Every phone Switchboard reads or writes goes into the cache, so a change made
through Switchboard shows in the next bulk refresh; one made elsewhere shows
when the round-robin reaches that phone.

Writes are tried once, with every step that prepares them: a failing action is
reported, never repeated behind the user's back.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from switchboard.core.capabilities import Capability
from switchboard.core.client import ClientBackend
from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import (
    SwitchboardConfigError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
)
from switchboard.core.models import (
    AccountInfo,
    Call,
    CallDirection,
    DialResult,
    Extension,
    ExtensionStatus,
)
from switchboard.core.push import PushKind, PushSignal
from switchboard.core.redaction import get_logger
from switchboard.core.responses import validate
from switchboard.plugins.telphin.client import TelphinClient
from switchboard.plugins.telphin.const import (
    DISPLAY_NAME,
    FLOWS_SUPPORTED,
    LIVE_RECORDING_SUPPORTED,
    PHONE_READ_CONCURRENCY,
    VENDOR,
)
from switchboard.plugins.telphin.models import (
    CallbackRequest,
    CallStatus,
    CallStatusChange,
    PhoneProperties,
)
from switchboard.plugins.telphin.phone_cache import PhoneCache
from switchboard.plugins.telphin.webhooks import TelphinWebhooks

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from switchboard.core.push import WebhookInbox

_LOGGER = get_logger(__name__)

# A dialable number: digits with an optional leading +, or an extension.
_NUMBER = re.compile(r"^\+?[0-9*#]{2,32}$")


def _check_number(number: str, what: str) -> str:
    cleaned = re.sub(r"[\s().-]", "", number)
    if not _NUMBER.match(cleaned):
        msg = f"{number!r} is not a phone number {what} (digits, optionally starting with +)."
        raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
    return cleaned


# ``current_calls`` ``call_flow`` is ``in`` or ``out`` (reference/vendor-apis.md,
# "Live calls"); a callback
# (click-to-dial) is ``out``.
CALL_FLOWS: dict[str, CallDirection] = {
    "in": CallDirection.INCOMING,
    "out": CallDirection.OUTGOING,
}


class TelphinBackend(ClientBackend[TelphinClient]):
    """Telphin without DND (no call status was named for it)."""

    vendor: ClassVar[str] = VENDOR
    display_name: ClassVar[str] = DISPLAY_NAME
    # Whether a bulk refresh reads phones (round-robin) to report DND and
    # forwarding. Only worth the quota when DND is configured: Home Assistant's
    # DND switch needs it on every refresh (see the module doc).
    bulk_reads_phones: ClassVar[bool] = False
    # Gated by the §7 constants: flipping one without implementing the
    # capability fails at import (PbxBackend checks declarations).
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.STATUS,
            Capability.FORWARD,
            Capability.DIAL,
            Capability.LIVE_CALLS,
            Capability.PUSH,
        }
        | ({Capability.RECORDING} if LIVE_RECORDING_SUPPORTED else set())
        | ({Capability.FLOWS} if FLOWS_SUPPORTED else set())
    )
    unsupported_reasons: ClassVar[dict[Capability, str]] = {
        Capability.DND: (
            "Telphin has no native do-not-disturb. Name a call status to use for it "
            "(setting dnd_call_status, e.g. 'Do not disturb') to switch DND."
        ),
        Capability.DND_TIMED: (
            "Telphin cannot switch do-not-disturb off by itself after a while."
        ),
        Capability.PRESENCE: (
            "Telphin has no presence states; its call statuses only control which calls ring."
        ),
        Capability.RECORDING: (
            "Telphin can only switch recording on or off for future calls, "
            "not for the call in progress."
        ),
        Capability.RECORDING_PAUSE: "Telphin cannot pause or resume a recording.",
        Capability.FLOWS: "Day/night switching is not available for Telphin.",
        Capability.OFFICE_HOURS: "Office hours are not available for Telphin.",
    }

    receives_webhooks: ClassVar[bool] = True

    def __init__(self, client: TelphinClient) -> None:
        self.client = client
        self._extensions: dict[str, Extension] = {}
        self._wire_names: dict[str, str] = {}
        self._phones = PhoneCache()
        self._webhooks: TelphinWebhooks | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.client!r})"

    # -- PUSH (switchboard.plugins.telphin.webhooks) ---------------------------------

    def receive_webhooks_at(self, url: str) -> WebhookInbox:
        """Register the webhooks for ``url`` when the push stream starts.

        Call-status changes are registered only where they are our DND.
        """
        self._webhooks = TelphinWebhooks(
            self.client, url, status=Capability.DND in self.capabilities
        )
        return self._webhooks.inbox

    async def push_signals(self) -> AsyncIterator[PushSignal]:
        """Register the webhooks, relay what arrives, remove them when cancelled.

        Without a URL (none reachable from the internet) nothing is pushed and
        the stream ends at once: the front-end keeps polling. A call-status
        change marks that extension's phone to be read at the next refresh.
        """
        hooks = self._webhooks
        if hooks is None:
            return
        try:
            try:
                await hooks.register()
            except SwitchboardError as err:
                _LOGGER.warning(
                    "Cannot register the %s webhooks: %s", DISPLAY_NAME, err
                )
                return
            yield PushSignal(PushKind.RESYNC)
            while True:
                delivery = await hooks.inbox.next_delivery()
                if delivery.signal.kind is PushKind.STATUS:
                    self._status_changed(delivery.fields)
                yield delivery.signal
        finally:
            await hooks.unregister()

    def _status_changed(self, fields: Mapping[str, str]) -> None:
        """Have the next bulk refresh read the phone whose call status changed."""
        try:
            change = validate(
                CallStatusChange,
                dict(fields),
                vendor=VENDOR,
                display_name=DISPLAY_NAME,
                what="call-status change",
            )
        except SwitchboardError as err:
            # The refresh still runs; the round-robin reaches the phone later.
            _LOGGER.debug("Unreadable call-status change: %s", err.message)
            return
        self._phones.mark_changed(str(change.extension_id))

    async def account_info(self) -> AccountInfo:
        """Check the credentials; the API host plus the client id identify the account.

        The host is part of the id because other Ringme-based operators run the
        same platform: the same client id on two hosts is two accounts.
        """
        info = await self.client.get_client_info()
        name = info.label or info.name or f"{DISPLAY_NAME} client {info.id}"
        host = (urlsplit(self.client.transport.base_url).hostname or "").lower()
        return AccountInfo(
            vendor=VENDOR, unique_id=f"{host}#{info.id}", name=name, address=host
        )

    # -- STATUS ------------------------------------------------------------------

    async def list_extensions(self) -> list[Extension]:
        """Return every phone extension."""
        return await self._load_extensions(retry=True)

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Return statuses; DND and forwarding as the module doc describes."""
        # Asked for by id: the phones are read fresh, whatever the cache holds,
        # beside the lists (one round trip, not two). The ids come from the
        # extension list the command layer keeps, so they exist.
        extensions, registrations, calls, named_phones = await gather_or_cancel(
            self._load_extensions(retry=True),
            self.client.list_registrations(),
            self.client.list_current_calls(),
            self._read_phones(list(dict.fromkeys(extension_ids or []))),
        )
        self._phones.retain(e.id for e in extensions)
        registered = {str(r.extension_id): r.registered for r in registrations}
        talking = {str(c.extension_id) for c in calls if c.extension_id is not None}
        wanted: list[Extension] = extensions
        phones: dict[str, PhoneProperties] = {}
        if extension_ids is not None:
            named = set(extension_ids)
            wanted = [e for e in extensions if e.id in named]
            phones = {e.id: named_phones[e.id] for e in wanted}
        elif self.bulk_reads_phones:
            await self._read_phones(self._phones.due([e.id for e in extensions]))
            phones = {
                e.id: phone
                for e in extensions
                if (phone := self._phones.get(e.id)) is not None
            }
        dnd_id = None
        if phones:
            dnd_id = await (
                self._dnd_status_id()
                if extension_ids is not None
                else self._dnd_status_id_for_refresh()
            )
        return [
            ExtensionStatus(
                extension=ext,
                registered=registered.get(ext.id, False),
                on_call=ext.id in talking,
                dnd=self._dnd_of(phones[ext.id], dnd_id) if ext.id in phones else None,
                forward_to=phones[ext.id].external_number if ext.id in phones else None,
            )
            for ext in wanted
        ]

    # -- FORWARD, DIAL, LIVE_CALLS -------------------------------------------------

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Send all calls to ``number`` through the phone's ``external_number``."""
        target = None if number is None else _check_number(number, "to forward to")
        extension = await self._extension(extension_id)
        phone = await self.client.set_external_number(extension.id, target)
        self._phones.store_write(extension.id, phone)
        return self._status_after_write(extension, phone)

    async def dial(self, extension_id: str, destination: str) -> DialResult:
        """Ring the extension's phone, then ``destination`` (click-to-dial)."""
        number = _check_number(destination, "to call")
        extension = await self._extension(extension_id)
        # src_num takes the extension's full SIP name (<prefix>*<extension>).
        source = self._wire_names.get(extension.id, extension.number)
        result = await self.client.callback(
            extension.id, CallbackRequest(src_num=[source], dst_num=number)
        )
        return DialResult(
            call_id=result.call_api_id,
            message=f"{DISPLAY_NAME} is ringing {extension.number}, then {number}.",
        )

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress."""
        return [
            Call(
                id=call.call_api_id,
                from_number=call.caller_id_number or "",
                to_number=call.called_number or call.called_did or "",
                extension_id=None
                if call.extension_id is None
                else str(call.extension_id),
                started=call.init_time_gmt,
                answered=call.answer_time_gmt is not None,
                direction=CALL_FLOWS.get((call.call_flow or "").lower()),
                from_name=call.caller_id_name or "",
            )
            for call in await self.client.list_current_calls()
        ]

    # -- helpers -------------------------------------------------------------------

    async def _load_extensions(self, *, retry: bool) -> list[Extension]:
        wire = await self.client.list_extensions(retry=retry)
        extensions = [
            Extension(id=str(e.id), number=e.number, name=e.label or "") for e in wire
        ]
        self._extensions = {e.id: e for e in extensions}
        self._wire_names = {str(e.id): e.name for e in wire}
        return extensions

    async def _extension(self, extension_id: str) -> Extension:
        """Find an extension for a write (the list is read once, then cached)."""
        if extension_id not in self._extensions:
            await self._load_extensions(retry=False)
        try:
            return self._extensions[extension_id]
        except KeyError:
            msg = f"Extension {extension_id} does not exist on this {DISPLAY_NAME}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR) from None

    async def _read_phones(self, ids: list[str]) -> dict[str, PhoneProperties]:
        """Read these phones (a few at a time) into the cache; return them."""
        limit = asyncio.Semaphore(PHONE_READ_CONCURRENCY)
        started = self._phones.now()

        async def read(extension_id: str) -> PhoneProperties:
            async with limit:
                phone = await self.client.get_phone(extension_id)
            self._phones.store_read(extension_id, phone, started=started)
            return phone

        phones = await gather_or_cancel(*(read(i) for i in ids))
        return dict(zip(ids, phones, strict=True))

    async def _dnd_status_id(self) -> int | None:
        """The call status used for DND; ``None`` when DND is not configured."""
        return None

    async def _dnd_status_id_for_refresh(self) -> int | None:
        """The DND call status for a bulk refresh, which never fails over it."""
        return None

    def _known_dnd_status_id(self) -> int | None:
        """The DND call status id if it was looked up already (no request)."""
        return None

    def _dnd_of(self, phone: PhoneProperties, dnd_id: int | None) -> bool | None:
        if dnd_id is None:
            return None
        return phone.call_status_id == dnd_id

    def _status_after_write(
        self, extension: Extension, phone: PhoneProperties
    ) -> ExtensionStatus:
        """The status a write answered; nothing is re-read after a write succeeded."""
        return ExtensionStatus(
            extension=extension,
            dnd=self._dnd_of(phone, self._known_dnd_status_id()),
            forward_to=phone.external_number,
        )


class TelphinDndBackend(TelphinBackend):
    """Telphin with DND mapped onto a named call status.

    Switching DND on remembers the extension's previous call status here, in
    memory, and switching it off restores it. After a restart that memory is
    gone: DND off then assigns ``available_call_status`` when it is configured,
    or removes the call status.

    Args:
        client: The vendor client.
        dnd_call_status: Name of the call status that means DND.
        available_call_status: Name of the status DND off assigns, if any.
    """

    capabilities: ClassVar[frozenset[Capability]] = TelphinBackend.capabilities | {
        Capability.DND
    }
    bulk_reads_phones: ClassVar[bool] = True

    def __init__(
        self,
        client: TelphinClient,
        *,
        dnd_call_status: str,
        available_call_status: str | None = None,
    ) -> None:
        super().__init__(client)
        self._dnd_name = dnd_call_status
        self._available_name = available_call_status
        self._status_ids: dict[str, int] | None = None
        self._previous: dict[str, int | None] = {}

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Assign the DND call status, or give back the one it replaced."""
        extension = await self._extension(extension_id)
        dnd_id = await self._resolve(self._dnd_name, "dnd_call_status", retry=False)
        available_id = (
            await self._resolve(
                self._available_name, "available_call_status", retry=False
            )
            if self._available_name
            else None
        )
        started = self._phones.now()
        phone = await self.client.get_phone(extension.id, retry=False)
        self._phones.store_read(extension.id, phone, started=started)
        current = phone.call_status_id
        if enabled and current != dnd_id:
            self._previous[extension.id] = current
            phone = await self.client.set_call_status(extension.id, dnd_id)
            self._phones.store_write(extension.id, phone)
        elif not enabled and current == dnd_id:
            restore = self._previous.pop(extension.id, None)
            target = available_id if available_id is not None else restore
            phone = await self.client.set_call_status(extension.id, target)
            self._phones.store_write(extension.id, phone)
        return self._status_after_write(extension, phone)

    async def _dnd_status_id(self) -> int | None:
        return await self._resolve(self._dnd_name, "dnd_call_status", retry=True)

    async def _dnd_status_id_for_refresh(self) -> int | None:
        # A DND status that does not exist (a typo, or renamed in Telphin) must
        # not take every status down with it, nor cost a call-status list read
        # on every refresh: the refresh shows DND as unknown and logs why once;
        # set_dnd and ``status EXT`` still refuse with the full explanation.
        if self._status_ids is not None and self._known_dnd_status_id() is None:
            return None
        try:
            return await self._dnd_status_id()
        except SwitchboardConfigError as err:
            _LOGGER.warning("DND is shown as unknown: %s", err.message)
            return None

    def _known_dnd_status_id(self) -> int | None:
        if self._status_ids is None:
            return None
        return self._status_ids.get(self._dnd_name.strip().casefold())

    async def _resolve(self, name: str | None, setting: str, *, retry: bool) -> int:
        """Find a call status id by name (case-insensitive); the list is cached."""
        wanted = (name or "").strip().casefold()
        if self._status_ids is None or wanted not in self._status_ids:
            statuses = await self.client.list_call_statuses(retry=retry)
            self._status_ids = _by_name(statuses)
        try:
            return self._status_ids[wanted]
        except KeyError:
            known = ", ".join(sorted(repr(n) for n in self._status_ids)) or "none"
            msg = (
                f"The call status {name!r} named in {setting} does not exist on this "
                f"{DISPLAY_NAME} account. Its call statuses are: {known}."
            )
            raise SwitchboardConfigError(msg, vendor=VENDOR) from None


def _by_name(statuses: list[CallStatus]) -> dict[str, int]:
    return {s.name.strip().casefold(): s.id for s in statuses}
