"""Event entities: one per extension, for its calls (started, answered, ended, missed).

The core decides what happened to a call (switchboard.core.call_events: a missed call
is an incoming call that ended unanswered); the coordinator hands each event to the
extension's entity through a dispatcher signal, beside the bus event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from switchboard.core.call_events import CallEventType
from switchboard.core.capabilities import Capability

from .coordinator import call_event_signal
from .entity import (
    Kind,
    SwitchboardEntity,
    SwitchboardEntityDescription,
    async_add_dynamic_entities,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from switchboard.core.call_events import CallEvent

    from .coordinator import SwitchboardConfigEntry

# Fed by the coordinator: nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class SwitchboardEventEntityDescription(
    SwitchboardEntityDescription, EventEntityDescription
):
    """An event entity of an extension."""


CALL_EVENTS = SwitchboardEventEntityDescription(
    key="call",
    translation_key="call",
    event_types=[event_type.value for event_type in CallEventType],
    kind=Kind.EXTENSION,
    capability=Capability.LIVE_CALLS,
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up a call event entity per extension, where the PBX reports calls."""
    async_add_dynamic_entities(
        entry,
        async_add_entities,
        Platform.EVENT,
        (CALL_EVENTS,),
        SwitchboardCallEvent,
    )


class SwitchboardCallEvent(SwitchboardEntity, EventEntity):
    """The calls of one extension, as events with the numbers as attributes."""

    entity_description: SwitchboardEventEntityDescription

    async def async_added_to_hass(self) -> None:
        """Listen for this PBX account's call events."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                call_event_signal(self.coordinator.config_entry.entry_id),
                self._handle_call_event,
            )
        )

    @callback
    def _handle_call_event(self, event: CallEvent) -> None:
        call = event.call
        if call.extension_id != self.subject:
            return
        self._trigger_event(
            event.type.value,
            {
                "call_id": call.id,
                "direction": call.direction.value if call.direction else None,
                "from_number": call.from_number,
                "from_name": call.from_name,
                "to_number": call.to_number,
                "answered": call.answered,
            },
        )
        self.async_write_ha_state()

    def snapshot(self) -> object:
        """Nothing between events: the state is the last event, written on it."""
        return None
