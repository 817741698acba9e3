"""What one Home Assistant refresh costs, per vendor.

For each landed vendor this runs the real integration in a real (test) Home
Assistant against the vendor's emulator seeded with 10 and with 1,000 extensions,
and prints:

* PBX requests per refresh (equal for 10 and 1,000 where the vendor has bulk calls);
* CPU per refresh outside the HTTP wait, for 1,000 extensions: ``time.process_time``
  around a coordinator refresh whose backend answers instantly with data fetched
  beforehand (one DND flipped each time, so entities really update). This is the
  Home Assistant side: indexing, event diffing, registry checks and state writes.
  Target: under 50 ms.
* for context, CPU of a full refresh (vendor client parsing + the in-process
  emulator answering, which a real PBX would do elsewhere).

Run: .venv/bin/python benchmarks/bench_ha_refresh.py
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "ha_integration")]

import custom_components  # noqa: E402
from homeassistant import loader  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from switchboard.core.capabilities import Capability  # noqa: E402
from switchboard.core.registry import available_vendors, builtin_vendors  # noqa: E402

if str(ROOT / "ha_integration/custom_components") not in custom_components.__path__:
    custom_components.__path__.insert(0, str(ROOT / "ha_integration/custom_components"))

from custom_components.switchboard import helpers  # noqa: E402

URL = "http://pbx.emulator.test"
SIZES = (10, 1000)
SAMPLES = 7
TARGET_MS = 50.0


def entry_data(plugin: Any) -> dict[str, Any]:
    settings = plugin.demo_settings(URL)
    data: dict[str, Any] = {"vendor": plugin.name}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name == "max_retries" or value is None:
            continue
        data[name] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return data


async def measure(plugin: Any, extensions: int) -> dict[str, float]:
    emulator = type(plugin.emulator_factory())(extensions=extensions)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    data = entry_data(plugin)
    result: dict[str, float] = {}
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        with patch.object(helpers, "get_async_client", return_value=client):
            probe = plugin.create_backend(
                plugin.parse_settings({k: v for k, v in data.items() if k != "vendor"}),
                client,
            )
            info = await probe.account_info()
            entry = MockConfigEntry(
                domain="switchboard",
                title=info.name,
                unique_id=info.unique_id,
                data=data,
            )
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            coordinator = entry.runtime_data.coordinator
            backend = entry.runtime_data.backend

            before = emulator.request_count()
            await coordinator.async_refresh()
            result["requests"] = emulator.request_count() - before

            full = []
            for _ in range(3):
                started = time.process_time()
                await coordinator.async_refresh()
                await hass.async_block_till_done()
                full.append((time.process_time() - started) * 1000)
            result["full_ms"] = statistics.median(full)

            statuses = await backend.get_statuses()
            flows = (
                await backend.list_flows() if backend.supports(Capability.FLOWS) else []
            )
            hours = (
                await backend.list_office_hours()
                if backend.supports(Capability.OFFICE_HOURS)
                else []
            )
            calls = (
                await backend.list_calls()
                if backend.supports(Capability.LIVE_CALLS)
                else []
            )
            turn = {"n": 0}

            async def instant_statuses(_ids: list[str] | None = None) -> list[Any]:
                # Flip one extension's DND per refresh, so the data really changes.
                turn["n"] += 1
                i = turn["n"] % len(statuses)
                flipped = statuses[i].model_copy(update={"dnd": not statuses[i].dnd})
                return [*statuses[:i], flipped, *statuses[i + 1 :]]

            async def instant(items: list[Any]) -> list[Any]:
                return items

            with (
                patch.object(backend, "get_statuses", instant_statuses),
                patch.object(backend, "list_flows", lambda: instant(flows)),
                patch.object(backend, "list_office_hours", lambda: instant(hours)),
                patch.object(backend, "list_calls", lambda: instant(calls)),
            ):
                samples = []
                for _ in range(SAMPLES):
                    started = time.process_time()
                    await coordinator.async_refresh()
                    await hass.async_block_till_done()
                    samples.append((time.process_time() - started) * 1000)
            result["ha_ms"] = statistics.median(samples)
            result["entities"] = len(hass.states.async_all())
            await hass.config_entries.async_unload(entry.entry_id)
            await probe.aclose()
    await client.aclose()
    return result


async def main() -> int:
    logging.disable(logging.WARNING)
    vendors = available_vendors()
    rows = []
    for name in builtin_vendors():
        if name not in vendors:
            continue
        small = await measure(vendors[name], SIZES[0])
        large = await measure(vendors[name], SIZES[1])
        rows.append((name, small, large))
    print(
        f"{'vendor':<10} {'req/refresh 10':>15} {'req/refresh 1000':>17} "
        f"{'HA CPU/refresh 1000 (ms)':>25} {'full CPU 1000 (ms)':>19} {'entities':>9}"
    )
    worst = 0.0
    for name, small, large in rows:
        worst = max(worst, large["ha_ms"])
        print(
            f"{name:<10} {small['requests']:>15.0f} {large['requests']:>17.0f} "
            f"{large['ha_ms']:>25.1f} {large['full_ms']:>19.1f} {large['entities']:>9.0f}"
        )
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(
        f"\nTarget: HA-side CPU per refresh of 1,000 extensions < {TARGET_MS:.0f} ms: {verdict}"
    )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
