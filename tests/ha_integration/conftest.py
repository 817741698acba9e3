"""A real Home Assistant running the integration against a real vendor emulator.

The integration builds its vendor backend on Home Assistant's shared httpx client.
Here that client is swapped for one whose transport is the vendor emulator's ASGI
app, in-process (sockets are blocked in these tests): everything else, from the
config flow through the coordinator, the vendor client and the emulator's state,
is the real thing.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import PropertyMock, patch

import httpx
import pytest
from homeassistant.util import dt as dt_util
from pydantic import SecretStr

_HA_INTEGRATION = Path(__file__).resolve().parents[2] / "ha_integration"
sys.path.insert(0, str(_HA_INTEGRATION))

# pytest-homeassistant-custom-component has already imported its own (regular)
# custom_components package from its testing config; add ours to its search path so
# that both Home Assistant's loader and our imports find custom_components.switchboard.
import custom_components  # noqa: E402

if str(_HA_INTEGRATION / "custom_components") not in custom_components.__path__:
    custom_components.__path__.insert(0, str(_HA_INTEGRATION / "custom_components"))

from homeassistant import block_async_io  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_fire_time_changed,
)

from switchboard.core.registry import available_vendors, builtin_vendors  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator
    from switchboard.core.plugin import VendorPlugin

DOMAIN = "switchboard"
EMULATOR_URL = "http://pbx.emulator.test"
# Short, so that a hanging emulator costs a test a fraction of a second.
TIMEOUT = 0.3


def landed_vendors() -> list[str]:
    """Built-in vendors whose plugin exists and loads, in registry order."""
    return builtin_vendors()


# How Home Assistant reports a blocking call made in the loop on behalf of this
# integration (the library it calls included). Test code's own file reads are no
# integration's and do not count.
BLOCKING_CALL_REPORT = "inside the event loop by custom integration 'switchboard'"


@pytest.fixture(autouse=True)
def detect_blocking_calls(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Home Assistant's blocking-call detection, on as in a real ``hass``.

    A real Home Assistant patches open(), listdir, import_module, sleep... to report
    (and for some, refuse) calls made in the event loop. Under a test runner it
    leaves most of them alone (``_IN_TESTS``); here every one is on, as in a real
    ``hass``, and any report against this integration fails the test.
    """
    monkeypatch.setattr(block_async_io, "_IN_TESTS", False)
    block_async_io.enable()
    try:
        yield
    finally:
        calls = block_async_io._BLOCKED_CALLS.calls  # as HA's own fixture does
        for call in calls:
            setattr(call.object, call.function, call.original_func)
        calls.clear()
    reports = [
        record.getMessage()
        for phase in ("setup", "call")  # caplog.records would be teardown's only
        for record in caplog.get_records(phase)
        if BLOCKING_CALL_REPORT in record.getMessage()
    ]
    assert not reports, reports


@pytest.fixture
def push_allowed() -> None:
    """Requested by the push tests: the coordinator follows the vendor's pushes."""


@pytest.fixture(autouse=True)
def push_only_where_served(request: pytest.FixtureRequest) -> Iterator[None]:
    """No push feed outside the push tests.

    A vendor's push feed needs a real socket to a served emulator (these tests run
    the emulator in-process, without one): elsewhere the coordinator only polls, as
    it does whenever a feed cannot be reached. The push tests request
    :func:`push_allowed`.
    """
    if "push_allowed" in request.fixturenames:
        yield
        return
    from custom_components.switchboard.coordinator import (  # noqa: PLC0415
        SwitchboardCoordinator,
    )

    with patch.object(SwitchboardCoordinator, "async_start_push"):
        yield


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> Iterator[None]:
    """Let Home Assistant load custom_components/switchboard."""
    return


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create disabled-by-default entities enabled (as Home Assistant core's fixture)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture(params=landed_vendors())
def vendor(request: pytest.FixtureRequest) -> str:
    """Every landed vendor in turn."""
    return str(request.param)


@pytest.fixture
def plugin(vendor: str) -> VendorPlugin[Any]:
    """The vendor's plugin."""
    return available_vendors()[vendor]


@pytest.fixture
def emulator(plugin: VendorPlugin[Any]) -> Emulator:
    """A fresh, seeded emulator of the vendor's API."""
    emu = plugin.emulator_factory()
    emu.faults.hang_seconds = 5
    return emu


@pytest.fixture
async def http_client(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """Home Assistant's shared httpx client, wired to the emulator."""
    from custom_components.switchboard import helpers  # noqa: PLC0415

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    with patch.object(helpers, "get_async_client", return_value=client):
        yield client
    await client.aclose()


def form_input(plugin: VendorPlugin[Any]) -> dict[str, Any]:
    """What a user types into the connection form to reach the emulator."""
    settings = plugin.demo_settings(EMULATOR_URL)
    data: dict[str, Any] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name == "max_retries" or value is None:
            continue
        data[name] = value.get_secret_value() if isinstance(value, SecretStr) else value
    data["timeout"] = TIMEOUT
    return data


@pytest.fixture
def user_input(plugin: VendorPlugin[Any]) -> dict[str, Any]:
    """The connection form, filled in for the emulator."""
    return form_input(plugin)


@pytest.fixture
async def backend(
    plugin: VendorPlugin[Any],
    http_client: httpx.AsyncClient,
    user_input: dict[str, Any],
) -> AsyncIterator[PbxBackend]:
    """A second backend on the same emulator, to read its state independently."""
    settings = plugin.parse_settings({**user_input, "max_retries": 0})
    built = plugin.create_backend(settings, http_client)
    yield built
    await built.aclose()


@pytest.fixture
async def config_entry(
    hass: HomeAssistant,
    vendor: str,
    user_input: dict[str, Any],
    backend: PbxBackend,
) -> MockConfigEntry:
    """A config entry for the emulator's account, as the config flow saves it."""
    info = await backend.account_info()
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=info.name,
        unique_id=info.unique_id,
        data={"vendor": vendor, **user_input},
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The integration, set up and loaded."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
def advance(hass: HomeAssistant) -> Callable[..., Awaitable[None]]:
    """Let time pass so that the coordinator polls again."""

    async def _advance(seconds: float = 31) -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
        # The coordinator polls in a background task.
        await hass.async_block_till_done(wait_background_tasks=True)

    return _advance


def extension_state(
    hass: HomeAssistant, entry: MockConfigEntry, ext_id: str, platform: str, key: str
) -> str:
    """The state of an extension's entity (``key``: ``on_call``, ``dnd``…), as shown."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, "switchboard", f"{entry.unique_id}_{ext_id}_{key}"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def on_call(hass: HomeAssistant, entry: MockConfigEntry, ext_id: str) -> str:
    """An extension's *On call* state, as Home Assistant shows it."""
    return extension_state(hass, entry, ext_id, "binary_sensor", "on_call")


def active_calls(hass: HomeAssistant) -> int:
    """The account's *Active calls* sensor, as Home Assistant shows it."""
    state = next(
        s for s in hass.states.async_all("sensor") if "active_calls" in s.entity_id
    )
    return int(state.state)
