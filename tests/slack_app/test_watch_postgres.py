"""Exactly once across workers: three HTTP workers on PostgreSQL, one killed mid-run.

Each worker is a real process running ``switchboard.slack_app.app.run`` (see
``watch_worker.py``): the watcher, its lease in the state database and the DMs
through a recording fake of Slack's Web API. The MiRTA emulator (it keeps a call
history) rings the user's extension; N unanswered calls from N callers must give
exactly N DMs, none lost and none doubled, although the leader is killed (SIGKILL)
in the middle and another worker takes over.

Needs SWITCHBOARD_TEST_POSTGRES_URL (``script/test`` starts a throwaway server).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from switchboard.core.commands.state import StateStore
from switchboard.core.demo import USER
from switchboard.core.emulator import serve
from switchboard.plugins.mirta.emulator import MirtaEmulator
from tests.core.commands.test_state_postgres import (  # noqa: F401 - the fixture
    SERVER_URL,
    PostgresDb,
    state_db,
)
from tests.slack_app.fake_slack import serve_fake_slack

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.slack_app.fake_slack import FakeSlack

pytestmark = pytest.mark.skipif(
    not SERVER_URL,
    reason="SWITCHBOARD_TEST_POSTGRES_URL is not set (script/test sets it)",
)

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
CALLS = 9
EXTENSION = "102"


class Cluster:
    """The emulator, the fake Slack and the worker processes of one run."""

    def __init__(
        self, db: PostgresDb, emulator: MirtaEmulator, slack: FakeSlack
    ) -> None:
        self.db = db
        self.emulator = emulator
        self.slack = slack
        self.workers: list[subprocess.Popen[bytes]] = []

    def start(self, pbx_url: str, *flags: str) -> None:
        for _ in range(WORKERS):
            self.workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.slack_app.watch_worker",
                        pbx_url,
                        self.db.url,
                        f"{self.slack.base_url}/api/",
                        *flags,
                    ],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def dms(self) -> list[str]:
        """The caller named in each missed-call DM posted, in order."""
        return [
            c.body["text"]
            for c in self.slack.api_calls("chat.postMessage")
            if str(c.body.get("channel", "")).startswith("D")
        ]

    async def leader_pid(self) -> int | None:
        rows = await self.db.fetch("select holder from switchboard_leases")
        return int(rows[0][0].split(":")[1]) if rows else None

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


async def wait_until(condition: object, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return bool(condition())  # type: ignore[operator]


@pytest.fixture
async def cluster(
    state_db: PostgresDb,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[tuple[Cluster, str]]:
    emulator = MirtaEmulator()
    store = await StateStore.open(state_db.url)
    await store.set_link(USER, "mirta", EXTENSION, linked_by="test")
    await store.aclose()
    async with serve(emulator) as pbx_url, serve_fake_slack() as slack:
        built = Cluster(state_db, emulator, slack)
        try:
            yield built, pbx_url
        finally:
            built.stop()


def caller(index: int) -> str:
    return f"+45331200{index:02d}"


async def ring_calls(cluster: Cluster, *, kill_after: int | None) -> int | None:
    """Ring out CALLS calls; kill the leader after ``kill_after`` of them."""
    killed = None
    for index in range(CALLS):
        call_id = cluster.emulator.ring(EXTENSION, caller(index))
        # Some calls last over a poll (seen live), some end between two (history).
        await asyncio.sleep(0.2 if index % 2 else 1.3)
        cluster.emulator.hang_up(call_id)
        if index + 1 == kill_after:
            killed = await cluster.leader_pid()
            assert killed is not None, "a worker must hold the lease by now"
            os.kill(killed, signal.SIGKILL)
        await asyncio.sleep(0.3)
    return killed


async def started(cluster: Cluster) -> None:
    ready = await wait_until(
        lambda: len(cluster.slack.api_calls("auth.test")) >= WORKERS, 60
    )
    assert ready, "the workers did not start"
    await asyncio.sleep(1.5)  # the first polls: the baseline


@pytest.mark.parametrize("run", [1, 2, 3])
async def test_n_missed_calls_give_exactly_n_dms_with_a_worker_killed(
    cluster: tuple[Cluster, str], run: int
) -> None:
    built, pbx_url = cluster
    built.start(pbx_url)
    await started(built)

    killed = await ring_calls(built, kill_after=3 + run)

    # The lease expires (3 s) and another worker takes over and reads the history.
    await wait_until(lambda: len(built.dms()) >= CALLS, 20)
    await asyncio.sleep(3)  # anything doubled would arrive by now
    dms = built.dms()
    assert killed in [w.pid for w in built.workers]
    assert len(dms) == CALLS, dms
    # Each caller exactly once ("Missed call from 33 12 00 05": national format).
    told = sorted(re.sub(r"\D", "", text) for text in dms)
    assert told == sorted(caller(i)[3:] for i in range(CALLS)), dms
    leader = await built.leader_pid()
    assert leader is not None
    assert leader != killed


async def test_without_the_lease_every_worker_polls_the_pbx(
    cluster: tuple[Cluster, str],
) -> None:
    """What the lease prevents: with it one worker polls; without it, all three do."""
    built, pbx_url = cluster
    built.start(pbx_url, "--no-lease")
    await started(built)
    before = built.emulator.request_count()
    await asyncio.sleep(5)
    rounds_per_second = (built.emulator.request_count() - before) / 5 / 2

    # One round is CHANNELS + INFO cdrs (two requests) every second per poller.
    assert rounds_per_second > 2.0, rounds_per_second
    assert await built.leader_pid() is None  # nobody took a lease
