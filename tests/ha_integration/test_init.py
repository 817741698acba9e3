"""Setup, unload, failures, recovery and extensions that come and go."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from switchboard.core.capabilities import Capability
from switchboard.core.redaction import RedactingFilter

from .conftest import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator

Advance = "Callable[..., Awaitable[None]]"


def entity_ids(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """The entry's enabled entities (disabled ones have no state)."""
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if not e.disabled
    ]


def extension_devices(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Map each extension device's identifier to its device id."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return {
        ident: device.id
        for device in devices
        for domain, ident in device.identifiers
        if domain == DOMAIN and device.via_device_id is not None
    }


async def test_setup_and_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """The entry loads with a device per extension under a service device, and unloads."""
    statuses = await backend.get_statuses()
    registry = dr.async_get(hass)
    # Looked up by hand: async_get_device is deprecated from HA 2026.8 on.
    account = next(
        device
        for device in dr.async_entries_for_config_entry(
            registry, init_integration.entry_id
        )
        if (DOMAIN, init_integration.unique_id) in device.identifiers
    )
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    assert account.manufacturer
    devices = extension_devices(hass, init_integration)
    assert len(devices) == len(statuses)
    for device_id in devices.values():
        device = registry.async_get(device_id)
        assert device is not None
        assert device.via_device_id == account.id

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED
    for entity_id in entity_ids(hass, init_integration):
        assert hass.states.get(entity_id).state == STATE_UNAVAILABLE


async def test_setup_retries_when_pbx_unreachable(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """A PBX that fails at startup leaves the entry retrying, not broken."""
    emulator.faults.server_errors = -1
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_with_bad_credentials_starts_reauth(
    hass: HomeAssistant, emulator: Emulator, config_entry: MockConfigEntry
) -> None:
    """Refused credentials stop the entry and ask the user to reconnect."""
    emulator.faults.bad_credentials = True
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            {"vendor": "no-such-vendor", "url": "https://pbx.example.com"},
            "vendor_missing",
        ),
        ({"url": "not a url"}, "invalid_settings"),
    ],
)
@pytest.mark.usefixtures("http_client")
async def test_setup_with_broken_entry_data(
    hass: HomeAssistant,
    vendor: str,
    user_input: dict[str, Any],
    data: dict[str, Any],
    reason: str,
) -> None:
    """A missing vendor plugin or invalid stored settings fail setup with a reason."""
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id="x", data={"vendor": vendor, **user_input, **data}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.error_reason_translation_key == reason


async def test_entities_unavailable_while_pbx_down(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every entity goes unavailable while the PBX fails, and comes back after."""
    ids = entity_ids(hass, init_integration)
    assert all(hass.states.get(i).state != STATE_UNAVAILABLE for i in ids)

    emulator.faults.server_errors = -1
    await advance()
    assert all(hass.states.get(i).state == STATE_UNAVAILABLE for i in ids)
    assert "Could not reach the PBX" in caplog.text

    emulator.faults.reset()
    await advance()
    assert all(hass.states.get(i).state != STATE_UNAVAILABLE for i in ids)


async def test_rate_limit_delays_next_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """A rate-limited refresh marks entities unavailable; polling resumes later."""
    ids = entity_ids(hass, init_integration)
    emulator.faults.rate_limited = 1
    await advance()
    assert all(hass.states.get(i).state == STATE_UNAVAILABLE for i in ids)
    # retry_after may stretch the wait; an hour later we are certainly back.
    await advance(3601)
    assert all(hass.states.get(i).state != STATE_UNAVAILABLE for i in ids)


async def test_auth_failure_while_running_starts_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """Credentials revoked while running start the reauth flow."""
    emulator.faults.bad_credentials = True
    await advance()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_extensions_come_and_go(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """A vanished extension's device is removed; it comes back without a reload."""
    backend = init_integration.runtime_data.backend
    real = backend.get_statuses
    before = extension_devices(hass, init_integration)
    entities_before = set(entity_ids(hass, init_integration))
    statuses = await real()
    gone = statuses[-1].extension.id
    gone_ident = f"{init_integration.unique_id}_{gone}"

    async def without_last(extension_ids: list[str] | None = None) -> Any:
        return [s for s in await real(extension_ids) if s.extension.id != gone]

    with patch.object(backend, "get_statuses", without_last):
        await advance()
        after = extension_devices(hass, init_integration)
        assert gone_ident not in after
        assert len(after) == len(before) - 1
        assert len(entity_ids(hass, init_integration)) < len(entities_before)

    await advance()
    assert set(extension_devices(hass, init_integration)) == set(before)
    assert set(entity_ids(hass, init_integration)) == entities_before
    assert init_integration.state is ConfigEntryState.LOADED


async def test_user_may_delete_only_stale_devices(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A device the PBX still has cannot be deleted by hand; a stale one can."""
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    current = next(iter(extension_devices(hass, init_integration).values()))
    stale = registry.async_get_or_create(
        config_entry_id=init_integration.entry_id,
        identifiers={(DOMAIN, f"{init_integration.unique_id}_gone-long-ago")},
    )
    client = await hass_ws_client(hass)
    for device_id, allowed in ((current, False), (stale.id, True)):
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": init_integration.entry_id,
                "device_id": device_id,
            }
        )
        response = await client.receive_json()
        assert response["success"] is allowed
    assert registry.async_get(current) is not None
    assert registry.async_get(stale.id) is None

    # With the PBX not connected there is nothing to compare with: the user decides.
    await hass.config_entries.async_unload(init_integration.entry_id)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": init_integration.entry_id,
            "device_id": current,
        }
    )
    assert (await client.receive_json())["success"] is True


async def test_flows_and_schedules_come_and_go(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """A flow or office-hours schedule that vanishes loses its entity, then returns."""
    backend = init_integration.runtime_data.backend
    if backend.supports(Capability.FLOWS):
        method, platform, key = "list_flows", "switch", "flow"
    elif backend.supports(Capability.OFFICE_HOURS):
        method, platform, key = "list_office_hours", "select", "office_hours"
    else:
        pytest.skip("this vendor has neither flows nor office hours")
    real = getattr(backend, method)
    items = await real()
    gone = items[0].id
    unique_id = f"{init_integration.unique_id}_{gone}_{key}"
    registry = er.async_get(hass)
    assert registry.async_get_entity_id(platform, DOMAIN, unique_id) is not None

    async def without_first() -> Any:
        return [item for item in await real() if item.id != gone]

    with patch.object(backend, method, without_first):
        await advance()
        assert registry.async_get_entity_id(platform, DOMAIN, unique_id) is None

    await advance()
    restored = registry.async_get_entity_id(platform, DOMAIN, unique_id)
    assert restored is not None
    assert hass.states.get(restored).state != STATE_UNAVAILABLE


async def test_library_leaves_other_loggers_alone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """No filter on Home Assistant's, httpx's or the integration's own loggers.

    The library redacts what it logs itself; it does not reach into the host's
    logging (a filter on httpx would rewrite every other integration's records).
    """
    emulator.faults.server_errors = -1
    await advance()  # a failing poll logs, through the coordinator
    assert init_integration.state is ConfigEntryState.LOADED
    loggers = [logging.getLogger()] + [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and not name.startswith("switchboard.")
    ]
    filtered = [
        logger.name
        for logger in loggers
        if any(isinstance(f, RedactingFilter) for f in logger.filters)
    ]
    assert filtered == []
    assert logging.getLogger("custom_components.switchboard.coordinator").filters == []
