"""Sensors: how many calls are in progress on the PBX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import Platform

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

    from .coordinator import SwitchboardConfigEntry, SwitchboardData

# Read-only entities fed by the coordinator: nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SwitchboardSensorEntityDescription(
    SwitchboardEntityDescription, SensorEntityDescription
):
    """A sensor read from one refresh's data."""

    value_fn: Callable[[SwitchboardData, str], int | None]


SENSORS: tuple[SwitchboardSensorEntityDescription, ...] = (
    SwitchboardSensorEntityDescription(
        key="active_calls",
        translation_key="active_calls",
        state_class=SensorStateClass.MEASUREMENT,
        kind=Kind.ACCOUNT,
        capability=Capability.LIVE_CALLS,
        value_fn=lambda data, _: len(data.calls),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the PBX-wide sensors."""
    async_add_dynamic_entities(
        entry, async_add_entities, Platform.SENSOR, SENSORS, SwitchboardSensor
    )


class SwitchboardSensor(SwitchboardEntity, SensorEntity):
    """A Switchboard sensor."""

    entity_description: SwitchboardSensorEntityDescription

    @property
    def native_value(self) -> int | None:
        """Return the value computed from the last refresh."""
        return self.entity_description.value_fn(self.coordinator.data, self.subject)

    def snapshot(self) -> object:
        """Return what the entity shows."""
        return self.native_value
