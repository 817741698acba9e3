"""The config, reauth, reconfigure and options flows, against the real emulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from switchboard.core.errors import SwitchboardInvalidInputError
from switchboard.core.registry import reset_discovery

from .conftest import DOMAIN, TIMEOUT

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator
    from switchboard.core.plugin import VendorPlugin


INTEGRATION = (
    Path(__file__).resolve().parents[2] / "ha_integration/custom_components/switchboard"
)


def secret_fields(plugin: VendorPlugin[Any]) -> list[str]:
    return plugin.settings_model.secret_field_names()


async def start_connection_step(hass: HomeAssistant, vendor: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"vendor": vendor}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "connection"
    return dict(result)


@pytest.mark.usefixtures("http_client")
async def test_user_flow_creates_entry(
    hass: HomeAssistant,
    vendor: str,
    plugin: VendorPlugin[Any],
    user_input: dict[str, Any],
    backend: PbxBackend,
) -> None:
    """Picking the vendor and entering its settings saves a tested entry."""
    result = await start_connection_step(hass, vendor)
    assert result["description_placeholders"]["vendor"] == plugin.display_name
    shown = {str(key) for key in result["data_schema"].schema}
    assert "max_retries" not in shown
    assert set(secret_fields(plugin)) <= shown

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()

    info = await backend.account_info()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == info.name
    assert result["result"].unique_id == info.unique_id
    assert result["data"]["vendor"] == vendor
    for name in secret_fields(plugin):
        if name in user_input:
            assert result["data"][name] == user_input[name]
    assert result["result"].state is ConfigEntryState.LOADED
    # A vendor that pushes by webhook while nothing on the internet can reach this
    # Home Assistant (no external URL, no Home Assistant Cloud here): the dialog
    # that closes the flow says the calls are polled, and what to set.
    if backend.receives_webhooks:
        assert result["description"] == "polled_without_push_url"
        assert result["description_placeholders"] == {"vendor": plugin.display_name}
    else:
        assert result["description"] is None


async def test_the_polled_without_push_url_message_says_what_to_set() -> None:
    """Home Assistant shows config.create_entry.<description> when the entry is made."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    message = strings["config"]["create_entry"]["polled_without_push_url"]
    assert "polled (up to 30 s late" in message
    assert "external URL" in message
    assert "Home Assistant Cloud" in message
    assert "{vendor} push" in message


@pytest.mark.parametrize("vendor", ["telphin"])
@pytest.mark.usefixtures("http_client")
async def test_with_an_external_url_the_flow_says_nothing_of_polling(
    hass: HomeAssistant, vendor: str, user_input: dict[str, Any]
) -> None:
    await async_process_ha_core_config(hass, {"external_url": "https://ha.example.net"})
    result = await start_connection_step(hass, vendor)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] is None
    assert await hass.config_entries.async_unload(result["result"].entry_id)


@pytest.mark.usefixtures("http_client")
@pytest.mark.parametrize(
    ("fault", "value", "error"),
    [
        ("bad_credentials", True, "invalid_auth"),
        ("server_errors", -1, "cannot_connect"),
        ("hangs", -1, "timeout_connect"),
        ("malformed", -1, "invalid_response"),
    ],
)
async def test_user_flow_recovers_from_errors(  # noqa: PLR0917 - pytest fixtures
    hass: HomeAssistant,
    vendor: str,
    emulator: Emulator,
    user_input: dict[str, Any],
    fault: str,
    value: object,
    error: str,
) -> None:
    """A failing PBX shows the error on the form; once fixed, the flow finishes."""
    result = await start_connection_step(hass, vendor)
    setattr(emulator.faults, fault, value)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    for secret in emulator_secrets(user_input, vendor):
        assert secret not in str(result)

    emulator.faults.reset()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


def emulator_secrets(user_input: dict[str, Any], vendor: str) -> list[str]:
    from switchboard.core.registry import get_vendor  # noqa: PLC0415

    return [
        str(user_input[name])
        for name in get_vendor(vendor).settings_model.secret_field_names()
        if name in user_input
    ]


@pytest.mark.usefixtures("http_client")
async def test_user_flow_invalid_setting(
    hass: HomeAssistant, vendor: str, user_input: dict[str, Any]
) -> None:
    """A value the vendor's settings reject is flagged on its field, with the reason."""
    result = await start_connection_step(hass, vendor)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**user_input, "url": "ftp://pbx.example.com"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"url": "invalid_setting"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("http_client")
@pytest.mark.parametrize(
    "side_effect", [RuntimeError("boom"), SwitchboardInvalidInputError("odd")]
)
async def test_user_flow_unknown_error(
    hass: HomeAssistant,
    vendor: str,
    backend: PbxBackend,
    user_input: dict[str, Any],
    side_effect: Exception,
) -> None:
    """Anything unexpected is 'unknown', and the flow still recovers."""
    result = await start_connection_step(hass, vendor)
    with patch.object(type(backend), "account_info", side_effect=side_effect):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], user_input
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "boom" not in str(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_duplicate_account_aborts(
    hass: HomeAssistant,
    vendor: str,
    init_integration: MockConfigEntry,
    user_input: dict[str, Any],
) -> None:
    """The same PBX account cannot be added twice."""
    result = await start_connection_step(hass, vendor)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_no_vendor_installed_aborts(hass: HomeAssistant) -> None:
    """Without any vendor plugin there is nothing to set up, and the user is told."""
    with patch(
        "custom_components.switchboard.helpers.available_vendors", return_value={}
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_vendors"


async def test_reauth(
    hass: HomeAssistant,
    plugin: VendorPlugin[Any],
    emulator: Emulator,
    init_integration: MockConfigEntry,
    user_input: dict[str, Any],
) -> None:
    """Refused credentials start reauth, which asks only for secrets and reloads."""
    result = await init_integration.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert {str(key) for key in result["data_schema"].schema} == set(
        secret_fields(plugin)
    )
    secrets = {
        name: user_input[name] for name in secret_fields(plugin) if name in user_input
    }

    emulator.faults.bad_credentials = True
    result = await hass.config_entries.flow.async_configure(result["flow_id"], secrets)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    emulator.faults.reset()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], secrets)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert init_integration.state is ConfigEntryState.LOADED
    for name, value in secrets.items():
        assert init_integration.data[name] == value


async def test_reconfigure(
    hass: HomeAssistant,
    plugin: VendorPlugin[Any],
    emulator: Emulator,
    init_integration: MockConfigEntry,
    user_input: dict[str, Any],
) -> None:
    """Reconfigure shows stored settings (never secrets), tests, recovers and reloads."""
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    suggested = {
        str(key): key.description.get("suggested_value")
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["url"] == user_input["url"]
    for name in secret_fields(plugin):
        assert name not in suggested
    # Secrets left blank keep the stored ones.
    changes = {
        name: value
        for name, value in user_input.items()
        if name not in secret_fields(plugin)
    } | {"timeout": 2 * TIMEOUT}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**changes, "url": "not a url"}
    )
    assert result["errors"] == {"url": "invalid_setting"}

    emulator.faults.server_errors = -1
    result = await hass.config_entries.flow.async_configure(result["flow_id"], changes)
    assert result["errors"] == {"base": "cannot_connect"}

    emulator.faults.reset()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], changes)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data["timeout"] == 2 * TIMEOUT
    for name in secret_fields(plugin):
        assert init_integration.data.get(name) == user_input.get(name)
    assert init_integration.state is ConfigEntryState.LOADED


async def test_options_flow(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
) -> None:
    """Options pick the extensions (no poll interval); the entry reloads with them."""
    extensions = sorted(await backend.list_extensions(), key=lambda e: e.number)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    picker = next(
        key for key in result["data_schema"].schema if str(key) == "extensions"
    )
    offered = result["data_schema"].schema[picker].config["options"]
    result_schema = result["data_schema"].schema
    assert [o["value"] for o in offered] == [e.id for e in extensions]

    keep = [extensions[0].id, extensions[1].id]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"extensions": keep}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        "extensions": sorted(keep),
        # Not touched in the form: calls abroad stay off.
        "allow_international": False,
    }
    assert init_integration.state is ConfigEntryState.LOADED
    coordinator = init_integration.runtime_data.coordinator
    # Not a user option: Home Assistant's pacing alone decides.
    assert "scan_interval" not in {str(key) for key in result_schema}
    assert coordinator.update_interval.total_seconds() == 30
    assert set(coordinator.data.statuses) == set(keep)
    # Devices of the extensions no longer shown are gone.
    from homeassistant.helpers import device_registry as dr  # noqa: PLC0415

    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), init_integration.entry_id
    )
    assert len(devices) == len(keep) + 1


async def test_options_flow_pbx_down(
    hass: HomeAssistant, emulator: Emulator, init_integration: MockConfigEntry
) -> None:
    """When the extensions cannot be fetched the options flow says why."""
    emulator.faults.server_errors = -1
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_options_flow_not_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Options need a connected PBX."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_loaded"


@pytest.mark.usefixtures("http_client")
async def test_first_add_in_a_fresh_process_blocks_nothing(
    hass: HomeAssistant, vendor: str, user_input: dict[str, Any]
) -> None:
    """ "Add integration" right after a start finds the vendors off the event loop.

    Vendor discovery reads every installed distribution's metadata; in the event loop
    a real Home Assistant reports that as a blocking call (the conftest turns the
    detection on and fails the test on any report). Forgetting the cached scan makes
    this the first lookup of the process, as after a restart.
    """
    reset_discovery()
    result = await start_connection_step(hass, vendor)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    # ...and a restart of the entry (Home Assistant starting) finds them again.
    reset_discovery()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_moves_the_account_to_a_new_address(
    hass: HomeAssistant,
    plugin: VendorPlugin[Any],
    init_integration: MockConfigEntry,
    user_input: dict[str, Any],
) -> None:
    """Another host name of the same PBX: saved, with devices and entities kept."""
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)
    entry_id = init_integration.entry_id
    entities_before = {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry_id)
    }
    devices_before = {
        d.id for d in dr.async_entries_for_config_entry(device_registry, entry_id)
    }
    old_id = init_integration.unique_id
    assert entities_before
    assert devices_before

    new_url = user_input["url"].replace("pbx.emulator.test", "pbx2.emulator.test")
    changes = {
        name: value
        for name, value in user_input.items()
        if name not in secret_fields(plugin)
    } | {"url": new_url}
    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], changes)
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.data["url"] == new_url
    assert init_integration.state is ConfigEntryState.LOADED
    new_id = init_integration.unique_id
    assert new_id is not None
    if "pbx.emulator.test" in (old_id or ""):
        assert new_id == (old_id or "").replace(
            "pbx.emulator.test", "pbx2.emulator.test"
        )
    else:  # an id the vendor's API gives, whatever the address (TelecomX)
        assert new_id == old_id
    entities = er.async_entries_for_config_entry(entity_registry, entry_id)
    # The same entities (no duplicates, nothing re-created), under the new id.
    assert {e.entity_id for e in entities} == entities_before
    assert all(e.unique_id.startswith(f"{new_id}_") for e in entities)
    devices = dr.async_entries_for_config_entry(device_registry, entry_id)
    assert {d.id for d in devices} == devices_before
    for device in devices:
        for domain, ident in device.identifiers:
            assert domain == DOMAIN
            assert ident == new_id or ident.startswith(f"{new_id}_")
    for entity in entities:
        if not entity.disabled:
            assert hass.states.get(entity.entity_id) is not None


@pytest.mark.usefixtures("http_client")
@pytest.mark.parametrize("flow", ["reauth", "reconfigure"])
async def test_settings_of_another_account_abort(
    hass: HomeAssistant,
    vendor: str,
    user_input: dict[str, Any],
    plugin: VendorPlugin[Any],
    flow: str,
) -> None:
    """New credentials (reauth) or settings (reconfigure) that reach another PBX
    account are refused, whatever the address; the entry keeps its account."""
    other = "pbx.emulator.test#another-tenant"
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=other, data={"vendor": vendor, **user_input}
    )
    entry.add_to_hass(hass)
    secrets = set(secret_fields(plugin))
    if flow == "reauth":
        result = await entry.start_reauth_flow(hass)
        form = {k: v for k, v in user_input.items() if k in secrets}
    else:
        result = await entry.start_reconfigure_flow(hass)
        form = {k: v for k, v in user_input.items() if k not in secrets}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.unique_id == other
