"""``kill -9`` at random points of state-changing commands: no PBX write without an audit row.

Each round runs one real ``switchboard`` CLI process (dnd on/off, a call) against
a MiRTA emulator on loopback and kills it with SIGKILL at a random moment: half
of the rounds at a random time after start, half at a random time after the
emulator received the write -- while it waits ``answer_latency`` before
confirming, the window in which the PBX has acted and the process has not heard
back. After every kill, a write the emulator received must have an audit row
(pending or complete) from that round.

The same test runs on PostgreSQL in ``test_kill_postgres.py``.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from switchboard.core.commands.state import StateStore

if TYPE_CHECKING:
    from switchboard.core.commands.state import AuditEntry
    from switchboard.core.emulator import Emulator
    from tests.core.cli.conftest import ConfiguredPbx

ROUNDS = 12
ANSWER_LATENCY = 0.6  # the PBX has acted; the process has not heard back yet
SETTLE = 0.3  # after a kill, before counting what the PBX received
# MiRTA's proxy API requests that change something (seed 004: DIAL, SETFLOW,
# DND&action=set, HANGUP, TRANSFER).
WRITE_REQTYPES = frozenset({"DIAL", "SETFLOW", "HANGUP", "TRANSFER"})


def _writes(emulator: Emulator) -> int:
    return sum(
        1
        for r in list(emulator.requests)
        if (r.param("reqtype") or "").upper() in WRITE_REQTYPES
        or ((r.param("reqtype") or "").upper() == "DND" and r.param("action") == "set")
    )


async def _audit(url: str) -> list[AuditEntry]:
    store = await StateStore.open(url)
    try:
        return await store.audit_entries(1000)
    finally:
        await store.aclose()


@pytest.fixture
def state_url() -> str | None:
    """The database to use instead of the configured SQLite file (None: keep it)."""
    return None


def _database_url(configured: ConfiguredPbx, replacement: str | None) -> str:
    lines = configured.path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("database_url"))
    if replacement is not None:
        lines[index] = f'database_url = "{replacement}"'
        configured.path.write_text("\n".join(lines) + "\n")
    return lines[index].split("=", 1)[1].strip().strip('"')


def _wait_for_write(
    emulator: Emulator, before: int, proc: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 20
    while _writes(emulator) == before and proc.poll() is None:
        if time.monotonic() > deadline:
            pytest.fail("the command never reached the PBX")
        time.sleep(0.005)


def test_every_pbx_write_has_an_audit_row(
    configured_pbx: ConfiguredPbx, state_url: str | None
) -> None:
    """Repeated kill -9 leaves no write the PBX received without an audit row."""
    url = _database_url(configured_pbx, state_url)
    emulator = configured_pbx.emulator
    emulator.faults.answer_latency = ANSWER_LATENCY
    commands = ["dnd on", "dnd off", f"call {configured_pbx.bob}"]
    rng = random.Random(os.environ.get("SWITCHBOARD_KILL_SEED", "15"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    rows_before = 0
    caught_in_the_window = 0
    for round_ in range(ROUNDS):
        command = rng.choice(commands)
        writes_before = _writes(emulator)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "switchboard.core.cli",
                "--config",
                str(configured_pbx.path),
                "--as",
                "alice",
                *command.split(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        if round_ % 2:
            _wait_for_write(emulator, writes_before, proc)
            time.sleep(rng.uniform(0, ANSWER_LATENCY * 1.2))
        else:
            time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # A request that left just before the kill may still be on its way in.
        time.sleep(SETTLE)
        wrote = _writes(emulator) - writes_before
        entries = asyncio.run(_audit(url))
        new = entries[rows_before:]
        rows_before = len(entries)
        assert wrote <= 1
        if wrote:
            assert new, (
                f"round {round_} ({command}): the PBX got a write with no audit row"
            )
            assert new[-1].action.split()[0] == command.split()[0]
            caught_in_the_window += new[-1].pending
    # The test must have hit the window it is about at least once.
    assert caught_in_the_window >= 1
    listed = [e for e in asyncio.run(_audit(url)) if e.pending]
    assert all(e.completed_at is None for e in listed)
