"""Call events reconstructed from live-call data that changes between polls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import async_capture_events

from switchboard.core.capabilities import Capability
from switchboard.core.models import CallDirection

from .conftest import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.emulator import RingsPhones

EVENTS = ("started", "answered", "ended", "missed")


def test_every_core_event_has_a_bus_event() -> None:
    """The bus events are the core's call events (one shared definition), renamed."""
    from custom_components.switchboard.events import EVENT_TYPES  # noqa: PLC0415

    from switchboard.core.call_events import CallEventType  # noqa: PLC0415

    assert {t.value for t in EVENT_TYPES} == set(EVENTS)
    assert all(EVENT_TYPES[t] == f"switchboard_call_{t.value}" for t in CallEventType)


async def test_call_events_follow_the_pbx(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """Calls that show up and go away on the PBX fire events with their details."""
    backend = init_integration.runtime_data.backend
    if not backend.supports(Capability.LIVE_CALLS):
        pytest.skip("this vendor has no live calls")
    real_calls = await backend.list_calls()
    assert real_calls, "the emulator is seeded with calls in progress"
    captured = {
        name: async_capture_events(hass, f"switchboard_call_{name}") for name in EVENTS
    }

    # The calls were already going on at setup: they fire nothing.
    await advance()
    assert all(not events for events in captured.values())

    async def no_calls() -> list[Any]:
        return []

    with patch.object(backend, "list_calls", no_calls):
        await advance()
    ended = captured["ended"]
    assert {e.data["call_id"] for e in ended} == {c.id for c in real_calls}
    assert all(e.data["config_entry_id"] == init_integration.entry_id for e in ended)
    # Missed: incoming and unanswered (the shared definition), nothing else.
    unanswered = {
        c.id
        for c in real_calls
        if c.answered is False and c.direction is CallDirection.INCOMING
    }
    assert {e.data["call_id"] for e in captured["missed"]} == unanswered

    await advance()
    started = captured["started"]
    assert {e.data["call_id"] for e in started} == {c.id for c in real_calls}
    first = next(e for e in started if e.data["call_id"] == real_calls[0].id)
    assert first.data["from_number"] == real_calls[0].from_number
    assert first.data["to_number"] == real_calls[0].to_number
    answered = {c.id for c in real_calls if c.answered}
    assert {e.data["call_id"] for e in captured["answered"]} == answered


async def test_a_rung_out_call_fires_missed_and_a_dial_does_not(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: RingsPhones,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """An emulator's unanswered incoming call is missed; an unanswered dial is not."""
    backend = init_integration.runtime_data.backend
    missed = async_capture_events(hass, "switchboard_call_missed")
    ended = async_capture_events(hass, "switchboard_call_ended")
    extension = (await backend.list_extensions())[1]
    await advance()
    call_id = emulator.ring(extension.number, "+4533123456")
    await advance()
    emulator.hang_up(call_id)
    dialled = None
    if backend.supports(Capability.DIAL):
        dialled = (await backend.dial(extension.id, "+4570305050")).call_id
        await advance()
        assert dialled is not None
        emulator.hang_up(dialled)
    await advance()

    assert [e.data["call_id"] for e in missed] == [call_id]
    assert missed[0].data["from_number"] == "+4533123456"
    assert missed[0].data["direction"] == "incoming"
    assert missed[0].data["extension"] == extension.number
    if dialled is not None:
        assert dialled in {e.data["call_id"] for e in ended} or any(
            e.data["direction"] == "outgoing" for e in ended
        )


def _extension_device_id(
    hass: HomeAssistant, entry: MockConfigEntry, extension_id: str
) -> str:
    wanted = (DOMAIN, f"{entry.unique_id}_{extension_id}")
    return next(
        device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if wanted in device.identifiers
    )


async def test_the_extensions_event_entity_shows_its_calls(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: RingsPhones,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """One event entity per extension: a rung-out call is 'missed' there, with the
    numbers as attributes; another extension's entity stays quiet. The bus event
    names the extension's device."""
    backend = init_integration.runtime_data.backend
    registry = er.async_get(hass)
    missed = async_capture_events(hass, "switchboard_call_missed")
    extensions = await backend.list_extensions()
    target, other = extensions[1], extensions[2]

    def entity_of(extension_id: str) -> str:
        entity_id = registry.async_get_entity_id(
            "event", DOMAIN, f"{init_integration.unique_id}_{extension_id}_call"
        )
        assert entity_id is not None
        return entity_id

    before_other = hass.states.get(entity_of(other.id))
    assert before_other is not None
    await advance()
    call_id = emulator.ring(target.number, "+4533123456")
    await advance()
    state = hass.states.get(entity_of(target.id))
    assert state is not None
    assert state.attributes["event_type"] == "started"
    assert state.attributes["direction"] == "incoming"
    emulator.hang_up(call_id)
    await advance()

    state = hass.states.get(entity_of(target.id))
    assert state is not None
    assert state.attributes["event_type"] == "missed"
    assert state.attributes["from_number"] == "+4533123456"
    assert state.attributes["call_id"] == call_id
    assert set(state.attributes["event_types"]) == set(EVENTS)
    # The other extension's entity saw nothing.
    after_other = hass.states.get(entity_of(other.id))
    assert after_other is not None
    assert after_other.state == before_other.state
    # The bus event points at the extension's device, for device triggers.
    [event] = [e for e in missed if e.data["call_id"] == call_id]
    assert event.data["device_id"] == _extension_device_id(
        hass, init_integration, target.id
    )


async def test_an_unanswered_dial_is_not_missed_on_the_entity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: RingsPhones,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """A click-to-dial nobody answered ends; it is not a missed call, on any vendor."""
    backend = init_integration.runtime_data.backend
    if not backend.supports(Capability.DIAL):
        pytest.skip("the vendor cannot dial")
    extension = (await backend.list_extensions())[1]
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{init_integration.unique_id}_{extension.id}_call"
    )
    assert entity_id is not None
    await advance()
    dialled = (await backend.dial(extension.id, "+4570305050")).call_id
    await advance()
    emulator.hang_up(dialled)
    await advance()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes.get("event_type") != "missed"
