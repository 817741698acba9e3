"""Slack front-end benchmark: ack latency under a slow PBX, and concurrency.

Two processes, like a real deployment where Slack is far away:

* the server process runs the Slack app in HTTP mode (real signature checks),
  the TelecomX emulator on a loopback port (one PBX request per ``status``,
  with injected latency) and a fake Slack Web API / ``response_url`` server;
* this process plays Slack: it sends signed ``/pbx status`` requests and times
  each one from the POST to the HTTP 200 (the ack).

Measured in one run, side by side:

1. ``ack()`` latency of ``/pbx status`` while the PBX takes 2 s to answer
   (target: p99 < 20 ms); every command is then answered about 2 s later.
2. 100 ``/pbx status`` commands sent at once against a PBX answering in 200 ms,
   until the 100th answer reached the response_url, versus the same commands one
   after another (target: well under 2 s).

    .venv/bin/python benchmarks/bench_slack.py [--acks 200] [--serial 100]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchboard.core.demo import USER, demo_config
from switchboard.core.emulator import serve
from switchboard.core.registry import get_vendor
from switchboard.slack_app.app import create_app
from switchboard.slack_app.http_server import EVENTS_PATH, serve_http
from switchboard.slack_app.settings import SlackRuntime
from tests.slack_app.fake_slack import FakeSlack, serve_fake_slack
from tests.slack_app.signing import SIGNING_SECRET, command_body, signed_headers

VENDOR = "telecomx"
SLOW_PBX = 2.0
PBX_LATENCY = 0.2
CONCURRENT = 100


# -- the world process: the PBX and Slack --------------------------------------------------


def _control_app(
    emulator: Any, slack: FakeSlack, stop: asyncio.Event
) -> web.Application:
    """Lets the load generator set the PBX latency and wait for answers."""

    async def latency(request: web.Request) -> web.Response:
        emulator.faults.latency = float(request.query["seconds"])
        return web.Response(text="ok")

    async def wait(request: web.Request) -> web.Response:
        await slack.wait_for(
            f"respond/{request.query['key']}",
            count=int(request.query["count"]),
            within=300,
        )
        return web.Response(text="ok")

    async def shutdown(_request: web.Request) -> web.Response:
        stop.set()
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes(
        [
            web.post("/latency", latency),
            web.get("/wait", wait),
            web.post("/stop", shutdown),
        ]
    )
    return app


async def _world(conn: Any) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("switchboard.core.registry").setLevel(logging.ERROR)
    emulator = get_vendor(VENDOR).emulator_factory()
    stop = asyncio.Event()
    async with serve(emulator) as pbx_url, serve_fake_slack() as slack:
        control = web.AppRunner(_control_app(emulator, slack, stop))
        await control.setup()
        site = web.TCPSite(control, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
        conn.send((pbx_url, slack.base_url, f"http://127.0.0.1:{port}"))
        await stop.wait()
        await control.cleanup()


def world_process(conn: Any) -> None:
    asyncio.run(_world(conn))


# -- the app process: Switchboard's Slack app -------------------------------------------------


async def _app(conn: Any, pbx_url: str, slack_url: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("switchboard.slack_app").setLevel(logging.ERROR)
    logging.getLogger("switchboard.core.registry").setLevel(logging.ERROR)
    runtime = SlackRuntime(
        mode="http",
        bot_token=SecretStr("xoxb-bench-token"),
        signing_secret=SecretStr(SIGNING_SECRET),
        port=0,
        host="127.0.0.1",
    )
    with tempfile.TemporaryDirectory() as state:
        config = demo_config({VENDOR: pbx_url}, Path(state))
        app = await create_app(config, runtime, slack_api_url=f"{slack_url}/api/")
        service = app.board.service
        statuses = await service.backends.get(VENDOR).get_statuses()
        free = next(s for s in statuses if s.registered and not s.on_call)
        await service.link(USER, VENDOR, free.extension.number)
        async with serve_http(app.bolt, "127.0.0.1", 0) as url:
            # Like a long-running server after start-up: move the start-up
            # objects out of the garbage collector's way.
            gc.collect()
            gc.freeze()
            conn.send(url)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await app.aclose()


def app_process(conn: Any, pbx_url: str, slack_url: str) -> None:
    asyncio.run(_app(conn, pbx_url, slack_url))


# -- this process: Slack ------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Slack:
    def __init__(
        self, http: aiohttp.ClientSession, app_url: str, control: str, slack_url: str
    ) -> None:
        self.http = http
        self.app_url = app_url
        self.control = control
        self.respond = f"{slack_url}/respond/"  # the key follows

    async def command(self, text: str, key: str) -> float:
        """POST a signed /pbx command; return the time until the ack (HTTP 200)."""
        body = command_body(text, user=USER, response_url=f"{self.respond}{key}")
        headers = signed_headers(body)
        started = time.perf_counter()
        async with self.http.post(
            f"{self.app_url}{EVENTS_PATH}", data=body, headers=headers
        ) as response:
            await response.read()
        elapsed = time.perf_counter() - started
        assert response.status == 200, response.status
        return elapsed

    async def answered(self, key: str, count: int = 1) -> None:
        async with self.http.get(
            f"{self.control}/wait", params={"key": key, "count": str(count)}
        ) as r:
            assert r.status == 200

    async def pbx_latency(self, seconds: float) -> None:
        async with self.http.post(
            f"{self.control}/latency", params={"seconds": str(seconds)}
        ) as r:
            assert r.status == 200

    async def call(self, path: str) -> None:
        async with self.http.post(f"{self.control}{path}") as r:
            assert r.status == 200


async def measure(
    app_url: str, control: str, slack_url: str, acks: int, serial_count: int
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=CONCURRENT * 2)
    async with aiohttp.ClientSession(connector=connector) as http:
        slack = Slack(http, app_url, control, slack_url)
        for index in range(5):  # warm up: auth.test, PBX login, extension directory
            await slack.command("status", f"warm{index}")
            await slack.answered(f"warm{index}")

        await slack.pbx_latency(SLOW_PBX)
        latencies = [await slack.command("status", "ack") for _ in range(acks)]
        await slack.answered("ack", acks)  # every command still completes

        await slack.pbx_latency(PBX_LATENCY)
        started = time.perf_counter()
        await asyncio.gather(
            *(slack.command("status", "burst") for _ in range(CONCURRENT))
        )
        await slack.answered("burst", CONCURRENT)
        burst = time.perf_counter() - started

        started = time.perf_counter()
        for index in range(serial_count):
            await slack.command("status", f"serial{index}")
            await slack.answered(f"serial{index}")
        serial = time.perf_counter() - started
        await slack.call("/stop")
    return {"latencies": latencies, "burst": burst, "serial": serial}


def report(result: dict[str, Any], acks: int, serial_count: int) -> int:
    latencies = result["latencies"]
    burst = result["burst"]
    serial_100 = result["serial"] * CONCURRENT / serial_count
    p50 = statistics.median(latencies) * 1000
    p99 = percentile(latencies, 99) * 1000
    rows = [
        ("ack p50, /pbx status, PBX takes 2 s", f"{p50:.1f} ms", "", ""),
        (
            "ack p99, /pbx status, PBX takes 2 s",
            f"{p99:.1f} ms",
            "< 20 ms",
            "ok" if p99 < 20 else "MISSED",
        ),
        ("ack max", f"{max(latencies) * 1000:.1f} ms", "", ""),
        (
            f"{CONCURRENT} concurrent /pbx status, PBX 200 ms",
            f"{burst:.2f} s",
            "< 2 s",
            "ok" if burst < 2 else "MISSED",
        ),
        (
            f"{CONCURRENT} serial /pbx status (timed {serial_count})",
            f"{serial_100:.2f} s",
            "",
            "",
        ),
        ("speed-up, concurrent vs serial", f"{serial_100 / burst:.1f}x", "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'result':>10}  {'target':>8}  status")
    print("-" * (width + 32))
    for name, value, target, status in rows:
        print(f"{name:<{width}}  {value:>10}  {target:>8}  {status}")
    print(
        f"\n{acks} acks, timed by the sender from the signed POST to the HTTP 200 (loopback)."
    )
    return 0 if p99 < 20 and burst < 2 else 1


def _started(conn: Any, what: str) -> Any:
    if not conn.poll(120):
        msg = f"the {what} process did not start"
        raise RuntimeError(msg)
    return conn.recv()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--acks", type=int, default=200, help="ack samples (default 200)"
    )
    parser.add_argument(
        "--serial",
        type=int,
        default=CONCURRENT,
        help="serial commands to time (default 100)",
    )
    options = parser.parse_args()
    serial_count = max(1, options.serial)
    spawn = multiprocessing.get_context("spawn")
    world_conn, world_end = spawn.Pipe()
    app_conn, app_end = spawn.Pipe()
    world = spawn.Process(target=world_process, args=(world_end,), daemon=True)
    world.start()
    app: Any = None
    try:
        pbx_url, slack_url, control = _started(world_conn, "PBX/Slack")
        app = spawn.Process(
            target=app_process, args=(app_end, pbx_url, slack_url), daemon=True
        )
        app.start()
        app_url = _started(app_conn, "Slack app")
        result = asyncio.run(
            measure(app_url, control, slack_url, options.acks, serial_count)
        )
    finally:
        app_conn.send("stop")
        for process in (app, world):
            if process is not None:
                process.join(timeout=10)
                if process.is_alive():
                    process.terminate()
    return report(result, options.acks, serial_count)


if __name__ == "__main__":
    sys.exit(main())
