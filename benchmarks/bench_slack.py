"""Slack front-end benchmark through the real ``switchboard slack run --http`` server.

Three processes, like a real deployment where Slack and the PBX are elsewhere:

* the world process runs a vendor emulator on a loopback port (with injected
  latency) and a fake Slack Web API / ``response_url`` server that timestamps
  every answer it receives;
* the server is ``switchboard --config FILE slack run --http``, started as an
  operator starts it: tokens in the environment, ``[slack] api_url`` and
  ``response_url_origins`` pointing at the fake Slack;
* this process plays Slack: it sends signed ``/pbx status`` requests and times
  each one from the POST to its HTTP 200 (the ack) and to its answer at the
  ``response_url``.

Measured in one run, side by side (issue 14, item 6; design targets):

1. 100 ``/pbx status`` sent at once, PBX answering at once: every answer's time
   from the POST to its arrival at the response_url (target: p99 < 1 s).
2. ``ack()`` latency while the PBX takes 2 s (target: p99 < 20 ms).
3. ``/pbx status`` one after another while the PBX takes 2 s: each answer's time
   (target: about one PBX round trip, < 2.5 s).
4. 100 ``/pbx status`` at once against a PBX answering in 200 ms, until the last
   answer arrived (target: < 2 s).

    .venv/bin/python benchmarks/bench_slack.py [--vendor mirta] [--acks 100] [--serial 5]
"""

from __future__ import annotations

import argparse
import asyncio
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchboard.core.emulator import serve
from switchboard.core.registry import get_vendor
from switchboard.slack_app.http_server import EVENTS_PATH
from tests.slack_app.fake_slack import FakeSlack, serve_fake_slack
from tests.slack_app.server import slack_server, write_config
from tests.slack_app.signing import command_body, signed_headers

USER = "U0BENCH01"
SLOW_PBX = 2.0
PBX_LATENCY = 0.2
CONCURRENT = 100
ANSWER_P99_TARGET = 1.0
ACK_P99_TARGET = 0.020
SERIAL_TARGET = 2.5
BURST_TARGET = 2.0


def slack_table(slack_url: str) -> dict[str, Any]:
    """The ``[slack]`` settings that point the server at the fake Slack."""
    return {"api_url": f"{slack_url}/api/", "response_url_origins": [slack_url]}


# -- the world process: the PBX and Slack --------------------------------------------------


def _control_app(
    emulator: Any, slack: FakeSlack, stop: asyncio.Event
) -> web.Application:
    """Lets the load generator set the PBX latency and read the answers' times."""

    async def latency(request: web.Request) -> web.Response:
        emulator.faults.latency = float(request.query["seconds"])
        return web.Response(text="ok")

    async def arrivals(request: web.Request) -> web.Response:
        prefix = f"respond/{request.query['prefix']}"
        count = int(request.query["count"])
        await slack.wait_for_prefix(prefix, count, within=300)
        return web.json_response(
            {c.method: c.at for c in slack.calls if c.method.startswith(prefix)}
        )

    async def shutdown(_request: web.Request) -> web.Response:
        stop.set()
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes(
        [
            web.post("/latency", latency),
            web.get("/arrivals", arrivals),
            web.post("/stop", shutdown),
        ]
    )
    return app


async def _free_extension(vendor: str, url: str) -> str:
    plugin = get_vendor(vendor)
    backend = plugin.create_backend(plugin.demo_settings(url))
    try:
        statuses = await backend.get_statuses()
    finally:
        await backend.aclose()
    return next(s for s in statuses if s.registered and not s.on_call).extension.number


async def _world(conn: Any, vendor: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("switchboard.core.registry").setLevel(logging.ERROR)
    emulator = get_vendor(vendor).emulator_factory()
    stop = asyncio.Event()
    async with serve(emulator) as pbx_url, serve_fake_slack() as slack:
        control = web.AppRunner(_control_app(emulator, slack, stop))
        await control.setup()
        site = web.TCPSite(control, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
        extension = await _free_extension(vendor, pbx_url)
        conn.send((pbx_url, slack.base_url, f"http://127.0.0.1:{port}", extension))
        await stop.wait()
        await control.cleanup()


def world_process(conn: Any, vendor: str) -> None:
    asyncio.run(_world(conn, vendor))


# -- this process: Slack ------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Slack:
    """Sends signed commands; reads back when each answer arrived."""

    def __init__(
        self, http: aiohttp.ClientSession, app_url: str, control: str, slack_url: str
    ) -> None:
        self.http = http
        self.app_url = app_url
        self.control = control
        self.respond = f"{slack_url}/respond/"  # the key follows
        self.sent: dict[str, float] = {}

    async def command(self, text: str, key: str) -> float:
        """POST a signed /pbx command; return the time until the ack (HTTP 200)."""
        body = command_body(text, user=USER, response_url=f"{self.respond}{key}")
        headers = signed_headers(body)
        self.sent[key] = time.time()
        started = time.perf_counter()
        async with self.http.post(
            f"{self.app_url}{EVENTS_PATH}", data=body, headers=headers
        ) as response:
            await response.read()
        elapsed = time.perf_counter() - started
        assert response.status == 200, response.status
        return elapsed

    async def answer_times(self, prefix: str, count: int) -> list[float]:
        """Wait for ``count`` answers to keys starting with ``prefix``; their latencies."""
        async with self.http.get(
            f"{self.control}/arrivals",
            params={"prefix": prefix, "count": str(count)},
            timeout=aiohttp.ClientTimeout(total=400),
        ) as r:
            assert r.status == 200
            arrived: dict[str, float] = await r.json()
        return [
            at - self.sent[method.removeprefix("respond/")]
            for method, at in arrived.items()
        ]

    async def pbx_latency(self, seconds: float) -> None:
        async with self.http.post(
            f"{self.control}/latency", params={"seconds": str(seconds)}
        ) as r:
            assert r.status == 200

    async def stop(self) -> None:
        async with self.http.post(f"{self.control}/stop") as r:
            assert r.status == 200


async def _burst(slack: Slack, prefix: str) -> tuple[list[float], list[float], float]:
    started = time.perf_counter()
    acks = await asyncio.gather(
        *(slack.command("status", f"{prefix}{i}") for i in range(CONCURRENT))
    )
    answers = await slack.answer_times(prefix, CONCURRENT)
    return list(acks), answers, time.perf_counter() - started


async def measure(
    app_url: str, control: str, slack_url: str, acks: int, serial_count: int
) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=CONCURRENT * 2)
    async with aiohttp.ClientSession(connector=connector) as http:
        slack = Slack(http, app_url, control, slack_url)
        for index in range(5):  # warm up: auth.test, PBX login, extension directory
            await slack.command("status", f"warm{index}-")
            await slack.answer_times(f"warm{index}-", 1)

        await slack.pbx_latency(0.0)
        burst_acks, burst_answers, _ = await _burst(slack, "zero-")

        await slack.pbx_latency(SLOW_PBX)
        latencies = [await slack.command("status", f"ack-{i}") for i in range(acks)]
        await slack.answer_times("ack-", acks)  # every command still completes

        serial: list[float] = []
        for index in range(serial_count):
            await slack.command("status", f"serial{index}-")
            serial += await slack.answer_times(f"serial{index}-", 1)

        await slack.pbx_latency(PBX_LATENCY)
        _, _, burst_200 = await _burst(slack, "b200-")
        await slack.stop()
    return {
        "burst_acks": burst_acks,
        "burst_answers": burst_answers,
        "acks": latencies,
        "serial": serial,
        "burst_200": burst_200,
    }


async def serve_and_measure(
    config: Path,
    env: dict[str, str],
    log: Path,
    world: tuple[str, str],
    counts: tuple[int, int],
) -> dict[str, Any]:
    """Start ``switchboard slack run --http``, measure, stop it."""
    control, slack_url = world
    async with slack_server(config, env, log) as server:
        return await measure(server.url, control, slack_url, *counts)


def _row(
    name: str, value: str, target: str = "", *, met: bool | None = None
) -> tuple[str, str, str, str]:
    status = "" if met is None else ("ok" if met else "MISSED")
    return name, value, target, status


def report(result: dict[str, Any], vendor: str) -> int:
    answers = result["burst_answers"]
    acks = result["acks"]
    serial = result["serial"]
    checks = {
        "answers": percentile(answers, 99) < ANSWER_P99_TARGET,
        "acks": percentile(acks, 99) < ACK_P99_TARGET,
        "serial": statistics.median(serial) < SERIAL_TARGET,
        "burst": result["burst_200"] < BURST_TARGET,
    }
    rows = [
        _row(
            f"{CONCURRENT} at once, PBX 0 s: answer p50",
            f"{statistics.median(answers):.3f} s",
        ),
        _row(
            f"{CONCURRENT} at once, PBX 0 s: answer p99",
            f"{percentile(answers, 99):.3f} s",
            f"< {ANSWER_P99_TARGET:g} s",
            met=checks["answers"],
        ),
        _row(
            f"{CONCURRENT} at once, PBX 0 s: ack p99",
            f"{percentile(result['burst_acks'], 99) * 1000:.1f} ms",
        ),
        _row("ack p50, PBX takes 2 s", f"{statistics.median(acks) * 1000:.1f} ms"),
        _row(
            "ack p99, PBX takes 2 s",
            f"{percentile(acks, 99) * 1000:.1f} ms",
            f"< {ACK_P99_TARGET * 1000:g} ms",
            met=checks["acks"],
        ),
        _row(
            "one after another, PBX 2 s: answer p50",
            f"{statistics.median(serial):.2f} s",
            f"< {SERIAL_TARGET:g} s",
            met=checks["serial"],
        ),
        _row(
            f"{CONCURRENT} at once, PBX 200 ms: all answered",
            f"{result['burst_200']:.2f} s",
            f"< {BURST_TARGET:g} s",
            met=checks["burst"],
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"vendor: {vendor}, server: switchboard slack run --http (a subprocess)")
    print(f"{'measurement':<{width}}  {'result':>10}  {'target':>8}  status")
    print("-" * (width + 32))
    for name, value, target, status in rows:
        print(f"{name:<{width}}  {value:>10}  {target:>8}  {status}")
    return 0 if all(checks.values()) else 1


def _started(conn: Any, what: str) -> Any:
    if not conn.poll(120):
        msg = f"the {what} process did not start"
        raise RuntimeError(msg)
    return conn.recv()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vendor", default="mirta", help="emulated PBX (default mirta)"
    )
    parser.add_argument(
        "--acks", type=int, default=100, help="ack samples (default 100)"
    )
    parser.add_argument(
        "--serial", type=int, default=5, help="serial commands at 2 s (default 5)"
    )
    options = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    world_conn, world_end = spawn.Pipe()
    world = spawn.Process(
        target=world_process, args=(world_end, options.vendor), daemon=True
    )
    world.start()
    try:
        pbx_url, slack_url, control, extension = _started(world_conn, "PBX/Slack")
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "switchboard.toml"
            env = write_config(
                config,
                get_vendor(options.vendor),
                pbx_url,
                slack=slack_table(slack_url),
                users={USER: extension},
                admins=[],
            )
            result = asyncio.run(
                serve_and_measure(
                    config,
                    env,
                    Path(folder) / "server.log",
                    (control, slack_url),
                    (max(1, options.acks), max(1, options.serial)),
                )
            )
    finally:
        world.join(timeout=10)
        if world.is_alive():
            world.terminate()
    return report(result, options.vendor)


if __name__ == "__main__":
    sys.exit(main())
