"""The base entity, the devices, and adding entities as the PBX grows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import (
    SwitchboardCoordinator,
    SwitchboardData,
    entity_unique_id,
    extension_identifier,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.const import Platform
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from switchboard.core.capabilities import Capability
    from switchboard.core.models import Extension

    from .coordinator import SwitchboardConfigEntry


class Kind(StrEnum):
    """What an entity is about, which decides its device and its subjects."""

    EXTENSION = "extension"
    FLOW = "flow"
    OFFICE_HOURS = "office_hours"
    ACCOUNT = "account"


ACCOUNT_SUBJECT = "account"


def _always(_data: SwitchboardData, _subject: str) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class SwitchboardEntityDescription(EntityDescription):
    """What every Switchboard entity description adds to Home Assistant's.

    Attributes:
        kind: What the entity is about (an extension, a flow, the account...).
        capability: The capability the PBX must declare for the entity to exist.
        exists_fn: Further check on the first data seen, e.g. the vendor reports
            the value at all.
    """

    kind: Kind
    capability: Capability
    exists_fn: Callable[[SwitchboardData, str], bool] = _always


def subjects(data: SwitchboardData, kind: Kind) -> Iterable[str]:
    """Return the ids an entity of ``kind`` can be about."""
    if kind is Kind.EXTENSION:
        return data.statuses
    if kind is Kind.FLOW:
        return data.flows
    if kind is Kind.OFFICE_HOURS:
        return data.office_hours
    return (ACCOUNT_SUBJECT,)


def account_device_info(coordinator: SwitchboardCoordinator) -> DeviceInfo:
    """Return the device of the PBX account: a service, parent of the extensions."""
    plugin = coordinator.config_entry.runtime_data.plugin
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.account_id)},
        name=coordinator.config_entry.title,
        manufacturer=plugin.display_name,
        model=plugin.description or plugin.display_name,
        entry_type=DeviceEntryType.SERVICE,
    )


# HA 2026.8 replaced DeviceInfo["via_device"] (gone in 2027.8) by "via_device_id";
# use whichever this Home Assistant knows, so neither version warns.
_HAS_VIA_DEVICE_ID = "via_device_id" in DeviceInfo.__annotations__


def extension_device_info(
    coordinator: SwitchboardCoordinator, extension: Extension
) -> DeviceInfo:
    """Return the device of one extension, linked to its PBX."""
    plugin = coordinator.config_entry.runtime_data.plugin
    name = (
        f"{extension.name} ({extension.number})" if extension.name else extension.number
    )
    info = DeviceInfo(
        identifiers={
            (DOMAIN, extension_identifier(coordinator.account_id, extension.id))
        },
        name=name,
        manufacturer=plugin.display_name,
        # The extension number is in the name, not the serial number: it is a
        # dialling code the admin may reassign, not an identity of the hardware.
        model="Extension",
    )
    link: dict[str, object] = (
        {"via_device_id": coordinator.account_device_id}
        if _HAS_VIA_DEVICE_ID and coordinator.account_device_id
        else {"via_device": (DOMAIN, coordinator.account_id)}
    )
    return cast("DeviceInfo", {**info, **link})


class SwitchboardEntity(CoordinatorEntity[SwitchboardCoordinator]):
    """Base of every Switchboard entity: one description, one subject."""

    _attr_has_entity_name = True
    entity_description: SwitchboardEntityDescription

    def __init__(
        self,
        coordinator: SwitchboardCoordinator,
        description: SwitchboardEntityDescription,
        subject: str,
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self.subject = subject
        self._attr_unique_id = entity_unique_id(
            coordinator.account_id, subject, description.key
        )
        data = coordinator.data
        if description.kind is Kind.EXTENSION:
            extension = data.statuses[subject].extension
            self._attr_device_info = extension_device_info(coordinator, extension)
        else:
            self._attr_device_info = account_device_info(coordinator)
        # Flows and schedules are named by the PBX's administrator; the translation
        # key still gives them their icon.
        if description.kind is Kind.FLOW:
            self._attr_name = data.flows[subject].name
        elif description.kind is Kind.OFFICE_HOURS:
            self._attr_name = data.office_hours[subject].name
        self._written: object = None

    @property
    def available(self) -> bool:
        """Unavailable when the PBX is unreachable or no longer has the subject."""
        return super().available and self.subject in subjects(
            self.coordinator.data, self.entity_description.kind
        )

    def snapshot(self) -> object:
        """Return what this entity shows; the state is written only when it changes."""
        raise NotImplementedError

    @callback
    def _handle_coordinator_update(self) -> None:
        # With 1,000 extensions one changed DND must not rewrite 4,000 states.
        available = self.available
        current = (available, self.snapshot() if available else None)
        if current != self._written:
            self._written = current
            self.async_write_ha_state()


EntityFactory = Callable[[SwitchboardCoordinator, Any, str], SwitchboardEntity]


@callback
def async_add_dynamic_entities(
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: Platform,
    descriptions: Iterable[SwitchboardEntityDescription],
    factory: EntityFactory,
) -> None:
    """Add the entities the PBX supports now, and those that appear later.

    Entities whose registry entry was removed (their extension or flow vanished)
    are forgotten, so they come back if the PBX gets them back.
    """
    coordinator = entry.runtime_data.coordinator
    backend = entry.runtime_data.backend
    supported = [d for d in descriptions if backend.supports(d.capability)]
    entity_registry = er.async_get(coordinator.hass)
    known: set[tuple[str, str]] = set()
    # Descriptions that exist for every subject change only when the subjects
    # do: with 25 feature selects per extension, 1,000 extensions would
    # otherwise cost 25,000 lookups on every refresh.
    static = all(d.exists_fn is _always for d in supported)
    kinds = sorted({d.kind for d in supported})
    seen: list[tuple[frozenset[str], ...]] = []

    @callback
    def add_new() -> None:
        data = coordinator.data
        if static:
            signature = tuple(frozenset(subjects(data, kind)) for kind in kinds)
            if seen and seen[-1] == signature:
                return
            seen[:] = [signature]
        current = {
            (description.key, subject): description
            for description in supported
            for subject in subjects(data, description.kind)
        }
        for key, subject in known - current.keys():
            unique_id = entity_unique_id(coordinator.account_id, subject, key)
            if entity_registry.async_get_entity_id(platform, DOMAIN, unique_id) is None:
                known.discard((key, subject))
        new = [
            factory(coordinator, description, subject)
            for (key, subject), description in current.items()
            if (key, subject) not in known and description.exists_fn(data, subject)
        ]
        known.update((entity.entity_description.key, entity.subject) for entity in new)
        if new:
            async_add_entities(new)

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))
