"""Binary sensors: is an extension's phone registered, on a call; is the PBX pushing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory, Platform

from switchboard.core.capabilities import Capability

from .entity import (
    Kind,
    SwitchboardEntity,
    SwitchboardEntityDescription,
    async_add_dynamic_entities,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SwitchboardConfigEntry, SwitchboardCoordinator

# Read-only entities fed by the coordinator: nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SwitchboardBinarySensorEntityDescription(
    SwitchboardEntityDescription, BinarySensorEntityDescription
):
    """A binary sensor read from the coordinator (its last refresh's data)."""

    value_fn: Callable[[SwitchboardCoordinator, str], bool | None]


BINARY_SENSORS: tuple[SwitchboardBinarySensorEntityDescription, ...] = (
    SwitchboardBinarySensorEntityDescription(
        key="registered",
        translation_key="registered",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        # A troubleshooting aid: with hundreds of extensions, one more entity each
        # that few users look at. Enable it where a phone's registration matters.
        entity_registry_enabled_default=False,
        kind=Kind.EXTENSION,
        capability=Capability.STATUS,
        # Only for vendors that report registration at all.
        exists_fn=lambda data, ext: data.statuses[ext].registered is not None,
        value_fn=lambda coordinator, ext: coordinator.data.statuses[ext].registered,
    ),
    SwitchboardBinarySensorEntityDescription(
        key="on_call",
        translation_key="on_call",
        kind=Kind.EXTENSION,
        capability=Capability.STATUS,
        exists_fn=lambda data, ext: data.statuses[ext].on_call is not None,
        value_fn=lambda coordinator, ext: coordinator.data.statuses[ext].on_call,
    ),
    SwitchboardBinarySensorEntityDescription(
        key="live_updates",
        translation_key="live_updates",
        # On: the vendor's push feed is connected and changes arrive within a
        # second; off: polled (the feed is down, or cannot be reached).
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        kind=Kind.ACCOUNT,
        # Only vendors that can push: the others are always polled.
        capability=Capability.PUSH,
        value_fn=lambda coordinator, _: coordinator.pushed,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the binary sensors of every extension, now and as they appear."""
    async_add_dynamic_entities(
        entry,
        async_add_entities,
        Platform.BINARY_SENSOR,
        BINARY_SENSORS,
        SwitchboardBinarySensor,
    )


class SwitchboardBinarySensor(SwitchboardEntity, BinarySensorEntity):
    """A Switchboard binary sensor."""

    entity_description: SwitchboardBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return the value the PBX reported."""
        return self.entity_description.value_fn(self.coordinator, self.subject)

    def snapshot(self) -> object:
        """Return what the entity shows."""
        return self.is_on
