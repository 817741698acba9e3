"""Telphin's part of ``bench_push``: its webhooks against polling.

Telphin pushes by calling the URLs registered for the whole PBX (client-wide
webhooks, vendor reference "Webhooks (client-wide)"); its emulator really POSTs
to them (:mod:`switchboard.plugins.telphin.emulator_webhooks`), form-encoded.

1. **Home Assistant**: the URL is Home Assistant's external URL (the webhook
   component's route, as without Home Assistant Cloud). Home Assistant's own HTTP
   app is served on a loopback port (aiohttp's test server, as
   ``tests/ha_integration/test_push_webhooks.py`` reaches it) and the emulator's
   POSTs go there, to the path of the URL it registered.
2. **Slack**: the real ``switchboard slack run --http`` in its own process, as an
   operator starts it, with ``[slack] public_url`` pointing at it: the emulator
   POSTs to the app's webhook route (``core/commands/webhook_relay.py``), and the
   watcher sends the missed-call DM to a fake Slack. Polled, the same process
   without ``public_url``.

Both are given an emulator whose hourly quota does not stretch polling every 2 s
(Telphin's quota-aware pacing is ``bench_telphin_quota``'s subject): at the
default 5,000 requests an hour the pacing would slow the polled side down, and
its figures would no longer scale to the default intervals.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import push_rig
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.setup import async_setup_component
from yarl import URL

from switchboard.core.emulator import serve
from switchboard.core.registry import get_vendor
from switchboard.plugins.telphin.const import WEBHOOK_CALL_EVENTS
from switchboard.plugins.telphin.emulator import TelphinEmulator
from tests.slack_app.fake_slack import serve_fake_slack
from tests.slack_app.server import free_port, slack_server, write_config
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

VENDOR = "telphin"
CALLER = "+74951234567"
# Home Assistant reachable from the internet at this address (no DNS is asked).
EXTERNAL_URL = "https://ha.example.net"
# Plenty for polling every 2 s; the default is 5,000 an hour.
QUOTA_PER_HOUR = 1_000_000
# One registration per call event, and the call-status change (DND is a call
# status in the demo settings).
REGISTRATIONS = len(WEBHOOK_CALL_EVENTS) + 1
CALLS_PATH = "/current_calls"
SLACK_USER = "U0TELPHIN1"
START_SECONDS = 30.0


def emulator() -> TelphinEmulator:
    """An idle office (nobody on a call) with quota to spare."""
    emu = TelphinEmulator(quota_per_hour=QUOTA_PER_HOUR)
    emu.current_calls.clear()
    return emu


def number(emu: TelphinEmulator) -> str:
    """The first extension's short number (``101`` of ``12345*101``)."""
    return str(next(iter(emu.extensions.values()))["name"]).rpartition("*")[2]


def registered(emu: TelphinEmulator) -> bool:
    return len(emu.webhooks.phone_events) == REGISTRATIONS


@contextlib.asynccontextmanager
async def through_webhook_component(
    hass: Any, emu: TelphinEmulator
) -> AsyncIterator[None]:
    """Home Assistant's webhook component on its HTTP app, which the emulator calls."""
    await async_process_ha_core_config(hass, {"external_url": EXTERNAL_URL})
    assert await async_setup_component(hass, "webhook", {})
    client = TestClient(TestServer(hass.http.app))
    await client.start_server()

    async def deliver(url: str, fields: dict[str, str]) -> None:
        assert url.startswith(EXTERNAL_URL)
        response = await client.post(URL(url).path, data=fields)
        response.release()

    emu.webhooks.deliver = deliver
    try:
        yield
    finally:
        await client.close()


HA = push_rig.HaVendor(
    name=VENDOR,
    emulator=emulator,
    number=number,
    receive=through_webhook_component,
    pushing=registered,
)


async def ha_latencies(samples: int, *, pushed: bool) -> list[float]:
    return await push_rig.ha_latencies(HA, samples, CALLER, pushed=pushed)


class TelphinLine:
    """The user's extension; the watcher saw a call once it read the calls since."""

    def __init__(self, emu: TelphinEmulator, extension: str) -> None:
        self._emulator = emu
        self._extension = extension
        self._reads = 0

    def ring(self, caller: str) -> str:
        self._reads = self._emulator.request_count(CALLS_PATH)
        return self._emulator.ring(self._extension, caller)

    def seen(self, call_id: str) -> bool:
        del call_id  # one call at a time
        return self._emulator.request_count(CALLS_PATH) > self._reads

    def hang_up(self, call_id: str) -> None:
        self._emulator.hang_up(call_id)


async def slack_latencies(samples: int, *, pushed: bool) -> list[float]:
    """Missed calls through the real ``slack run --http`` (webhooks, or polled)."""
    emu = emulator()
    extension = number(emu)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        async with serve(emu) as url, serve_fake_slack() as slack:
            settings: dict[str, Any] = {
                "api_url": f"{slack.base_url}/api/",
                "response_url_origins": [slack.base_url],
                # Pushed: the default interval (a call in progress is read at
                # that pace too, far slower than its webhook).
                "missed_call_interval": (
                    push_rig.WATCHER_DEFAULT if pushed else push_rig.POLL_INTERVAL
                ),
            }
            if pushed:
                settings["public_url"] = f"http://127.0.0.1:{port}"
            config = Path(tmp) / "office.toml"
            env = write_config(
                config,
                get_vendor(VENDOR),
                url,
                slack=settings,
                users={SLACK_USER: extension},
                admins=[],
            )
            log = Path(tmp) / "server.log"
            async with slack_server(config, env, log, port=port) as server:
                try:
                    if pushed:
                        await until(lambda: registered(emu), START_SECONDS)
                    else:
                        await until(
                            lambda: emu.request_count(CALLS_PATH) > 0, START_SECONDS
                        )
                    return await push_rig.slack_latencies(
                        TelphinLine(emu, extension),
                        slack,
                        samples,
                        lambda i: f"+749512{i:05d}",
                    )
                except TimeoutError:
                    print(server.log_text())
                    raise
