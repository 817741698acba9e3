"""A pushed missed call reaches Slack within a second; the timed rounds only heal.

TelecomX's emulator is served on loopback (its realtime feed is a real socket.io
connection); the watcher is the one ``slack run`` starts, running on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path  # noqa: TC003 - pytest resolves fixture annotations
from typing import TYPE_CHECKING

import pytest

from switchboard.core import push
from switchboard.core.demo import start_demo
from switchboard.plugins.telecomx.emulator import TelecomXEmulator
from tests.slack_app.conftest import Rig, start_rig
from tests.slack_app.test_missed_calls import dms, own_number, watcher_of
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.slack_app.fake_slack import FakeSlack

WITHIN = 1.0


@pytest.fixture
async def pushed_rig(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Rig]:
    monkeypatch.setattr(push, "RECONNECT_FIRST", 0.05)
    async with start_demo(state_dir=tmp_path, vendors=["telecomx"]) as demo:
        async for built in start_rig(demo, fake_slack):
            yield built


async def test_a_pushed_missed_call_is_in_slack_within_a_second(
    pushed_rig: Rig,
) -> None:
    rig = pushed_rig
    emulator = rig.emulator
    assert isinstance(emulator, TelecomXEmulator)
    watcher = watcher_of(rig)
    number = await own_number(rig)
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: bool(emulator.realtime.subscriptions), 5)
        # Leading (its first round made the tracker) and pushed to.
        await until(lambda: rig.pbx in watcher._pushed, 5)
        await until(lambda: rig.pbx in watcher._trackers, 5)
        before = len(dms(rig))
        # A phone rings for seconds: the pushed start is read while it rings
        # (TelecomX keeps no call history to find a call that is already gone).
        call_id = emulator.ring(number, "+4533123456")
        tracker = watcher._trackers[rig.pbx]
        await until(lambda: call_id in tracker.live, WITHIN)
        emulator.hang_up(call_id)
        took = await until(lambda: len(dms(rig)) == before + 1, WITHIN)
        assert took < WITHIN
        # The timed round that follows reads nothing new: one DM, not two.
        await watcher.poll_once(rig.pbx)
        assert len(dms(rig)) == before + 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
