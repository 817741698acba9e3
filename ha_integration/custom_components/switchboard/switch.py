"""Switches: an extension's do-not-disturb, and each day/night flow of the PBX."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform

from switchboard.core.capabilities import Capability

from .coordinator import FLOW_KEY
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

# One write at a time per PBX: vendors count requests, and a burst of toggles from
# a scene should not trip their rate limits.
PARALLEL_UPDATES = 1

Patch = Callable[["SwitchboardData"], "SwitchboardData"]


@dataclass(frozen=True, kw_only=True)
class SwitchboardSwitchEntityDescription(
    SwitchboardEntityDescription, SwitchEntityDescription
):
    """A switch: where its state comes from and how the PBX switches it.

    ``set_fn`` returns a patch for the coordinator's data built from the PBX's
    answer, so the new state shows at once without another refresh.
    """

    is_on_fn: Callable[[SwitchboardData, str], bool | None]
    set_fn: Callable[[PbxBackend, str, bool], Awaitable[Patch]]


async def _set_dnd(backend: PbxBackend, extension_id: str, on: bool) -> Patch:  # noqa: FBT001
    status = await backend.set_dnd(extension_id, enabled=on)
    return lambda data: data.with_status(status)


async def _set_flow(backend: PbxBackend, flow_id: str, on: bool) -> Patch:  # noqa: FBT001
    flow = await backend.set_flow(flow_id, active=on)
    return lambda data: data.with_flow(flow)


SWITCHES: tuple[SwitchboardSwitchEntityDescription, ...] = (
    SwitchboardSwitchEntityDescription(
        key="dnd",
        translation_key="dnd",
        kind=Kind.EXTENSION,
        capability=Capability.DND,
        is_on_fn=lambda data, ext: data.statuses[ext].dnd,
        set_fn=_set_dnd,
    ),
    SwitchboardSwitchEntityDescription(
        key=FLOW_KEY,
        translation_key="flow",
        kind=Kind.FLOW,
        capability=Capability.FLOWS,
        is_on_fn=lambda data, flow: data.flows[flow].active,
        set_fn=_set_flow,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up DND and flow switches, now and as extensions and flows appear."""
    async_add_dynamic_entities(
        entry, async_add_entities, Platform.SWITCH, SWITCHES, SwitchboardSwitch
    )


class SwitchboardSwitch(SwitchboardEntity, SwitchEntity):
    """A Switchboard switch."""

    entity_description: SwitchboardSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """Return the state the PBX reported."""
        return self.entity_description.is_on_fn(self.coordinator.data, self.subject)

    def snapshot(self) -> object:
        """Return what the entity shows."""
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:  # noqa: ARG002
        """Switch on at the PBX."""
        await self._async_set(on=True)

    async def async_turn_off(self, **kwargs: Any) -> None:  # noqa: ARG002
        """Switch off at the PBX."""
        await self._async_set(on=False)

    @switchboard_exception_handler
    async def _async_set(self, *, on: bool) -> None:
        patch = await self.entity_description.set_fn(
            self.coordinator.backend, self.subject, on
        )
        self.coordinator.async_set_updated_data(patch(self.coordinator.data))
