"""Entities show the emulator's state, and changing them changes the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from switchboard.core.capabilities import Capability
from switchboard.core.models import OfficeHoursState, Presence

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator


def entity_id(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, subject: str, key: str
) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        platform, "switchboard", f"{entry.unique_id}_{subject}_{key}"
    )


async def test_registered_is_disabled_by_default(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """The registration sensor exists where the vendor reports it, but starts disabled."""
    registry = er.async_get(hass)
    reported = [
        s.extension.id for s in await backend.get_statuses() if s.registered is not None
    ]
    for ext in reported:
        found = entity_id(hass, init_integration, "binary_sensor", ext, "registered")
        assert found is not None
        entry = registry.async_get(found)
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(found) is None


def on_off(value: bool | None) -> str:
    if value is None:
        return STATE_UNKNOWN
    return STATE_ON if value else STATE_OFF


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_entities_match_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Every entity shows what the PBX reports, and exists only where supported."""
    entry = init_integration
    for status in await backend.get_statuses():
        ext = status.extension.id
        checks = [
            (
                "binary_sensor",
                "registered",
                status.registered is not None,
                on_off(status.registered),
            ),
            (
                "binary_sensor",
                "on_call",
                status.on_call is not None,
                on_off(status.on_call),
            ),
            ("switch", "dnd", backend.supports(Capability.DND), on_off(status.dnd)),
            (
                "select",
                "presence",
                backend.supports(Capability.PRESENCE),
                status.presence.value if status.presence else STATE_UNKNOWN,
            ),
        ]
        for platform, key, exists, expected in checks:
            found = entity_id(hass, entry, platform, ext, key)
            assert (found is not None) is exists, (platform, key, ext)
            if found:
                assert hass.states.get(found).state == expected, found

    flows = await backend.list_flows() if backend.supports(Capability.FLOWS) else []
    for flow in flows:
        found = entity_id(hass, entry, "switch", flow.id, "flow")
        assert found is not None
        state = hass.states.get(found)
        assert state.state == on_off(flow.active)
        assert state.name.endswith(flow.name)

    schedules = (
        await backend.list_office_hours()
        if backend.supports(Capability.OFFICE_HOURS)
        else []
    )
    for hours in schedules:
        found = entity_id(hass, entry, "select", hours.id, "office_hours")
        assert found is not None
        assert hass.states.get(found).state == hours.state.value
        assert hass.states.get(found).attributes["options"] == ["on", "off", "inherit"]

    calls = entity_id(hass, entry, "sensor", "account", "active_calls")
    assert (calls is not None) is backend.supports(Capability.LIVE_CALLS)
    if calls:
        assert hass.states.get(calls).state == str(len(await backend.list_calls()))

    registry = er.async_get(hass)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    assert all(e.translation_key for e in entities)
    assert all(e.has_entity_name for e in entities)


async def test_dnd_switch_changes_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Switching DND in Home Assistant switches it on the PBX, and back."""
    if not backend.supports(Capability.DND):
        pytest.skip("this vendor has no DND")
    status = next(s for s in await backend.get_statuses() if s.registered)
    target = entity_id(hass, init_integration, "switch", status.extension.id, "dnd")
    assert target is not None

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": target}, blocking=True
    )
    assert (await backend.get_status(status.extension.id)).dnd is True
    assert hass.states.get(target).state == STATE_ON

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": target}, blocking=True
    )
    assert (await backend.get_status(status.extension.id)).dnd is False
    assert hass.states.get(target).state == STATE_OFF


async def test_flow_switch_changes_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Switching a day/night flow in Home Assistant switches it on the PBX."""
    if not backend.supports(Capability.FLOWS):
        pytest.skip("this vendor has no flows")
    flow = next(f for f in await backend.list_flows() if not f.active)
    target = entity_id(hass, init_integration, "switch", flow.id, "flow")
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": target}, blocking=True
    )
    assert next(f for f in await backend.list_flows() if f.id == flow.id).active
    assert hass.states.get(target).state == STATE_ON


async def test_presence_select_changes_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Choosing a presence in Home Assistant sets it on the PBX."""
    if not backend.supports(Capability.PRESENCE):
        pytest.skip("this vendor has no presence")
    status = (await backend.get_statuses())[0]
    wanted = next(p for p in Presence if p != status.presence)
    target = entity_id(
        hass, init_integration, "select", status.extension.id, "presence"
    )
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": target, "option": wanted.value},
        blocking=True,
    )
    assert (await backend.get_status(status.extension.id)).presence == wanted
    assert hass.states.get(target).state == wanted.value


async def test_office_hours_select_changes_the_pbx(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Forcing office hours open in Home Assistant forces them on the PBX."""
    if not backend.supports(Capability.OFFICE_HOURS):
        pytest.skip("this vendor has no office hours")
    hours = next(
        h for h in await backend.list_office_hours() if h.state != OfficeHoursState.OFF
    )
    target = entity_id(hass, init_integration, "select", hours.id, "office_hours")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": target, "option": "off"}, blocking=True
    )
    changed = next(h for h in await backend.list_office_hours() if h.id == hours.id)
    assert changed.state is OfficeHoursState.OFF
    assert hass.states.get(target).state == "off"


async def test_failed_switch_raises_and_marks_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
) -> None:
    """A PBX that fails a switch gives a translated error; entities show the outage."""
    if not backend.supports(Capability.DND):
        pytest.skip("this vendor has no DND")
    status = (await backend.get_statuses())[0]
    target = entity_id(hass, init_integration, "switch", status.extension.id, "dnd")
    emulator.faults.server_errors = -1
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": target}, blocking=True
        )
    assert caught.value.translation_key == "communication_error"
    assert str(caught.value).startswith("Could not reach the PBX:")
    assert hass.states.get(target).state == STATE_UNAVAILABLE


async def test_refused_credentials_on_switch_start_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
) -> None:
    """Credentials refused during an action give a clear error and start reauth."""
    if not backend.supports(Capability.DND):
        pytest.skip("this vendor has no DND")
    status = (await backend.get_statuses())[0]
    target = entity_id(hass, init_integration, "switch", status.extension.id, "dnd")
    emulator.faults.bad_credentials = True
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            "switch", "turn_on", {"entity_id": target}, blocking=True
        )
    assert caught.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler("switchboard")
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
