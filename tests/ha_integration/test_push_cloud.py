"""Telphin pushes through Home Assistant Cloud: a cloudhook, when the user subscribes.

Why the cloud is a stand-in here, and only the cloud: Home Assistant Cloud relays a
cloudhook's calls from Nabu Casa's servers over its own connection, and these tests
have no network. Its module cannot even be imported here: it pulls in voice and
camera components whose requirements Home Assistant installs only with them. So the
functions the integration calls (``async_active_subscription``,
``async_is_connected``, ``async_listen_connection_change``,
``async_get_or_create_cloudhook``, ``async_delete_cloudhook``, and
``async_remote_ui_url`` which Home Assistant's ``get_url`` asks) are replaced by a
module with the same names and parameters (checked against Home Assistant's
source below), and a call to the cloudhook is relayed the way Home Assistant
Cloud's client does it (``CloudClient.async_webhook_message``): a ``MockRequest``
handed to the webhook component's ``async_handle_webhook``. Everything from there
on is real: the webhook component, the integration, the core inbox, the Telphin
backend and its emulator.
"""

from __future__ import annotations

import ast
import asyncio
import sys
import types
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import homeassistant
import pytest
from homeassistant.components import webhook
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util.aiohttp import MockRequest
from pytest_homeassistant_custom_component.common import async_capture_events
from yarl import URL

from switchboard.core import push
from tests.waiting import until

from .conftest import active_calls

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.plugins.telphin.emulator import TelphinEmulator

WITHIN = 1.0
CLOUDHOOK_URL = "https://hooks.nabu.casa/A1b2C3d4"
EXTERNAL_URL = "https://ha.example.net"
CLOUD_SOURCE = (
    Path(homeassistant.__file__).parent / "components" / "cloud" / "__init__.py"
)


class CloudNotAvailable(HomeAssistantError):  # noqa: N818 - Home Assistant's name
    """As Home Assistant Cloud's."""


class CloudNotConnected(CloudNotAvailable):
    """As Home Assistant Cloud's."""


class CloudConnectionState(Enum):
    """As Home Assistant Cloud's."""

    CLOUD_CONNECTED = "cloud_connected"
    CLOUD_DISCONNECTED = "cloud_disconnected"


class StandInCloud(types.ModuleType):
    """``homeassistant.components.cloud`` for a subscribed user; no network."""

    CloudNotAvailable = CloudNotAvailable
    CloudNotConnected = CloudNotConnected
    CloudConnectionState = CloudConnectionState

    def __init__(self) -> None:
        super().__init__("homeassistant.components.cloud")
        self.subscribed = True
        self.connected = True
        self.hooks: dict[str, str] = {}
        """Webhook id -> cloudhook URL: what Home Assistant Cloud stores."""
        self.listeners: list[Callable[[CloudConnectionState], None]] = []
        self.statuses: list[int] = []
        """The HTTP status of every call relayed from the vendor."""

    def async_active_subscription(self, hass: HomeAssistant) -> bool:
        return self.subscribed

    def async_is_connected(self, hass: HomeAssistant) -> bool:
        return self.connected

    def async_listen_connection_change(
        self,
        hass: HomeAssistant,
        target: Callable[[CloudConnectionState], None],
    ) -> Callable[[], None]:
        self.listeners.append(target)
        return lambda: self.listeners.remove(target)

    async def async_get_or_create_cloudhook(
        self,
        hass: HomeAssistant,
        webhook_id: str,
    ) -> str:
        if not self.connected:
            raise CloudNotConnected
        return self.hooks.setdefault(webhook_id, f"{CLOUDHOOK_URL}{len(self.hooks)}")

    async def async_delete_cloudhook(
        self,
        hass: HomeAssistant,
        webhook_id: str,
    ) -> None:
        if webhook_id not in self.hooks:
            msg = "Hook is not enabled for the cloud."  # hass_nabucasa's
            raise ValueError(msg)
        del self.hooks[webhook_id]

    def async_remote_ui_url(self, hass: HomeAssistant) -> str:
        """Remote UI off (what ``get_url`` asks): only the cloudhook reaches us."""
        raise CloudNotAvailable

    def connect(self) -> None:
        self.connected = True
        for target in list(self.listeners):
            target(CloudConnectionState.CLOUD_CONNECTED)

    async def relay(self, hass: HomeAssistant, url: str, fields: dict[str, str]) -> int:
        """Deliver a call to a cloudhook URL as Home Assistant Cloud's client does."""
        parsed = URL(url)
        base = str(parsed.with_query(None))
        webhook_id = next(h for h, hook in self.hooks.items() if hook == base)
        request = MockRequest(
            content=urlencode(fields).encode(),
            mock_source="cloud",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            query_string=parsed.query_string,
        )
        response = await webhook.async_handle_webhook(hass, webhook_id, request)
        return response.status


def test_the_stand_in_has_home_assistant_clouds_names_and_parameters() -> None:
    """The stand-in stays true to the Home Assistant Cloud this project tests with."""
    tree = ast.parse(CLOUD_SOURCE.read_text(encoding="utf-8"))
    real = {
        node.name: [a.arg for a in node.args.args]
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    for name in (
        "async_active_subscription",
        "async_is_connected",
        "async_listen_connection_change",
        "async_get_or_create_cloudhook",
        "async_delete_cloudhook",
        "async_remote_ui_url",
    ):
        stand_in = getattr(StandInCloud, name).__code__
        params = list(stand_in.co_varnames[1 : stand_in.co_argcount])
        assert real[name] == params, name
    assert {"CloudNotAvailable", "CloudNotConnected", "CloudConnectionState"} <= (
        classes
    )


@pytest.fixture
def vendor() -> str:
    """The vendor that pushes by webhook."""
    return "telphin"


@pytest.fixture
async def cloud(
    hass: HomeAssistant,
    push_allowed: None,
    emulator: TelphinEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> StandInCloud:
    """Home Assistant Cloud loaded and subscribed; the emulator's calls go through it."""
    stand_in = StandInCloud()
    monkeypatch.setitem(sys.modules, "homeassistant.components.cloud", stand_in)
    hass.config.components.add("cloud")
    emulator.current_calls.clear()  # idle: the poll slows down once pushed
    assert await async_setup_component(hass, "webhook", {})

    async def deliver(url: str, fields: dict[str, str]) -> None:
        stand_in.statuses.append(await stand_in.relay(hass, url, fields))

    emulator.webhooks.deliver = deliver
    return stand_in


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    """The integration, loaded; unloaded before the emulator's client closes."""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    yield config_entry
    if hass.config_entries.async_get_entry(config_entry.entry_id) is not None:
        await hass.config_entries.async_unload(config_entry.entry_id)


def registered_urls(emulator: TelphinEmulator) -> set[str]:
    return {event["url"] for event in emulator.webhooks.phone_events.values()}


async def test_calls_arrive_through_the_cloudhook(
    hass: HomeAssistant,
    cloud: StandInCloud,
    init_integration: MockConfigEntry,
    emulator: TelphinEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await until(lambda: bool(emulator.webhooks.phone_events), 5)
    webhook_id = f"switchboard_{init_integration.entry_id}_cloud"
    assert set(cloud.hooks) == {webhook_id}
    # The cloudhook's one URL, with the secret token in its query.
    (url,) = registered_urls(emulator)
    assert URL(url).with_query(None) == URL(cloud.hooks[webhook_id])
    token = URL(url).query["token"]
    assert len(token) >= 32

    missed = async_capture_events(hass, "switchboard_call_missed")
    before = active_calls(hass)
    number = next(iter(emulator.extensions.values()))["name"].rpartition("*")[2]
    call_id = emulator.ring(number, "+74951234567")
    assert await until(lambda: active_calls(hass) == before + 1, WITHIN) < WITHIN
    emulator.hang_up(call_id)
    await until(lambda: bool(missed), WITHIN)
    assert [e.data["call_id"] for e in missed] == [call_id]
    assert cloud.statuses == [200, 200]
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.update_interval == push.SAFETY_POLL_INTERVAL

    # Through the cloudhook without the token, or with another: refused.
    hangup = {"EventType": "hangup", "CallID": call_id}
    hook = cloud.hooks[webhook_id]
    assert await cloud.relay(hass, hook, hangup) == 404
    guessed = ("y" if token[0] == "x" else "x") + token[1:]
    assert await cloud.relay(hass, f"{hook}?token={guessed}", hangup) == 404
    # The secret token reached no log line (registration, delivery, refusal).
    logged = [r.getMessage() for p in ("setup", "call") for r in caplog.get_records(p)]
    assert any("webhook" in line.lower() for line in logged)
    assert not [line for line in logged if token in line]


async def test_the_cloudhook_outlives_a_reload_and_goes_with_the_entry(
    hass: HomeAssistant,
    cloud: StandInCloud,
    init_integration: MockConfigEntry,
    emulator: TelphinEmulator,
) -> None:
    """One cloudhook per entry: a restart finds the vendor's old registrations by it."""
    await until(lambda: bool(emulator.webhooks.phone_events), 5)
    first = registered_urls(emulator)
    hooks = dict(cloud.hooks)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await until(lambda: bool(emulator.webhooks.phone_events), 5)
    # The same cloudhook; a new secret token, and the old registrations are gone.
    assert cloud.hooks == hooks
    second = registered_urls(emulator)
    assert {str(URL(u).with_query(None)) for u in second} == set(hooks.values())
    assert not first & second
    # Removing the entry deletes its cloudhook: none is left behind.
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert cloud.hooks == {}
    assert emulator.webhooks.phone_events == {}


async def test_at_start_up_it_waits_for_the_cloud_to_connect(
    hass: HomeAssistant,
    cloud: StandInCloud,
    config_entry: MockConfigEntry,
    emulator: TelphinEmulator,
) -> None:
    """Home Assistant Cloud connects after the integrations are set up."""
    cloud.connected = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await asyncio.sleep(0.1)
    assert emulator.webhooks.phone_events == {}
    assert cloud.hooks == {}
    cloud.connect()
    await until(lambda: bool(emulator.webhooks.phone_events), 5)
    assert set(cloud.hooks) == {f"switchboard_{config_entry.entry_id}_cloud"}
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert emulator.webhooks.phone_events == {}


async def test_a_cloud_that_never_connects_falls_back_to_the_external_url(
    hass: HomeAssistant,
    cloud: StandInCloud,
    config_entry: MockConfigEntry,
    emulator: TelphinEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from custom_components.switchboard import webhooks  # noqa: PLC0415

    monkeypatch.setattr(webhooks, "CLOUD_CONNECT_WAIT", 0.05)
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    cloud.connected = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await until(lambda: bool(emulator.webhooks.phone_events), 5)
    assert cloud.hooks == {}
    assert all(url.startswith(EXTERNAL_URL) for url in registered_urls(emulator))
    assert cloud.listeners == []
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_neither_cloud_nor_external_url_polls_with_a_repair_issue(
    hass: HomeAssistant,
    cloud: StandInCloud,
    config_entry: MockConfigEntry,
    emulator: TelphinEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from custom_components.switchboard import webhooks  # noqa: PLC0415

    monkeypatch.setattr(webhooks, "CLOUD_CONNECT_WAIT", 0.05)
    cloud.connected = False
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"no_push_url_{config_entry.entry_id}"
    await until(
        lambda: ir.async_get(hass).async_get_issue("switchboard", issue_id) is not None,
        5,
    )
    assert emulator.webhooks.phone_events == {}
    assert await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.mark.usefixtures("http_client")
@pytest.mark.parametrize(
    ("subscribed", "description"),
    [(True, None), (False, "polled_without_push_url")],
)
async def test_the_flow_tells_of_polling_only_without_a_subscription(
    hass: HomeAssistant,
    cloud: StandInCloud,
    user_input: dict[str, Any],
    *,
    subscribed: bool,
    description: str | None,
) -> None:
    """Home Assistant Cloud loaded but not subscribed reaches nothing: polled."""
    cloud.subscribed = subscribed
    result = await hass.config_entries.flow.async_init(
        "switchboard", context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"vendor": "telphin"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == description
    assert await hass.config_entries.async_unload(result["result"].entry_id)
