"""What does the command layer cost on top of the HTTP request it makes?

One ``status`` command through parse -> policy -> backend -> client -> render,
measured side by side with a bare ``httpx`` request replaying exactly the HTTP
request(s) that command sent, against the same vendor emulator served on a
loopback port. Both run interleaved in one event loop, so noise hits both.

    .venv/bin/python benchmarks/bench_command_overhead.py [--vendor pbxware] [-n 1500]

Target: the command costs at most 1.5x the bare request (ratio of medians).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from switchboard.core.commands import Actor, CommandService, Outcome  # noqa: E402
from switchboard.core.commands.render import table  # noqa: E402
from switchboard.core.demo import ADMIN, demo_config, demo_vendors  # noqa: E402
from switchboard.core.emulator import serve  # noqa: E402

TARGET = 1.5


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def bench_vendor(vendor: str, iterations: int) -> dict[str, float | int | str]:
    plugin = demo_vendors()[vendor]
    emulator = plugin.emulator_factory()
    with tempfile.TemporaryDirectory() as state_dir:
        async with serve(emulator) as url:
            config = demo_config({vendor: url}, Path(state_dir))
            service = await CommandService.create(config)
            bare = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
            )
            try:
                backend = service.backends.get(vendor)
                extension = (await backend.list_extensions())[0]
                await service.link(ADMIN, vendor, extension.number)
                actor = Actor(ADMIN, "Alice", email=None)
                for _ in range(20):  # warm caches, pools, auth tokens
                    reply = await service.run("status", actor)
                    assert reply.outcome is Outcome.SUCCESS, reply.text
                # The exact requests one command sends, to replay them bare.
                before = len(emulator.requests)
                await service.run("status", actor)
                sent = emulator.requests[before:]
                replay = [
                    (
                        r.method,
                        f"{url}{r.path}",
                        list[tuple[str, str | int | float | bool | None]](r.query),
                        {
                            k: v
                            for k, v in r.headers.items()
                            if k not in {"host", "content-length"}
                        },
                        r.body,
                    )
                    for r in sent
                ]

                async def bare_once() -> None:
                    for method, target, query, headers, body in replay:
                        response = await bare.request(
                            method,
                            target,
                            params=query,
                            headers=headers,
                            content=body or None,
                        )
                        response.raise_for_status()
                        response.read()

                for _ in range(20):
                    await bare_once()
                command_times: list[float] = []
                bare_times: list[float] = []
                for _ in range(iterations):
                    started = time.perf_counter()
                    await service.run("status", actor)
                    command_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    await bare_once()
                    bare_times.append(time.perf_counter() - started)
            finally:
                await bare.aclose()
                await service.aclose()
    command_median = statistics.median(command_times)
    bare_median = statistics.median(bare_times)
    return {
        "vendor": plugin.display_name,
        "requests": len(replay),
        "bare_median": bare_median * 1000,
        "bare_p95": percentile(bare_times, 0.95) * 1000,
        "command_median": command_median * 1000,
        "command_p95": percentile(command_times, 0.95) * 1000,
        "ratio": command_median / bare_median,
        "ratio_p95": percentile(command_times, 0.95) / percentile(bare_times, 0.95),
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vendor",
        default=None,
        help="one vendor (default: the first installed); 'all' for every vendor",
    )
    parser.add_argument("-n", "--iterations", type=int, default=1000)
    args = parser.parse_args()
    vendors = list(demo_vendors())
    chosen = vendors if args.vendor == "all" else [args.vendor or vendors[0]]
    rows = []
    worst = 0.0
    started = time.perf_counter()
    for vendor in chosen:
        result = await bench_vendor(vendor, args.iterations)
        worst = max(worst, float(result["ratio"]))
        rows.append(
            [
                result["vendor"],
                result["requests"],
                f"{result['bare_median']:.3f}",
                f"{result['bare_p95']:.3f}",
                f"{result['command_median']:.3f}",
                f"{result['command_p95']:.3f}",
                f"{result['ratio']:.2f}x",
                f"{result['ratio_p95']:.2f}x",
            ]
        )
    print(
        f"'status' command vs bare httpx replay of the same request(s), {args.iterations} iterations each, interleaved, loopback emulator"
    )
    print()
    print(
        table(
            [
                "VENDOR",
                "HTTP REQS",
                "BARE MED ms",
                "BARE P95 ms",
                "CMD MED ms",
                "CMD P95 ms",
                "RATIO MED",
                "RATIO P95",
            ],
            rows,
        )
    )
    print()
    verdict = "PASS" if worst <= TARGET else "FAIL"
    print(
        f"target: command <= {TARGET}x bare request (median): {verdict} (worst {worst:.2f}x), {time.perf_counter() - started:.1f} s"
    )
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
