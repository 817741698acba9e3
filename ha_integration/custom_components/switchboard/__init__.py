"""Switchboard: a hosted PBX (PBXware, MiRTA, TelecomX, Telphin) in Home Assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from pydantic import ValidationError

from switchboard.core.errors import SwitchboardConfigError

from .const import CONF_VENDOR, DOMAIN
from .coordinator import (
    SwitchboardConfigEntry,
    SwitchboardCoordinator,
    SwitchboardRuntimeData,
    extension_identifier,
)
from .entity import account_device_info
from .helpers import async_create_backend
from .services import async_setup_services
from .webhooks import async_delete_cloudhook

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.device_registry import DeviceEntry
    from homeassistant.helpers.typing import ConfigType

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:  # noqa: ARG001
    """Register the actions, once for all PBX accounts."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SwitchboardConfigEntry) -> bool:
    """Connect to the PBX, fetch its state once, then set up the entities."""
    try:
        plugin, backend = await async_create_backend(hass, entry.data)
    except SwitchboardConfigError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="vendor_missing",
            translation_placeholders={"vendor": str(entry.data.get(CONF_VENDOR))},
        ) from err
    except ValidationError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="invalid_settings"
        ) from err
    coordinator = SwitchboardCoordinator(hass, entry, backend)
    entry.async_on_unload(backend.aclose)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SwitchboardRuntimeData(plugin, backend, coordinator)
    # The PBX's own device first, so that every extension device can link to it.
    account_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(coordinator)
    )
    coordinator.account_device_id = account_device.id
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_start_push()
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: SwitchboardConfigEntry
) -> bool:
    """Unload the entities; the backend is closed by the on-unload callback."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: SwitchboardConfigEntry
) -> None:
    """Delete the entry's Home Assistant Cloud webhook, where it had one."""
    await async_delete_cloudhook(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
    device: DeviceEntry,
) -> bool:
    """Let the user delete an extension's device once the PBX no longer has it."""
    if entry.state is not ConfigEntryState.LOADED:
        return True  # nothing to compare with; the user knows best
    coordinator = entry.runtime_data.coordinator
    current = {coordinator.account_id} | {
        extension_identifier(coordinator.account_id, ext_id)
        for ext_id in coordinator.data.statuses
    }
    return not any(
        domain == DOMAIN and ident in current for domain, ident in device.identifiers
    )
