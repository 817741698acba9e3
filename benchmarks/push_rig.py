"""What ``bench_push`` measures for every vendor that pushes, whatever its push.

Shared by the vendors' parts of :mod:`bench_push` (TelecomX's realtime feed,
Telphin's webhooks): the test Home Assistant running the real integration on a
vendor emulator, the loops that time an event until Home Assistant's state or a
Slack missed-call note shows it, the statistics and the table.

Imported first: it puts the repository (``tests``) and the integration
(``custom_components.switchboard``) on the import path.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from unittest.mock import patch

import httpx
from aiohttp.resolver import AsyncResolver
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "ha_integration")]

import custom_components  # noqa: E402
from homeassistant import loader  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from switchboard.core.emulator import serve  # noqa: E402
from switchboard.core.registry import get_vendor  # noqa: E402
from tests.waiting import until  # noqa: E402

if str(ROOT / "ha_integration/custom_components") not in custom_components.__path__:
    custom_components.__path__.insert(0, str(ROOT / "ha_integration/custom_components"))

from custom_components.switchboard import helpers  # noqa: E402
from custom_components.switchboard.coordinator import (  # noqa: E402
    SwitchboardCoordinator,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from switchboard.core.emulator import Emulator
    from tests.slack_app.fake_slack import FakeSlack

# Polling runs this often so that a run takes minutes, not an hour; its figures
# are also shown scaled to the default intervals.
POLL_INTERVAL = 2.0
HA_DEFAULT = 30.0
WATCHER_DEFAULT = 10.0
TARGET_P99 = 1.0
HA = "Home Assistant state"
SLACK = "Slack missed-call note"


class RingingEmulator(Protocol):
    """An emulator whose calls the benchmark makes ring and end."""

    def ring(self, extension: str, caller: str) -> str: ...

    def hang_up(self, call_id: str) -> None: ...


@dataclass(frozen=True)
class HaVendor:
    """What differs between vendors in the Home Assistant measurement.

    Attributes:
        name: The vendor (registry name).
        emulator: A fresh emulator, as the benchmark wants it.
        number: The extension whose calls ring.
        receive: Entered before the entry is set up when pushed: lets the vendor's
            pushes reach this Home Assistant (a webhook route, say).
        pushing: True once the entry follows the vendor's pushes.
    """

    name: str
    emulator: Callable[[], Emulator]
    number: Callable[[Any], str]
    receive: Callable[[Any, Any], contextlib.AbstractAsyncContextManager[None]]
    pushing: Callable[[Any], bool]


@contextlib.asynccontextmanager
async def nothing_to_receive(hass: Any, emulator: Any) -> AsyncIterator[None]:
    """A push that needs no more than the entry (a feed the entry connects to)."""
    del hass, emulator
    yield


def plain_resolver(hass: Any) -> AsyncResolver:
    """DNS for Home Assistant's aiohttp session, closed as its own resolver is."""
    del hass
    resolver = AsyncResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    return resolver


def entry_data(vendor: str, url: str) -> dict[str, Any]:
    """What the config flow saves for the vendor's emulator served at ``url``."""
    settings = get_vendor(vendor).demo_settings(url)
    data: dict[str, Any] = {"vendor": vendor}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name == "max_retries" or value is None:
            continue
        data[name] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return data


@contextlib.asynccontextmanager
async def home_assistant(
    vendor: HaVendor, emulator: Any, url: str, *, pushed: bool
) -> AsyncIterator[Any]:
    """A test Home Assistant with the integration on the emulator; yields the hass."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    stack = contextlib.ExitStack()
    stack.enter_context(patch.object(helpers, "get_async_client", return_value=client))
    # Home Assistant's HTTP app is served by the vendor's receive, not on 8123; DNS
    # without zeroconf (as the tests' plugin has it: a second test Home Assistant
    # in one process would otherwise trip over the first one's zeroconf).
    stack.enter_context(
        patch(
            "homeassistant.helpers.aiohttp_client._async_make_resolver",
            side_effect=plain_resolver,
        )
    )
    stack.enter_context(
        patch("homeassistant.components.http.start_http_server_and_save_config")
    )
    if not pushed:
        stack.enter_context(patch.object(SwitchboardCoordinator, "async_start_push"))
    receive = vendor.receive if pushed else nothing_to_receive
    with stack:
        async with (
            async_test_home_assistant() as hass,
            receive(hass, emulator),
        ):
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            data = entry_data(vendor.name, url)
            entry = MockConfigEntry(domain="switchboard", title="bench", data=data)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            coordinator = entry.runtime_data.coordinator
            if not pushed:
                coordinator.base_interval = timedelta(seconds=POLL_INTERVAL)
                coordinator.update_interval = coordinator.base_interval
                await coordinator.async_refresh()
            yield hass
            # Unloaded while the vendor's pushes can still be removed.
            await hass.config_entries.async_unload(entry.entry_id)
    await client.aclose()


def active_calls(hass: Any) -> int:
    state = next(
        s for s in hass.states.async_all("sensor") if "active_calls" in s.entity_id
    )
    return int(state.state)


async def ha_latencies(
    vendor: HaVendor, samples: int, caller: str, *, pushed: bool
) -> list[float]:
    """Ring and end ``samples`` calls; time each until the sensor changed."""
    emulator = vendor.emulator()
    number = vendor.number(emulator)
    latencies: list[float] = []
    async with (
        serve(emulator) as url,
        home_assistant(vendor, emulator, url, pushed=pushed) as hass,
    ):
        if pushed:
            await until(lambda: vendor.pushing(emulator), 10)
        base = active_calls(hass)
        for _ in range(samples):
            # Events at random moments of the polling cycle.
            await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
            call_id = emulator.ring(number, caller)  # type: ignore[attr-defined]
            latencies.append(await until(lambda: active_calls(hass) == base + 1, 60))
            await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
            emulator.hang_up(call_id)  # type: ignore[attr-defined]
            latencies.append(await until(lambda: active_calls(hass) == base, 60))
    return latencies


# -- Slack ---------------------------------------------------------------------------


class Line(Protocol):
    """One user's extension, as the missed-call measurement rings it."""

    def ring(self, caller: str) -> str:
        """Let ``caller`` ring the user's extension; the call's id."""

    def seen(self, call_id: str) -> bool:
        """True once the watcher has read the ringing call."""

    def hang_up(self, call_id: str) -> None:
        """The caller gives up."""


def missed_call_notes(slack: FakeSlack) -> int:
    """Missed-call DMs the fake Slack received."""
    return sum(
        1
        for m in slack.dm_messages
        if (m.get("metadata") or {}).get("event_type") == "switchboard_missed_call"
    )


async def missed_note_latency(line: Line, slack: FakeSlack, caller: str) -> float:
    """Ring until the watcher saw the call, let it ring out; time until the DM.

    A call that ends before the watcher read it is never seen (TelecomX and
    Telphin keep no history), so the hang-up waits for that reading; then a
    random moment of the polling cycle.
    """
    call_id = line.ring(caller)
    await until(lambda: line.seen(call_id), 60)
    await asyncio.sleep(random.uniform(0, POLL_INTERVAL))
    before = missed_call_notes(slack)
    line.hang_up(call_id)
    return await until(lambda: missed_call_notes(slack) > before, 60)


async def slack_latencies(
    line: Line, slack: FakeSlack, samples: int, caller: Callable[[int], str]
) -> list[float]:
    """``samples`` missed calls, each from another caller (notes are not grouped)."""
    return [await missed_note_latency(line, slack, caller(i)) for i in range(samples)]


# -- the table -----------------------------------------------------------------------


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Measured:
    """One consumer of one vendor, pushed and polled, in seconds."""

    vendor: str
    consumer: str
    push: list[float]
    poll: list[float]
    default_interval: float

    def rows(self) -> list[str]:
        scale = self.default_interval / POLL_INTERVAL
        return [
            row(self.vendor, self.consumer, "push", self.push),
            row(
                self.vendor,
                self.consumer,
                f"polling {POLL_INTERVAL:.0f} s",
                self.poll,
            ),
            row(
                self.vendor,
                self.consumer,
                f"polling {self.default_interval:.0f} s (scaled)",
                self.poll,
                scale,
            ),
        ]

    @property
    def ratio(self) -> float:
        """Median polling (at ``POLL_INTERVAL``) over median push."""
        return statistics.median(self.poll) / statistics.median(self.push)


HEADER = (
    f"{'vendor':<9} {'consumer':<23} {'mode':<22} "
    f"{'p50 s':>8} {'p99 s':>8} {'max s':>8} {'n':>4}"
)


def row(
    vendor: str, consumer: str, mode: str, values: list[float], scale: float = 1.0
) -> str:
    return (
        f"{vendor:<9} {consumer:<23} {mode:<22} "
        f"{statistics.median(values) * scale:>8.3f} {p99(values) * scale:>8.3f} "
        f"{max(values) * scale:>8.3f} {len(values):>4}"
    )


def report(results: list[Measured]) -> bool:
    """Print the table, the ratios and the target; True when the target is met."""
    print(HEADER)
    for result in results:
        for line in result.rows():
            print(line)
    print(f"\nmedian ratio polling ({POLL_INTERVAL:.0f} s) / push:")
    for result in results:
        print(f"  {result.vendor} {result.consumer}: {result.ratio:.0f}x")
    met = max(p99(r.push) for r in results) < TARGET_P99
    print(f"Target: push p99 < {TARGET_P99:.0f} s: {'met' if met else 'MISSED'}")
    return met
