"""Push against polling, side by side in one run: how fast a call reaches users.

For each vendor that pushes, against its emulator served on loopback, and for each
consumer, once following the vendor's pushes and once polling as before:

1. **event → Home Assistant state change**: a call rings (or ends) at the
   emulator; time until the real integration's ``active calls`` sensor changed,
   in a real (test) Home Assistant.
2. **event → Slack missed-call note**: a ringing call ends unanswered; time until
   the watcher has posted the DM to the fake Slack.

The vendors push differently:

* **TelecomX**: its realtime feed, a real socket.io connection the integration and
  the watcher open. The Slack side is the watcher ``slack run`` starts, in this
  process, on the Slack rig of the tests.
* **Telphin**: webhooks the emulator really POSTs; in Home Assistant to the
  webhook component's route behind the external URL, for Slack to the webhook
  route of the real ``switchboard slack run --http`` process
  (:mod:`push_telphin`).

Polling runs at a short interval (``POLL_INTERVAL``) so that the run takes
minutes, not an hour; a polled event waits on average half an interval, at worst a
whole one, so its figures are also shown scaled to the default intervals (Home
Assistant 30 s, the watcher 10 s). Times are read every 5 ms (``tests.waiting``).
Target: push p99 < 1 s.

    .venv/bin/python benchmarks/bench_push.py [--vendor telecomx|telphin|all]
        [--samples 40] [--polled 12]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import operator
import sys
from datetime import timedelta
from functools import partial
from typing import Any
from unittest.mock import patch

import push_rig
import push_telphin

from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.demo import USER, start_demo
from switchboard.plugins.telecomx.emulator import TelecomXEmulator
from switchboard.slack_app.missed_calls import SlackMissedCallSender
from tests.slack_app.conftest import start_rig
from tests.slack_app.fake_slack import serve_fake_slack
from tests.waiting import until

VENDOR = "telecomx"
CALLER = "+4533123456"
VENDORS = ("telecomx", "telphin")

# -- TelecomX: its realtime feed -----------------------------------------------------

HA = push_rig.HaVendor(
    name=VENDOR,
    emulator=TelecomXEmulator,
    number=lambda emu: next(iter(emu.tenant.extensions.values()))["number"],
    receive=push_rig.nothing_to_receive,  # the entry connects to the feed
    pushing=lambda emu: bool(emu.realtime.subscriptions),
)


async def ha_latencies(samples: int, *, pushed: bool) -> list[float]:
    return await push_rig.ha_latencies(HA, samples, CALLER, pushed=pushed)


async def no_push(self: CallWatcher, pbx: str) -> None:
    """The watcher as it was: timed rounds only."""


class TelecomXLine:
    """The user's extension; the watcher's tracker says when it saw a call."""

    def __init__(self, emulator: TelecomXEmulator, tracker: Any, extension: str):
        self._emulator = emulator
        self._tracker = tracker
        self._extension = extension

    def ring(self, caller: str) -> str:
        return self._emulator.ring(self._extension, caller)

    def seen(self, call_id: str) -> bool:
        return call_id in self._tracker.live

    def hang_up(self, call_id: str) -> None:
        self._emulator.hang_up(call_id)


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
                    interval=timedelta(seconds=push_rig.POLL_INTERVAL),
                )
                task = asyncio.create_task(watcher.run())
                trackers = watcher._trackers  # noqa: SLF001
                await until(partial(operator.contains, trackers, VENDOR), 10)
                line = TelecomXLine(emulator, trackers[VENDOR], link.extension)
                latencies = await push_rig.slack_latencies(
                    line, slack, samples, lambda i: f"+45331{i:05d}"
                )
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    return latencies


# -- the run -------------------------------------------------------------------------

MEASURES = {
    "telecomx": (ha_latencies, slack_latencies),
    "telphin": (push_telphin.ha_latencies, push_telphin.slack_latencies),
}


async def measure(vendor: str, samples: int, polled: int) -> list[push_rig.Measured]:
    ha, slack = MEASURES[vendor]
    return [
        push_rig.Measured(
            vendor,
            push_rig.HA,
            await ha(samples, pushed=True),
            await ha(polled, pushed=False),
            push_rig.HA_DEFAULT,
        ),
        push_rig.Measured(
            vendor,
            push_rig.SLACK,
            await slack(samples, pushed=True),
            await slack(polled, pushed=False),
            push_rig.WATCHER_DEFAULT,
        ),
    ]


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendor", choices=[*VENDORS, "all"], default="all")
    parser.add_argument("--samples", type=int, default=40, help="pushed events")
    parser.add_argument("--polled", type=int, default=12, help="polled events")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    vendors = VENDORS if args.vendor == "all" else (args.vendor,)
    results = [
        measured
        for vendor in vendors
        for measured in await measure(vendor, args.samples, args.polled)
    ]
    return 0 if push_rig.report(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
