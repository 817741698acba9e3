"""An action must act on the extension the user named."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from switchboard.plugins.pbxware.emulator import PbxwareEmulator

from .conftest import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator

# PBXware numbers its extensions' ids 1, 2, 3... and their numbers 201, 202...:
# with a few hundred extensions an id can be another extension's number.
EXTENSIONS = 210


@pytest.fixture
def vendor() -> str:
    """Only PBXware has ids that look like other extensions' numbers."""
    return "pbxware"


@pytest.fixture
def emulator() -> Emulator:
    """A tenant big enough for ids and numbers to overlap."""
    emu = PbxwareEmulator(extensions=EXTENSIONS)
    emu.faults.hang_seconds = 5
    return emu


@pytest.fixture
async def config_entry(
    hass: HomeAssistant,
    vendor: str,
    user_input: dict[str, Any],
    backend: PbxBackend,
) -> MockConfigEntry:
    """An entry showing one extension whose id is another extension's number."""
    extensions = await backend.list_extensions()
    by_number = {e.number: e for e in extensions}
    shown = next(e for e in extensions if e.id in by_number and e.id != e.number)
    info = await backend.account_info()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=info.name,
        unique_id=info.unique_id,
        data={"vendor": vendor, **user_input},
        options={"extensions": [shown.id]},
    )
    entry.add_to_hass(hass)
    return entry


async def test_an_extension_number_wins_over_a_shown_extensions_id(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """'extension: 205' is extension number 205, even when HA shows id 205."""
    shown_id = init_integration.options["extensions"][0]
    extensions = {e.number: e for e in await backend.list_extensions()}
    named = extensions[shown_id]  # the extension whose *number* the user typed
    shown = next(e for e in extensions.values() if e.id == shown_id)
    assert named.id != shown.id
    before = {e: (await backend.get_status(e.id)).dnd for e in (named, shown)}
    await hass.services.async_call(
        DOMAIN,
        "set_dnd",
        {
            "config_entry_id": init_integration.entry_id,
            "extension": shown_id,
            "enabled": not before[named],
        },
        blocking=True,
    )
    assert (await backend.get_status(named.id)).dnd is (not before[named])
    assert (await backend.get_status(shown.id)).dnd is before[shown]
