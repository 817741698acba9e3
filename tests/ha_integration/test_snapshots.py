"""Snapshots (syrupy) of every entity and of the diagnostics, per vendor.

What a user sees — entity ids, names, classes, categories, what is disabled by
default, states and attributes — reviewed in one file per change
(``snapshots/test_snapshots.ambr``; refresh with ``--snapshot-update``). The
snapshot keeps only what Home Assistant versions agree on, so the same file holds
on the oldest and the newest Home Assistant the project is tested on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.extensions.amber import AmberSnapshotExtension

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion
    from syrupy.location import PyTestLocation


class PlainSnapshots(AmberSnapshotExtension):
    """Plain amber files in ``snapshots/``, whichever syrupy and HA plugin run them.

    Home Assistant's serializer changes with Home Assistant (2026.10 keys state
    attributes by an enum) and newer plugins store files elsewhere; the data here
    is plain JSON already (see :func:`plain`), so the plain serializer holds.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "snapshots")


@pytest.fixture
def plain_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(PlainSnapshots)


def plain(data: Any) -> Any:
    """The data as JSON would carry it: enums and other str types as plain strings."""
    return json.loads(json.dumps(data, default=str))


def _entity(hass: HomeAssistant, entry: er.RegistryEntry) -> dict[str, Any]:
    state = hass.states.get(entry.entity_id)
    return {
        "entity_id": entry.entity_id,
        "unique_id": entry.unique_id,
        "translation_key": entry.translation_key,
        "device_class": entry.original_device_class,
        "entity_category": entry.entity_category,
        "disabled_by": entry.disabled_by,
        "name": entry.original_name,
        "state": state.state if state else None,
        "attributes": dict(state.attributes) if state else None,
    }


def _device(device: dr.DeviceEntry) -> dict[str, Any]:
    return {
        "identifiers": sorted(device.identifiers),
        "name": device.name,
        "manufacturer": device.manufacturer,
        "model": device.model,
        "serial_number": device.serial_number,
        "entry_type": device.entry_type,
        "has_parent": device.via_device_id is not None,
    }


async def test_entities_and_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    plain_snapshot: SnapshotAssertion,
) -> None:
    """Every entity and device of a vendor's emulator account, as Home Assistant has it."""
    entry_id = init_integration.entry_id
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry_id)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry_id)
    assert entities
    assert devices
    assert plain(
        sorted((_entity(hass, e) for e in entities), key=lambda e: e["unique_id"])
    ) == plain_snapshot(name="entities")
    assert plain(
        sorted((_device(d) for d in devices), key=lambda d: d["identifiers"])
    ) == plain_snapshot(name="devices")


async def test_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    plain_snapshot: SnapshotAssertion,
) -> None:
    """The diagnostics download, redacted, per vendor."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert plain(diagnostics) == plain_snapshot(exclude=_changes_every_run)


def _changes_every_run(prop: object, path: tuple[tuple[object, type], ...]) -> bool:
    """Quota counters, and the id and start time the emulator gives a live call."""
    if prop == "rate_limit":
        return True
    in_calls = any(key == "calls" for key, _ in path)
    return in_calls and prop in {"id", "started"}
