"""One empty answer must not wipe the registries.

MiRTA's proxy answers "no rows" and some failures alike, with HTTP 200 and an
empty body. One such answer while polling read as "the PBX has no extensions
and no flows" and removed every device and flow entity, with the names, areas
and settings the user had given them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er

from .conftest import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.emulator import Emulator


@pytest.fixture
def vendor() -> str:
    """The vendor whose empty body reads as an empty list."""
    return "mirta"


async def test_an_empty_answer_keeps_devices_and_their_settings(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    advance: Callable[..., Awaitable[None]],
) -> None:
    devices = dr.async_get(hass)
    entities = er.async_get(hass)
    before = {
        d.id
        for d in dr.async_entries_for_config_entry(devices, init_integration.entry_id)
    }
    entity_ids = {
        e.entity_id
        for e in er.async_entries_for_config_entry(entities, init_integration.entry_id)
    }
    some_device = next(
        d
        for d in dr.async_entries_for_config_entry(devices, init_integration.entry_id)
        if d.via_device_id is not None
    )
    devices.async_update_device(some_device.id, name_by_user="Reception desk")
    flow_entity = next(
        e
        for e in er.async_entries_for_config_entry(entities, init_integration.entry_id)
        if e.unique_id.endswith("_flow")
    )

    emulator.faults.empty = -1
    await advance()
    emulator.faults.empty = 0
    after = {
        d.id
        for d in dr.async_entries_for_config_entry(devices, init_integration.entry_id)
    }
    assert after == before
    assert entities.async_get(flow_entity.entity_id) is not None
    assert hass.states.get(flow_entity.entity_id).state == STATE_UNAVAILABLE

    await advance()
    kept = devices.async_get(some_device.id)
    assert kept is not None
    assert kept.name_by_user == "Reception desk"
    assert {
        e.entity_id
        for e in er.async_entries_for_config_entry(entities, init_integration.entry_id)
    } == entity_ids
    assert hass.states.get(flow_entity.entity_id).state != STATE_UNAVAILABLE
    assert all(domain == DOMAIN for domain, _ in kept.identifiers)
