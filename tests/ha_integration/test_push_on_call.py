"""A pushed call turns the extension's *On call* on, and its end turns it off (issue 17).

The README promises that with push "a call that starts, is answered or ends shows
within a second (active calls, on call, the switchboard_call_* events)". *On call*
reads ``statuses[ext].on_call``: the push-triggered reading of the live calls sets
it too (``SwitchboardData.with_calls``), not only ``calls``. This is TelecomX's
realtime feed; Telphin's webhooks are in ``test_push_webhooks.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from switchboard.core import push
from switchboard.core.emulator import serve
from tests.waiting import until

from .conftest import form_input

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.plugin import VendorPlugin
    from switchboard.plugins.telecomx.emulator import TelecomXEmulator

WITHIN = 1.0

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
    """The emulator served on loopback, no call in progress."""
    monkeypatch.setattr(push, "RECONNECT_FIRST", 0.05)
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


def on_call(hass: HomeAssistant, number: str) -> str:
    """The extension's *On call* state, as Home Assistant shows it."""
    (state,) = [
        s
        for s in hass.states.async_all("binary_sensor")
        if s.entity_id.endswith(f"_{number}_on_call")
    ]
    return state.state


async def test_a_pushed_call_turns_on_call_on_within_a_second(
    hass: HomeAssistant, init_integration: MockConfigEntry, emulator: TelecomXEmulator
) -> None:
    del init_integration
    await until(lambda: bool(emulator.realtime.subscriptions), 5)
    number = next(iter(emulator.tenant.extensions.values()))["number"]
    assert on_call(hass, number) == "off"

    call_id = emulator.ring(number, "+4533123456")

    assert await until(lambda: on_call(hass, number) == "on", WITHIN) < WITHIN
    emulator.hang_up(call_id)
    assert await until(lambda: on_call(hass, number) == "off", WITHIN) < WITHIN
