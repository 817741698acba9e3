"""Push: TelecomX's realtime feed moves Home Assistant within a second, polling heals.

The emulator is served on loopback (the feed is a real socket.io connection); its
HTTP side is reached in-process as everywhere else. Time is not faked here: the
coordinator's listener runs until the entry unloads.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.helpers.aiohttp_client import (
    SERVER_SOFTWARE,
    async_get_clientsession,
)
from pytest_homeassistant_custom_component.common import async_capture_events

from switchboard.core import push
from switchboard.core.emulator import serve
from tests.waiting import until

from .conftest import active_calls, form_input, on_call

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.plugin import VendorPlugin
    from switchboard.plugins.telecomx.emulator import TelecomXEmulator

WITHIN = 1.0

# Engine.IO's per-socket ping task ends at its next ping interval, after the test; the
# newest Home Assistant harness fails on such a task unless told to expect it.
pytestmark = pytest.mark.parametrize("expected_lingering_tasks", [True])


@pytest.fixture
def vendor() -> str:
    """The vendor that pushes over a socket."""
    return "telecomx"


@pytest.fixture
async def push_feeds(
    socket_enabled: None,
    push_allowed: None,
    emulator: TelecomXEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[str]:
    """The emulator served on loopback, no call in progress; quick reconnections."""
    monkeypatch.setattr(push, "RECONNECT_FIRST", 0.05)
    # Idle, so that the poll slows down once the feed is up (a live call keeps
    # the normal pace).
    emulator.tenant.calls.clear()
    async with serve(emulator) as url:
        try:
            yield url
        finally:
            await emulator.realtime.close()


@pytest.fixture
def user_input(plugin: VendorPlugin[Any], push_feeds: str) -> dict[str, Any]:
    """The connection form, with the served address (the feed connects there)."""
    return {**form_input(plugin), "url": push_feeds}


async def subscribed(emulator: TelecomXEmulator) -> None:
    await until(lambda: bool(emulator.realtime.subscriptions), 5)


async def test_a_call_reaches_home_assistant_within_a_second(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    coordinator = init_integration.runtime_data.coordinator
    await subscribed(emulator)
    started = async_capture_events(hass, "switchboard_call_started")
    missed = async_capture_events(hass, "switchboard_call_missed")
    before = active_calls(hass)
    number = next(iter(emulator.tenant.extensions.values()))["number"]

    call_id = emulator.ring(number, "+4533123456")
    assert await until(lambda: active_calls(hass) == before + 1, WITHIN) < WITHIN
    assert [e.data["call_id"] for e in started] == [call_id]
    emulator.hang_up(call_id)
    await until(lambda: bool(missed), WITHIN)
    assert [e.data["call_id"] for e in missed] == [call_id]
    assert active_calls(hass) == before
    # Pushed: the poll is only a safety net now.
    assert coordinator.update_interval == push.SAFETY_POLL_INTERVAL


async def test_a_dropped_feed_reconnects_and_the_resync_heals_what_it_missed(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    await subscribed(emulator)
    missed = async_capture_events(hass, "switchboard_call_missed")
    number = next(iter(emulator.tenant.extensions.values()))["number"]
    before = active_calls(hass)
    # The feed loses the start of a call (no event), then the socket drops.
    emulator.realtime.muted = True
    call_id = emulator.ring(number, "+4533123456")
    await asyncio.sleep(0.1)
    assert active_calls(hass) == before
    emulator.realtime.muted = False
    await emulator.realtime.drop_all()
    # Reconnected and subscribed again; the resync read the call it never heard of.
    await until(lambda: active_calls(hass) == before + 1, 5)
    await subscribed(emulator)
    emulator.hang_up(call_id)
    await until(lambda: bool(missed), WITHIN)
    assert [e.data["call_id"] for e in missed] == [call_id]


async def test_unloading_the_entry_closes_the_feed(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    await subscribed(emulator)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await until(lambda: not emulator.realtime.subscriptions, 5)


async def test_a_call_in_progress_is_read_at_the_normal_pace_so_an_answer_is_seen(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    """TelecomX pushes no answer: while a call is live the poll is not slowed."""
    coordinator = init_integration.runtime_data.coordinator
    await subscribed(emulator)
    await until(lambda: coordinator.update_interval == push.SAFETY_POLL_INTERVAL, 5)
    missed = async_capture_events(hass, "switchboard_call_missed")
    ended = async_capture_events(hass, "switchboard_call_ended")
    before = active_calls(hass)
    number = next(iter(emulator.tenant.extensions.values()))["number"]

    call_id = emulator.ring(number, "+4533123456")
    await until(lambda: active_calls(hass) == before + 1, WITHIN)
    assert coordinator.update_interval == coordinator.base_interval
    emulator.answer(call_id)
    await coordinator.async_refresh()  # the poll that interval brings
    emulator.hang_up(call_id)
    await until(lambda: bool(ended), WITHIN)
    assert ended[0].data["answered"] is True
    assert missed == []
    assert coordinator.update_interval == push.SAFETY_POLL_INTERVAL


def live_updates(hass: HomeAssistant) -> str:
    """The account's *Live updates* entity, as Home Assistant shows it."""
    return next(
        s.state
        for s in hass.states.async_all("binary_sensor")
        if s.entity_id.endswith("_live_updates")
    )


async def test_live_updates_and_diagnostics_say_whether_it_is_pushed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: TelecomXEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On while the feed is connected, off (polled) while it is down."""
    from custom_components.switchboard.diagnostics import (  # noqa: PLC0415
        async_get_config_entry_diagnostics,
    )

    await subscribed(emulator)
    await until(lambda: live_updates(hass) == "on", 5)
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    assert diagnostics["update_mode"] == "push"

    # The feed drops and stays down (reconnection waits long): polled meanwhile.
    monkeypatch.setattr(push, "RECONNECT_FIRST", 60)
    await emulator.realtime.drop_all()
    await until(lambda: live_updates(hass) == "off", 5)
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    assert diagnostics["update_mode"] == "polling"
    # The reading that a lost feed triggers sets the normal pace again.
    coordinator = init_integration.runtime_data.coordinator
    await until(lambda: coordinator.update_interval == coordinator.base_interval, 5)


async def test_the_feed_goes_through_home_assistants_shared_web_session(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    """The backend borrows HA's aiohttp session (inject-websession) and leaves it open."""
    shared = async_get_clientsession(hass)
    assert init_integration.runtime_data.backend.web_session is shared
    await subscribed(emulator)
    # Home Assistant's session identifies as Home Assistant on every request;
    # an aiohttp session of python-socketio's own would say "Python/3.x aiohttp".
    assert emulator.realtime.user_agents == [SERVER_SOFTWARE]
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await until(lambda: not emulator.realtime.subscriptions, 5)
    assert not shared.closed


async def test_a_pushed_call_turns_on_call_on_and_off_within_a_second(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    """*On call* follows the push, not the next poll (``SwitchboardData.with_calls``).

    Telphin's webhooks: the test of the same name in ``test_push_webhooks.py``.
    """
    await subscribed(emulator)
    ext_id, extension = next(iter(emulator.tenant.extensions.items()))
    assert on_call(hass, init_integration, ext_id) == "off"

    call_id = emulator.ring(extension["number"], "+4533123456")

    on = await until(lambda: on_call(hass, init_integration, ext_id) == "on", WITHIN)
    emulator.hang_up(call_id)
    off = await until(lambda: on_call(hass, init_integration, ext_id) == "off", WITHIN)
    assert max(on, off) < WITHIN
