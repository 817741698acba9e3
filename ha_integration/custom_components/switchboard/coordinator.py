"""One coordinator per PBX account: polls the backend and keeps the registries tidy.

Where the vendor pushes (switchboard.core.push), the coordinator also listens: a
pushed call change re-reads the live calls at once and updates the entities and the
bus events within a second; the poll becomes a slow safety net.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from switchboard.core.call_events import CallTracker
from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardNotFoundError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
)
from switchboard.core.push import SAFETY_POLL_INTERVAL, PushKind

from .const import CONF_EXTENSIONS, DEFAULT_SCAN_INTERVAL, DOMAIN
from .events import EVENT_TYPES, event_data
from .polling import polling_interval, quota_spent
from .webhooks import async_receive_webhooks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.call_events import CallEvent
    from switchboard.core.models import Call, ExtensionStatus, Flow, OfficeHours
    from switchboard.core.plugin import VendorPlugin

_LOGGER = logging.getLogger(__name__)

# Entity keys of the account-level items, used to find their registry entries when
# the item disappears from the PBX.
FLOW_KEY = "flow"
OFFICE_HOURS_KEY = "office_hours"
# A pushed status change (a Telphin DND switched in its panel, a TelecomX presence)
# is read at once; more within this many seconds wait for its end and share one
# reading. Not the 10 s of ``async_request_refresh``: a second change a few
# seconds after the first would show that late.
STATUS_PUSH_COOLDOWN: Final = 1.0


@dataclass(frozen=True, slots=True)
class SwitchboardData:
    """Everything one refresh learnt, keyed by the vendor's ids."""

    statuses: dict[str, ExtensionStatus]
    flows: dict[str, Flow]
    office_hours: dict[str, OfficeHours]
    calls: dict[str, Call]
    features: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per extension: feature key -> option key, only for watched extensions."""

    def with_status(self, status: ExtensionStatus) -> SwitchboardData:
        """Return a copy with one extension's status replaced (after an action)."""
        return replace(self, statuses={**self.statuses, status.extension.id: status})

    def with_flow(self, flow: Flow) -> SwitchboardData:
        """Return a copy with one flow replaced."""
        return replace(self, flows={**self.flows, flow.id: flow})

    def with_office_hours(self, hours: OfficeHours) -> SwitchboardData:
        """Return a copy with one office-hours schedule replaced."""
        return replace(self, office_hours={**self.office_hours, hours.id: hours})

    def with_feature(self, extension_id: str, key: str, value: str) -> SwitchboardData:
        """Return a copy with one extension feature's value replaced."""
        mine = {**self.features.get(extension_id, {}), key: value}
        return replace(self, features={**self.features, extension_id: mine})

    def with_calls(self, calls: dict[str, Call]) -> SwitchboardData:
        """Return a copy with a pushed reading of the live calls, and *on call* to match.

        Only vendors that push get here (TelecomX, Telphin), and their backends
        answer ``on_call`` from the very reading ``list_calls`` makes: an
        extension is on a call when a current call names it (TelecomX: the
        ``extension`` of the employees' ``calls=true``; Telphin: the
        ``extension_id`` of ``current_calls``). The same rule here keeps one
        definition, and costs no request. Where the backend cannot tell
        (``on_call`` None) it stays unknown.
        """
        talking = {call.extension_id for call in calls.values()}
        statuses = {
            ext_id: status
            if status.on_call is None or status.on_call == (ext_id in talking)
            else status.model_copy(update={"on_call": ext_id in talking})
            for ext_id, status in self.statuses.items()
        }
        return replace(self, statuses=statuses, calls=calls)


@dataclass(slots=True)
class SwitchboardRuntimeData:
    """What a loaded config entry holds at run time."""

    plugin: VendorPlugin[Any]
    backend: PbxBackend
    coordinator: SwitchboardCoordinator


type SwitchboardConfigEntry = ConfigEntry[SwitchboardRuntimeData]


def build_data(
    statuses: Iterable[ExtensionStatus],
    flows: Iterable[Flow],
    office_hours: Iterable[OfficeHours],
    calls: Iterable[Call],
    wanted: frozenset[str],
) -> SwitchboardData:
    """Index one refresh's results; keep only the extensions the user chose to show."""
    return SwitchboardData(
        statuses={
            s.extension.id: s
            for s in statuses
            if not wanted or s.extension.id in wanted
        },
        flows={flow.id: flow for flow in flows},
        office_hours={hours.id: hours for hours in office_hours},
        calls={call.id: call for call in calls},
    )


def extension_identifier(account_id: str, extension_id: str) -> str:
    """Return the device-registry identifier of an extension."""
    return f"{account_id}_{extension_id}"


def entity_unique_id(account_id: str, subject: str, key: str) -> str:
    """Return an entity's unique id: ``{account}_{extension or item}_{key}``."""
    return f"{account_id}_{subject}_{key}"


def call_event_signal(entry_id: str) -> str:
    """The dispatcher signal that carries an entry's call events to its entities."""
    return f"{DOMAIN}_{entry_id}_call_event"


def _moved(identifier: str, old: str, new: str) -> str | None:
    """Return ``identifier`` re-based from account ``old`` to ``new`` (None: not ours)."""
    if identifier == old:
        return new
    if identifier.startswith(f"{old}_"):
        return new + identifier.removeprefix(old)
    return None


async def async_move_account(
    hass: HomeAssistant, entry_id: str, old: str, new: str
) -> None:
    """Re-key an entry's devices and entities when its account id changes.

    The account id starts with the PBX's address where the vendor's API has no
    address-free id (PBXware, MiRTA, Telphin): reconfiguring to a new address keeps
    the devices, entities, their names, areas and history, under the new id.
    """

    @callback
    def entity_update(entity: er.RegistryEntry) -> dict[str, Any] | None:
        moved = _moved(entity.unique_id, old, new)
        return None if moved is None else {"new_unique_id": moved}

    await er.async_migrate_entries(hass, entry_id, entity_update)
    device_registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(device_registry, entry_id):
        identifiers = {
            (domain, _moved(ident, old, new) or ident)
            if domain == DOMAIN
            else (domain, ident)
            for domain, ident in device.identifiers
        }
        if identifiers != device.identifiers:
            device_registry.async_update_device(device.id, new_identifiers=identifiers)


class SwitchboardCoordinator(DataUpdateCoordinator[SwitchboardData]):
    """Polls one PBX account: statuses, flows, office hours and live calls."""

    config_entry: SwitchboardConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SwitchboardConfigEntry,
        backend: PbxBackend,
    ) -> None:
        self.base_interval = DEFAULT_SCAN_INTERVAL
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.base_interval,
            # Data classes compare by value: an unchanged PBX wakes no entity.
            always_update=False,
        )
        self.backend = backend
        # The config flow always sets the unique id (AccountInfo.unique_id).
        self.account_id: str = entry.unique_id or entry.entry_id
        self.wanted = frozenset(entry.options.get(CONF_EXTENSIONS, ()))
        # The PBX's device in the registry, parent of every extension's device.
        self.account_device_id: str | None = None
        # PBX requests one refresh takes: at least one per backend call, more where
        # the vendor's quota shows it (see quota_spent).
        self.refresh_cost = 1
        self._swept: tuple[frozenset[str], ...] | None = None
        # Extensions with an enabled feature entity: only they cost a request
        # (feature selects are disabled by default).
        self._feature_watchers: dict[str, int] = {}
        # The shared definition of call events; it also reads the call history
        # where the vendor keeps one, to catch calls shorter than the interval.
        self.call_tracker = CallTracker()
        # A push and a refresh must not read the calls at once: each reading is
        # diffed against the one before.
        self._calls_lock = asyncio.Lock()
        # Whether the vendor's push stream is connected: then the poll is only a
        # safety net, and slow.
        self._pushed = False
        # Status pushes have their own, short debouncer (see STATUS_PUSH_COOLDOWN).
        self._status_refresh = Debouncer(
            hass,
            _LOGGER,
            cooldown=STATUS_PUSH_COOLDOWN,
            immediate=True,
            function=self.async_refresh,
        )

    @callback
    def watch_features(self, extension_id: str) -> Callable[[], None]:
        """Read this extension's features on every refresh until the callback runs."""
        watchers = self._feature_watchers
        watchers[extension_id] = watchers.get(extension_id, 0) + 1

        @callback
        def unwatch() -> None:
            watchers[extension_id] -= 1
            if not watchers[extension_id]:
                del watchers[extension_id]

        return unwatch

    async def _async_update_data(self) -> SwitchboardData:
        """Fetch everything the PBX supports, one vendor call per kind of data."""
        quota_before = self.backend.rate_limit
        try:
            data, calls_made, events = await self._fetch()
        except SwitchboardError as err:
            self._slow_down()
            raise update_error(err) from err
        # What the vendor counted (it includes any action that ran meanwhile, which
        # errs on the side of polling less); the last estimate when it cannot say.
        spent = quota_spent(quota_before, self.backend.rate_limit)
        self.refresh_cost = max(
            calls_made, self.refresh_cost if spent is None else spent
        )
        self._slow_down()
        if self.data is not None:
            self._fire_call_events(self.data, data, events)
        self._sweep_registries(data)
        return data

    async def _fetch(self) -> tuple[SwitchboardData, int, list[CallEvent]]:
        """Return the data, how many backend calls it took, and the call events."""
        # Sequential on purpose: a rate-limited vendor counts every request anyway,
        # and one refresh every few seconds has no latency to win.
        backend = self.backend
        statuses = await backend.get_statuses(sorted(self.wanted) or None)
        calls_made = 1
        flows: list[Flow] = []
        office_hours: list[OfficeHours] = []
        if backend.supports(Capability.FLOWS):
            flows = await backend.list_flows()
            calls_made += 1
        if backend.supports(Capability.OFFICE_HOURS):
            office_hours = await backend.list_office_hours()
            calls_made += 1
        async with self._calls_lock:
            events = await self.call_tracker.poll(backend)
        calls_made += sum(
            backend.supports(c)
            for c in (Capability.LIVE_CALLS, Capability.CALL_HISTORY)
        )
        calls: list[Call] = list(self.call_tracker.live.values())
        data = build_data(statuses, flows, office_hours, calls, self.wanted)
        features: dict[str, dict[str, str]] = {}
        for extension_id in sorted(self._feature_watchers):
            if extension_id not in data.statuses:
                continue
            calls_made += 1
            try:
                found = await backend.list_features(extension_id)
            except (SwitchboardNotFoundError, SwitchboardResponseError) as err:
                # One extension's answer must not blank every other entity.
                _LOGGER.debug("No features for %s: %s", extension_id, err.message)
                continue
            features[extension_id] = {f.spec.key: f.value for f in found}
        return replace(data, features=features), calls_made, events

    @callback
    def async_start_push(self) -> None:
        """Listen to the vendor's pushes, where it has them (until the entry unloads)."""
        if not self.backend.supports(Capability.PUSH):
            return
        self.config_entry.async_create_background_task(
            self.hass, self._listen(), f"{DOMAIN} push {self.config_entry.title}"
        )

    async def async_shutdown(self) -> None:
        """Cancel any scheduled refresh, the status pushes' one too."""
        await super().async_shutdown()
        self._status_refresh.async_shutdown()

    @property
    def pushed(self) -> bool:
        """Whether the vendor's push feed is connected (else: polled only)."""
        return self._pushed

    async def _listen(self) -> None:
        """Follow the push stream; poll slowly only while it is connected."""
        if self.backend.receives_webhooks and not await async_receive_webhooks(
            self.hass, self.config_entry, self.backend
        ):
            return
        async for signal in self.backend.push_signals():
            pushed = signal.kind is not PushKind.LOST
            if pushed != self._pushed:
                self._pushed = pushed
                # The "Live updates" entity; a refresh that finds the same data
                # tells nobody (always_update=False).
                self.async_update_listeners()
            try:
                if signal.kind is PushKind.CALLS:
                    await self._push_calls()
                elif signal.kind is PushKind.STATUS:
                    # A refresh at once (Telphin reads the changed phone first:
                    # PhoneCache.mark_changed); a burst costs one more at most.
                    await self._status_refresh.async_call()
                else:
                    # Once per connection: read everything now (what the stream
                    # missed), and schedule the next poll at the new pace.
                    await self.async_refresh()
            except SwitchboardError as err:
                # The safety poll heals what this reading missed.
                _LOGGER.debug("Reading after a push failed: %s", err.message)

    async def _push_calls(self) -> None:
        """Re-read the live calls after a push; update entities and fire events.

        Pushes are followed only after the first refresh, so there is data.
        """
        async with self._calls_lock:
            events = await self.call_tracker.poll(self.backend)
        data = self.data.with_calls(self.call_tracker.live)
        self._fire_call_events(self.data, data, events)
        self._slow_down()  # the pace depends on whether a call is in progress
        self.async_set_updated_data(data)

    def _slow_down(self) -> None:
        """Stretch the polling interval when the vendor's quota runs low."""
        base = self.base_interval
        # Pushed and idle: only a safety net. A call in progress is still read at
        # the normal pace: no vendor pushes the answer (TelecomX has no answer
        # event), and a call last seen unanswered that ends would count as missed.
        if self._pushed and not self.call_tracker.live:
            base = max(base, SAFETY_POLL_INTERVAL)
        interval = polling_interval(base, self.backend.rate_limit, self.refresh_cost)
        if interval != self.update_interval:
            _LOGGER.debug(
                "Polling %s every %.0f s to stay within its request quota",
                self.config_entry.title,
                interval.total_seconds(),
            )
            self.update_interval = interval

    def _fire_call_events(
        self,
        previous: SwitchboardData,
        current: SwitchboardData,
        events: list[CallEvent],
    ) -> None:
        if not events:
            return
        entry_id = self.config_entry.entry_id
        statuses = {**previous.statuses, **current.statuses}
        devices = self._extension_devices()
        for event in events:
            call = event.call
            data = event_data(entry_id, call, statuses)
            data[ATTR_DEVICE_ID] = devices.get(call.extension_id or "")
            self.hass.bus.async_fire(EVENT_TYPES[event.type], data)
            async_dispatcher_send(self.hass, call_event_signal(entry_id), event)

    def _extension_devices(self) -> dict[str, str]:
        """Extension id -> its device's id in the registry (for the bus events)."""
        prefix = f"{self.account_id}_"
        registry = dr.async_get(self.hass)
        return {
            ident.removeprefix(prefix): device.id
            for device in dr.async_entries_for_config_entry(
                registry, self.config_entry.entry_id
            )
            for domain, ident in device.identifiers
            if domain == DOMAIN and ident.startswith(prefix)
        }

    def _sweep_registries(self, data: SwitchboardData) -> None:
        """Remove devices of vanished extensions and entities of vanished items.

        Runs on the first refresh (things may have vanished while Home Assistant
        was off) and whenever the set of extensions, flows or schedules changes.
        """
        seen = (
            frozenset(data.statuses),
            frozenset(data.flows),
            frozenset(data.office_hours),
        )
        if seen == self._swept:
            return
        self._swept = seen
        entry_id = self.config_entry.entry_id
        device_registry = dr.async_get(self.hass)
        valid_devices = {self.account_id} | {
            extension_identifier(self.account_id, ext_id) for ext_id in data.statuses
        }
        # An empty list is far more likely a glitch (MiRTA answers some failures
        # with an empty body) than a PBX emptied on purpose: removing everything
        # would lose the names and areas the user gave. Those stay unavailable.
        devices = (
            dr.async_entries_for_config_entry(device_registry, entry_id)
            if data.statuses
            else []
        )
        for device in devices:
            if not any(
                domain == DOMAIN and ident in valid_devices
                for domain, ident in device.identifiers
            ):
                _LOGGER.debug("Removing device %s: gone from the PBX", device.name)
                # Detach rather than delete: a device another integration also
                # shows (a desk phone, say) stays for that integration.
                device_registry.async_update_device(
                    device.id, remove_config_entry_id=entry_id
                )
        valid_items = {
            entity_unique_id(self.account_id, flow_id, FLOW_KEY)
            for flow_id in data.flows
        } | {
            entity_unique_id(self.account_id, hours_id, OFFICE_HOURS_KEY)
            for hours_id in data.office_hours
        }
        # As above: no flows (schedules) at all keeps the entities there were.
        swept_suffixes = tuple(
            f"_{key}"
            for key, items in (
                (FLOW_KEY, data.flows),
                (OFFICE_HOURS_KEY, data.office_hours),
            )
            if items
        )
        entity_registry = er.async_get(self.hass)
        for entity in er.async_entries_for_config_entry(entity_registry, entry_id):
            is_item = entity.unique_id.endswith(swept_suffixes)
            if is_item and entity.unique_id not in valid_items:
                entity_registry.async_remove(entity.entity_id)


def update_error(err: SwitchboardError) -> Exception:
    """Translate a core error raised while polling into the coordinator's terms."""
    placeholders = {"message": err.message}
    if isinstance(err, SwitchboardAuthError) and err.reauth_needed:
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="auth_failed",
            translation_placeholders=placeholders,
        )
    if isinstance(err, SwitchboardRateLimitError):
        return UpdateFailed(
            retry_after=err.retry_after,
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders=placeholders,
        )
    key = "pbx_error"
    if isinstance(err, SwitchboardConnectionError):
        key = "communication_error"
    elif isinstance(err, SwitchboardAuthError):
        key = "permission_denied"
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )
