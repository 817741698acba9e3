"""Push against polling, side by side in one run: how fast a call reaches users.

Against the TelecomX emulator served on loopback (its realtime feed is a real
socket.io connection), for each consumer, once following the push stream and once
polling as before:

1. **event → Home Assistant state change**: a call rings (or ends) at the
   emulator; time until the real integration's ``active calls`` sensor changed,
   in a real (test) Home Assistant.
2. **event → Slack missed-call note**: a ringing call ends unanswered; time until
   the watcher ``slack run`` starts has posted the DM to the fake Slack.

Polling runs at a short interval (``POLL_INTERVAL``) so that the run takes a
minute, not an hour; a polled event waits on average half an interval, at worst a
whole one, so its figures are also shown scaled to the default intervals (Home
Assistant 30 s, the watcher 10 s). Times are read every 5 ms (``tests.waiting``).
Target: push p99 < 1 s.

    .venv/bin/python benchmarks/bench_push.py [--samples 40] [--polled 12]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import operator
import random
import statistics
import sys
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "ha_integration")]

import custom_components  # noqa: E402
from homeassistant import loader  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from switchboard.core.commands.watcher import CallWatcher  # noqa: E402
from switchboard.core.demo import USER, start_demo  # noqa: E402
from switchboard.core.emulator import serve  # noqa: E402
from switchboard.core.registry import get_vendor  # noqa: E402
from switchboard.plugins.telecomx.emulator import TelecomXEmulator  # noqa: E402
from switchboard.slack_app.missed_calls import SlackMissedCallSender  # noqa: E402
from tests.slack_app.conftest import start_rig  # noqa: E402
from tests.slack_app.fake_slack import serve_fake_slack  # noqa: E402
from tests.waiting import until  # noqa: E402

if str(ROOT / "ha_integration/custom_components") not in custom_components.__path__:
    custom_components.__path__.insert(0, str(ROOT / "ha_integration/custom_components"))

from custom_components.switchboard import helpers  # noqa: E402
from custom_components.switchboard.coordinator import (  # noqa: E402
    SwitchboardCoordinator,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

VENDOR = "telecomx"
POLL_INTERVAL = 2.0
HA_DEFAULT = 30.0
WATCHER_DEFAULT = 10.0
TARGET_P99 = 1.0
CALLER = "+4533123456"


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def home_assistant(
    emulator: TelecomXEmulator, url: str, *, pushed: bool
) -> AsyncIterator[Any]:
    """A test Home Assistant with the integration on the emulator; yields the hass."""
    plugin = get_vendor(VENDOR)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    settings = plugin.demo_settings(url)
    data = {
        "vendor": VENDOR,
        "url": url,
        "api_token": settings.api_token.get_secret_value(),  # type: ignore[attr-defined]
    }
    stack = contextlib.ExitStack()
    stack.enter_context(patch.object(helpers, "get_async_client", return_value=client))
    if not pushed:
        stack.enter_context(patch.object(SwitchboardCoordinator, "async_start_push"))
    with stack:
        async with async_test_home_assistant() as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            entry = MockConfigEntry(domain="switchboard", title="bench", data=data)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            coordinator = entry.runtime_data.coordinator
            if not pushed:
                coordinator.base_interval = timedelta(seconds=POLL_INTERVAL)
                coordinator.update_interval = coordinator.base_interval
                await coordinator.async_refresh()
            yield hass
            await hass.config_entries.async_unload(entry.entry_id)
    await client.aclose()


def active_calls(hass: Any) -> int:
    state = next(
        s for s in hass.states.async_all("sensor") if "active_calls" in s.entity_id
    )
    return int(state.state)


async def ha_latencies(samples: int, *, pushed: bool) -> list[float]:
    emulator = TelecomXEmulator()
    number = next(iter(emulator.tenant.extensions.values()))["number"]
    latencies: list[float] = []
    async with (
        serve(emulator) as url,
        home_assistant(emulator, url, pushed=pushed) as hass,
    ):
        if pushed:
            await until(lambda: bool(emulator.realtime.subscriptions), 10)
        base = active_calls(hass)
        for _ in range(samples):
            # Events at random moments of the polling cycle.
            await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
            call_id = emulator.ring(number, CALLER)
            latencies.append(await until(lambda: active_calls(hass) == base + 1, 60))
            await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
            emulator.hang_up(call_id)
            latencies.append(await until(lambda: active_calls(hass) == base, 60))
    return latencies


async def no_push(self: CallWatcher, pbx: str) -> None:
    """The watcher as it was: timed rounds only."""


async def missed_note_latency(
    emulator: TelecomXEmulator, tracker: Any, slack: Any, extension: str, caller: str
) -> float:
    """Ring until the watcher saw the call, let it ring out; time until the DM."""
    call_id = emulator.ring(extension, caller)
    await until(lambda: call_id in tracker.live, 60)
    await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
    before = len(slack.api_calls("chat.postMessage"))
    emulator.hang_up(call_id)
    return await until(lambda: len(slack.api_calls("chat.postMessage")) > before, 60)


async def slack_latencies(samples: int, *, pushed: bool) -> list[float]:
    follow = CallWatcher._follow if pushed else no_push  # noqa: SLF001
    with patch.object(CallWatcher, "_follow", follow):
        async with start_demo(vendors=[VENDOR]) as demo, serve_fake_slack() as slack:
            async for rig in start_rig(demo, slack):
                emulator = rig.emulator
                assert isinstance(emulator, TelecomXEmulator)
                link = await demo.service.linked_extension(USER)
                assert link is not None
                watcher = CallWatcher(
                    demo.service,
                    SlackMissedCallSender(rig.app.bolt.client, "DK"),
                    interval=timedelta(seconds=POLL_INTERVAL),
                )
                task = asyncio.create_task(watcher.run())
                trackers = watcher._trackers  # noqa: SLF001
                await until(partial(operator.contains, trackers, VENDOR), 10)
                latencies = [
                    await missed_note_latency(
                        emulator,
                        trackers[VENDOR],
                        slack,
                        link.extension,
                        f"+45331{i:05d}",
                    )
                    for i in range(samples)
                ]
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return latencies


def row(name: str, values: list[float], scale: float = 1.0) -> str:
    return (
        f"{name:<34} {len(values):>4} {statistics.median(values) * scale:>10.3f} "
        f"{p99(values) * scale:>10.3f} {max(values) * scale:>10.3f}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40, help="pushed events")
    parser.add_argument("--polled", type=int, default=12, help="polled events")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    ha_push = await ha_latencies(args.samples, pushed=True)
    ha_poll = await ha_latencies(args.polled, pushed=False)
    slack_push = await slack_latencies(args.samples, pushed=True)
    slack_poll = await slack_latencies(args.polled, pushed=False)
    print(f"{'seconds':<34} {'n':>4} {'p50':>10} {'p99':>10} {'max':>10}")
    print(row("HA state, push", ha_push))
    print(row(f"HA state, polling every {POLL_INTERVAL:.0f} s", ha_poll))
    print(
        row(
            f"  scaled to {HA_DEFAULT:.0f} s (default)",
            ha_poll,
            HA_DEFAULT / POLL_INTERVAL,
        )
    )
    print(row("Slack note, push", slack_push))
    print(row(f"Slack note, polling every {POLL_INTERVAL:.0f} s", slack_poll))
    print(
        row(
            f"  scaled to {WATCHER_DEFAULT:.0f} s (default)",
            slack_poll,
            WATCHER_DEFAULT / POLL_INTERVAL,
        )
    )
    ha_ratio = statistics.median(ha_poll) / statistics.median(ha_push)
    slack_ratio = statistics.median(slack_poll) / statistics.median(slack_push)
    print(
        f"\nmedian ratio polling({POLL_INTERVAL:.0f} s)/push: "
        f"HA {ha_ratio:.0f}x, Slack {slack_ratio:.0f}x"
    )
    met = max(p99(ha_push), p99(slack_push)) < TARGET_P99
    print(f"Target: push p99 < {TARGET_P99:.0f} s: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
