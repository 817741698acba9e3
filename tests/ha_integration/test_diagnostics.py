"""Diagnostics help support without giving away credentials or phone numbers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from switchboard.core.capabilities import Capability

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from switchboard.core.backend import PbxBackend
    from switchboard.core.plugin import VendorPlugin


async def test_diagnostics_redact_secrets(  # noqa: PLR0917 - pytest fixtures
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    plugin: VendorPlugin[Any],
    backend: PbxBackend,
    user_input: dict[str, Any],
) -> None:
    """No secret, URL, name or phone number appears; the useful structure does."""
    if backend.supports(Capability.FORWARD):
        status = (await backend.get_statuses())[0]
        await backend.set_forward(status.extension.id, "+4598765432")
        await init_integration.runtime_data.coordinator.async_refresh()
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    dumped = json.dumps(diagnostics)

    secrets = [
        str(user_input[name])
        for name in plugin.settings_model.secret_field_names()
        if user_input.get(name)
    ]
    assert secrets
    private = [*secrets, user_input["url"], init_integration.title]
    statuses = await backend.get_statuses()
    private += [s.extension.name for s in statuses if s.extension.name]
    private += [s.extension.email for s in statuses if s.extension.email]
    if backend.supports(Capability.LIVE_CALLS):
        for live in await backend.list_calls():
            private += [n for n in (live.from_number, live.to_number) if len(n) > 4]
    if backend.supports(Capability.FORWARD):
        private.append("98765432")
    for value in private:
        assert value not in dumped, value

    assert diagnostics["vendor"] == plugin.name
    assert "STATUS" in diagnostics["capabilities"]
    assert len(diagnostics["statuses"]) == len(statuses)
    assert diagnostics["entry"]["data"]["vendor"] == plugin.name


async def test_logs_never_contain_secrets(  # noqa: PLR0917 - pytest fixtures
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    emulator: Any,
    plugin: VendorPlugin[Any],
    user_input: dict[str, Any],
    caplog: Any,
) -> None:
    """Setup, polling, failures and the config flow log no credential, even at debug."""
    import logging  # noqa: PLC0415

    from homeassistant.config_entries import SOURCE_USER  # noqa: PLC0415

    # As Home Assistant's bootstrap sets it: httpx's own request log (every URL,
    # PBXware's and MiRTA's with their key) is a third party's to configure, and
    # Switchboard does not rewrite other libraries' records (README, limitations).
    # First, because set_level also sets the capture handler's level.
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(logging.DEBUG)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = config_entry.runtime_data.coordinator
    for fault, value in (
        ("server_errors", -1),
        ("bad_credentials", True),
        ("malformed", -1),
    ):
        setattr(emulator.faults, fault, value)
        await coordinator.async_refresh()
        emulator.faults.reset()
    result = await hass.config_entries.flow.async_init(
        "switchboard", context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"vendor": plugin.name}
    )
    emulator.faults.bad_credentials = True
    await hass.config_entries.flow.async_configure(result["flow_id"], user_input)

    # Switchboard's own request log was on, and saw the requests.
    assert "switchboard.core.transport" in caplog.text
    for name in plugin.settings_model.secret_field_names():
        secret = user_input.get(name)
        if secret:
            assert str(secret) not in caplog.text, name
