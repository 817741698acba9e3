"""``slack run --http --workers 2``: the parent replaces a worker that dies.

The real command in a subprocess (:mod:`tests.slack_app.server`): one worker is
killed with SIGKILL, the parent starts another in its slot, and the new one
answers a signed request on the shared port; SIGTERM to the parent stops them all.
The restart pacing (a worker that dies at once does not spin) is checked on
:class:`~switchboard.slack_app.workers.WorkerPool` itself.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.demo import USER
from switchboard.core.emulator import serve
from switchboard.core.registry import get_vendor
from switchboard.slack_app import workers as workers_module
from switchboard.slack_app.http_server import EVENTS_PATH
from switchboard.slack_app.workers import WorkerPool, describe_exit
from tests.slack_app.conftest import VENDOR
from tests.slack_app.dying_worker import dies_at_once
from tests.slack_app.server import (
    BOT_TOKEN,
    SlackServer,
    slack_server,
    stop_server,
    write_config,
)
from tests.slack_app.signing import SIGNING_SECRET, command_body, signed_headers
from tests.waiting import until

if TYPE_CHECKING:
    from tests.slack_app.fake_slack import FakeSlack

STARTED = re.compile(r"Slack worker (\d+) started \(pid (\d+)\)")
LISTENING = "Switchboard Slack app listening on"


def started(server: SlackServer) -> list[tuple[int, int]]:
    """(slot, pid) of every worker the parent started, in order."""
    return [(int(s), int(p)) for s, p in STARTED.findall(server.log_text())]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return "Z"
    return stat.rsplit(")", 1)[1].split()[0]


async def answered_help(
    server: SlackServer, fake_slack: FakeSlack, http: httpx.AsyncClient, key: str
) -> None:
    """A signed ``/pbx help`` gets its 200 and its answer."""
    body = command_body("help", user=USER, response_url=fake_slack.response_url(key))
    answer = await http.post(
        f"{server.url}{EVENTS_PATH}", content=body, headers=signed_headers(body)
    )
    assert answer.status_code == 200
    [reply] = await fake_slack.wait_for(f"respond/{key}", within=10)
    assert reply.body["text"].startswith("*Switchboard commands*")


@pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT and /proc")
async def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    plugin = get_vendor(VENDOR)
    async with serve(plugin.emulator_factory()) as pbx_url:
        path = tmp_path / "switchboard.toml"
        env = write_config(
            path,
            plugin,
            pbx_url,
            slack={
                "api_url": f"{fake_slack.base_url}/api/",
                "response_url_origins": [fake_slack.base_url],
                "missed_calls": False,
            },
            users={},
            admins=[],
        )
        async with (
            slack_server(path, env, tmp_path / "server.log", workers=2) as server,
            httpx.AsyncClient(timeout=10) as http,
        ):
            await until(lambda: server.log_text().count(LISTENING) == 2, 60)
            assert sorted(slot for slot, _ in started(server)) == [0, 1]
            [first, second] = [pid for _, pid in sorted(started(server))]
            os.kill(first, signal.SIGKILL)
            await until(lambda: len(started(server)) == 3, 30)
            slot, replacement = started(server)[-1]
            assert slot == 0
            assert replacement not in {first, second}
            log = server.log_text()
            assert (
                f"Slack worker 0 (pid {first}) died (killed by SIGKILL); "
                "restarting it in 1 s" in log
            )
            await until(lambda: server.log_text().count(LISTENING) == 3, 60)

            # Now the other original worker dies: only the replacement listens.
            os.kill(second, signal.SIGKILL)
            await until(lambda: f"(pid {second}) died" in server.log_text(), 10)
            await answered_help(server, fake_slack, http, "after-kill")

            await until(lambda: len(started(server)) == 4, 30)
            pids = [pid for _, pid in started(server)]
            assert all(alive(pid) for pid in pids[2:])
            assert await stop_server(server) == 0
    assert not any(alive(pid) for pid in pids)
    log = server.log_text()
    assert "Traceback" not in log
    assert BOT_TOKEN not in log
    assert SIGNING_SECRET not in log
    # No restart after SIGTERM: the two workers started last were the last.
    assert len(started(server)) == 4


def test_a_worker_that_dies_at_start_is_restarted_ever_more_slowly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(workers_module, "RESTART_WAIT_CAP_SECONDS", 2.0)
    caplog.set_level(logging.INFO, logger=workers_module.__name__)
    pool = WorkerPool(dies_at_once, (), 1, name="test-dies")

    def died() -> list[logging.LogRecord]:
        return [r for r in list(caplog.records) if "died" in r.getMessage()]

    def stop_after_three_deaths() -> None:
        deadline = time.monotonic() + 60
        while len(died()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # the pool's handler takes it

    stopper = threading.Thread(target=stop_after_three_deaths, daemon=True)
    stopper.start()
    previous = signal.getsignal(signal.SIGTERM)
    pool.run()
    stopper.join()
    deaths = died()[:3]
    messages = [r.getMessage() for r in deaths]
    assert [m.rsplit(" in ", 1)[1] for m in messages] == ["1 s", "2 s", "2 s"], messages
    assert all(
        m.startswith("Slack worker 0 (pid ") and "(exit code 3)" in m for m in messages
    )
    # Each restart waited as long as it said (and the next death came after it).
    gaps = [later.created - earlier.created for earlier, later in pairwise(deaths)]
    assert gaps[0] >= 1.0
    assert gaps[1] >= 2.0
    starts = [r for r in caplog.records if "started (pid" in r.getMessage()]
    # The first start and two restarts; none after the SIGTERM (the third was due 2 s on).
    assert len(starts) == 3
    # The pool gave SIGTERM back to whoever had it.
    assert signal.getsignal(signal.SIGTERM) is previous


def test_exit_codes_are_told_as_an_operator_reads_them() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"
    assert describe_exit(-200) == "killed by signal 200"
