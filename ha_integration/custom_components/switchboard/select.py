"""Selects: presence, office-hours overrides and extension features.

Extension features (PBXware's enhanced services: Available / Unavailable / PIN
required) are one select per feature per extension, disabled by default.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory, Platform

from switchboard.core.capabilities import Capability
from switchboard.core.models import OfficeHoursState, Presence

from .coordinator import OFFICE_HOURS_KEY
from .entity import (
    Kind,
    SwitchboardEntity,
    SwitchboardEntityDescription,
    async_add_dynamic_entities,
)
from .helpers import switchboard_exception_handler

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from switchboard.core.backend import PbxBackend

    from .coordinator import SwitchboardConfigEntry, SwitchboardData

# One write at a time per PBX: vendors count requests, and a burst of changes from
# a scene should not trip their rate limits.
PARALLEL_UPDATES = 1

Patch = Callable[["SwitchboardData"], "SwitchboardData"]


@dataclass(frozen=True, kw_only=True)
class SwitchboardSelectEntityDescription(
    SwitchboardEntityDescription, SelectEntityDescription
):
    """A select: where its option comes from and how the PBX changes it."""

    current_fn: Callable[[SwitchboardData, str], str | None]
    select_fn: Callable[[PbxBackend, str, str], Awaitable[Patch]]


def _presence(data: SwitchboardData, extension_id: str) -> str | None:
    presence = data.statuses[extension_id].presence
    return presence.value if presence is not None else None


async def _set_presence(backend: PbxBackend, extension_id: str, option: str) -> Patch:
    status = await backend.set_presence(extension_id, Presence(option))
    return lambda data: data.with_status(status)


async def _set_office_hours(backend: PbxBackend, hours_id: str, option: str) -> Patch:
    hours = await backend.set_office_hours(hours_id, OfficeHoursState(option))
    return lambda data: data.with_office_hours(hours)


FEATURE_KEY_PREFIX = "feature_"


def _feature(key: str, data: SwitchboardData, extension_id: str) -> str | None:
    return data.features.get(extension_id, {}).get(key)


async def _set_feature(
    key: str, backend: PbxBackend, extension_id: str, option: str
) -> Patch:
    feature = await backend.set_feature(extension_id, key, option)
    return lambda data: data.with_feature(extension_id, key, feature.value)


def feature_selects(
    backend: PbxBackend,
) -> tuple[SwitchboardSelectEntityDescription, ...]:
    """One select per feature the vendor declares (none without the capability)."""
    return tuple(
        SwitchboardSelectEntityDescription(
            key=f"{FEATURE_KEY_PREFIX}{spec.key}",
            translation_key="extension_feature",
            name=spec.name,
            options=[option.key for option in spec.options],
            kind=Kind.EXTENSION,
            capability=Capability.EXTENSION_FEATURES,
            # An admin's setting, rarely changed: out of the way, and each
            # enabled one costs a PBX request per refresh.
            entity_category=EntityCategory.CONFIG,
            entity_registry_enabled_default=False,
            current_fn=partial(_feature, spec.key),
            select_fn=partial(_set_feature, spec.key),
        )
        for spec in backend.feature_specs
    )


SELECTS: tuple[SwitchboardSelectEntityDescription, ...] = (
    SwitchboardSelectEntityDescription(
        key="presence",
        translation_key="presence",
        options=[presence.value for presence in Presence],
        kind=Kind.EXTENSION,
        capability=Capability.PRESENCE,
        current_fn=_presence,
        select_fn=_set_presence,
    ),
    SwitchboardSelectEntityDescription(
        key=OFFICE_HOURS_KEY,
        translation_key="office_hours",
        options=[state.value for state in OfficeHoursState],
        kind=Kind.OFFICE_HOURS,
        capability=Capability.OFFICE_HOURS,
        current_fn=lambda data, hours: data.office_hours[hours].state.value,
        select_fn=_set_office_hours,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up presence, office-hours and feature selects, now and as they appear."""
    async_add_dynamic_entities(
        entry, async_add_entities, Platform.SELECT, SELECTS, SwitchboardSelect
    )
    async_add_dynamic_entities(
        entry,
        async_add_entities,
        Platform.SELECT,
        feature_selects(entry.runtime_data.backend),
        SwitchboardFeatureSelect,
    )


class SwitchboardSelect(SwitchboardEntity, SelectEntity):
    """A Switchboard select."""

    entity_description: SwitchboardSelectEntityDescription

    @property
    def current_option(self) -> str | None:
        """Return the option the PBX reported."""
        return self.entity_description.current_fn(self.coordinator.data, self.subject)

    def snapshot(self) -> object:
        """Return what the entity shows."""
        return self.current_option

    @switchboard_exception_handler
    async def async_select_option(self, option: str) -> None:
        """Change the option at the PBX."""
        patch = await self.entity_description.select_fn(
            self.coordinator.backend, self.subject, option
        )
        self.coordinator.async_set_updated_data(patch(self.coordinator.data))


class SwitchboardFeatureSelect(SwitchboardSelect):
    """An extension feature: read only while enabled, refreshed with the coordinator."""

    async def async_added_to_hass(self) -> None:
        """Start reading this extension's features, and read them now."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.watch_features(self.subject))
        await self.coordinator.async_request_refresh()

    @property
    def available(self) -> bool:
        """Unavailable until the PBX has told this extension's features."""
        return super().available and self.subject in self.coordinator.data.features
