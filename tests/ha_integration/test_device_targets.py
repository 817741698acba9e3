"""Actions aimed at extension devices (the automation editor's target picker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import voluptuous as vol
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from switchboard.core.capabilities import Capability

from .conftest import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend


def extension_devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Extension id -> device id, for the entry's extension devices."""
    account = entry.unique_id
    found: dict[str, str] = {}
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident.startswith(f"{account}_"):
                found[ident.removeprefix(f"{account}_")] = device.id
    return found


async def run(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(DOMAIN, service, data, blocking=True)


async def test_set_dnd_on_several_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """DND for two extensions picked as devices switches exactly those two."""
    if not backend.supports(Capability.DND):
        pytest.skip("the vendor has no DND")
    devices = extension_devices(hass, init_integration)
    statuses = await backend.get_statuses()
    picked = [s.extension.id for s in statuses[:2]]
    others = [s.extension.id for s in statuses[2:]]
    before = {s.extension.id: s.dnd for s in statuses}
    await run(
        hass,
        "set_dnd",
        {"device_id": [devices[ext] for ext in picked], "enabled": True},
    )
    after = {s.extension.id: s.dnd for s in await backend.get_statuses()}
    assert all(after[ext] is True for ext in picked)
    assert all(after[ext] == before[ext] for ext in others)
    # The switches follow at once, without waiting for a poll.
    data = init_integration.runtime_data.coordinator.data
    assert all(data.statuses[ext].dnd is True for ext in picked)


async def test_dial_from_a_device(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Dial from an extension's device places the call from that extension."""
    if not backend.supports(Capability.DIAL):
        pytest.skip("the vendor cannot dial")
    devices = extension_devices(hass, init_integration)
    ext = next(iter(devices))
    calls_before = (
        {c.id for c in await backend.list_calls()}
        if backend.supports(Capability.LIVE_CALLS)
        else set()
    )
    result = await hass.services.async_call(
        DOMAIN,
        "dial",
        {"device_id": devices[ext], "destination": "+4570305050"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    assert result["call_id"]
    if backend.supports(Capability.LIVE_CALLS):
        new = [c for c in await backend.list_calls() if c.id not in calls_before]
        assert new


async def test_dial_refuses_several_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """A call is one extension's: two devices are refused before anything is dialled."""
    devices = list(extension_devices(hass, init_integration).values())[:2]
    with pytest.raises(ServiceValidationError) as caught:
        await run(hass, "dial", {"device_id": devices, "destination": "+4570305050"})
    assert caught.value.translation_key == "one_device_only"


async def test_the_pbx_device_and_foreign_devices_are_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The account's own device, and another integration's, are not extensions."""
    registry = dr.async_get(hass)
    account = next(
        d
        for d in dr.async_entries_for_config_entry(registry, init_integration.entry_id)
        if d.via_device_id is None
    )
    with pytest.raises(ServiceValidationError) as caught:
        await run(hass, "set_dnd", {"device_id": account.id, "enabled": True})
    assert caught.value.translation_key == "not_an_extension"

    other_entry = MockConfigEntry(domain="other")
    other_entry.add_to_hass(hass)
    lamp = registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other", "lamp")}
    )
    for device_id in (lamp.id, "no-such-device"):
        with pytest.raises(ServiceValidationError) as caught:
            await run(hass, "set_dnd", {"device_id": device_id, "enabled": True})
        assert caught.value.translation_key == "device_not_found"


@pytest.mark.parametrize(
    "target",
    [
        {},  # nobody
        {"extension": "101"},  # half of the old way
        {"device_id": ["x"], "extension": "101"},  # both ways at once
    ],
)
async def test_a_target_is_one_way_or_the_other(
    hass: HomeAssistant, init_integration: MockConfigEntry, target: dict[str, Any]
) -> None:
    """Neither, half, or both ways of naming the extension are schema errors."""
    assert init_integration.entry_id  # set up: the refusal is the schema's
    data = {**target, "enabled": True}
    with pytest.raises(vol.Invalid):
        await run(hass, "set_dnd", data)
