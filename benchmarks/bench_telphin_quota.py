"""Telphin's hourly quota: adaptive polling versus a fixed interval, over a simulated hour.

The Telphin emulator counts requests per hour like the real API (429
``rate_limit_exceeded`` when the quota is spent, ``X-RateLimit-*`` on every
answer). The emulator's clock is advanced by each polling interval, so an hour
passes in a second. Two pollers refresh the same way the Home Assistant
coordinator does (statuses + live calls):

* baseline: a fixed 30 s interval;
* switchboard: the coordinator's ``polling_interval`` (from the HA integration),
  which stretches the interval as ``X-RateLimit-Remaining`` falls.

Target: switchboard never hits a 429 in the hour; the baseline does.
Run: .venv/bin/python benchmarks/bench_telphin_quota.py
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "ha_integration")]

from custom_components.switchboard.polling import polling_interval  # noqa: E402

from switchboard.core.errors import SwitchboardRateLimitError  # noqa: E402
from switchboard.plugins.telphin import PLUGIN  # noqa: E402

HOUR = 3600.0
BASE = timedelta(seconds=30)
QUOTA = 400  # requests per hour, small enough that 30 s polling cannot last the hour


async def simulate(*, adaptive: bool) -> dict[str, float]:
    """Poll for one simulated hour; count refreshes, requests and 429s."""
    emulator = PLUGIN.emulator_factory()
    emulator.quota_per_hour = QUOTA  # type: ignore[attr-defined]
    settings = PLUGIN.demo_settings("http://telphin.emulator.test").model_copy(
        update={"max_retries": 0}
    )
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    backend = PLUGIN.create_backend(settings, client)
    elapsed, refreshes, limited, intervals = 0.0, 0, 0, []
    try:
        while elapsed < HOUR:
            before = emulator.request_count()
            try:
                await backend.get_statuses()
                await backend.list_calls()
                refreshes += 1
            except SwitchboardRateLimitError:
                limited += 1
            cost = max(emulator.request_count() - before, 1)
            step = (
                polling_interval(BASE, backend.rate_limit, cost) if adaptive else BASE
            ).total_seconds()
            intervals.append(step)
            emulator.advance(step)  # type: ignore[attr-defined]
            elapsed += step
    finally:
        await backend.aclose()
        await client.aclose()
    return {
        "refreshes": refreshes,
        "rate_limited": limited,
        "requests": emulator.request_count(),
        "max_interval": max(intervals),
    }


async def main() -> int:
    """Run both pollers and print the table."""
    fixed = await simulate(adaptive=False)
    adaptive = await simulate(adaptive=True)
    print(
        f"Telphin, quota {QUOTA} requests/hour, one simulated hour, base interval 30 s"
    )
    print()
    print(
        f"{'poller':<28}{'refreshes ok':>14}{'429 answers':>13}{'requests':>10}{'longest interval':>18}"
    )
    for name, row in (
        ("baseline: fixed 30 s", fixed),
        ("switchboard: adaptive", adaptive),
    ):
        print(
            f"{name:<28}{row['refreshes']:>14.0f}{row['rate_limited']:>13.0f}"
            f"{row['requests']:>10.0f}{row['max_interval']:>16.0f} s"
        )
    ok = adaptive["rate_limited"] == 0 and fixed["rate_limited"] > 0
    print()
    print(
        f"target (no 429 with adaptive polling; the fixed baseline hits it): {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
