"""DND and forwarding in Telphin's bulk refresh: the phone cache and its request cost.

With DND configured a bulk refresh reads the never-seen phones (at most
FIRST_PASS_READS_PER_REFRESH) and the ROUND_ROBIN_READS_PER_REFRESH stalest
ones; everything else comes from what Switchboard saw or wrote before.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

import pytest

from switchboard.core.errors import SwitchboardConfigError
from switchboard.plugins.telphin.emulator import TelphinEmulator
from switchboard.plugins.telphin.models import PhoneProperties
from switchboard.plugins.telphin.phone_cache import (
    FIRST_PASS_READS_PER_REFRESH,
    ROUND_ROBIN_READS_PER_REFRESH,
    PhoneCache,
)

from .conftest import FakeClock, api_requests, emulator_http, make_backend

if TYPE_CHECKING:
    import httpx

    from switchboard.core.emulator import Request, Response
    from switchboard.core.models import ExtensionStatus
    from switchboard.plugins.telphin.backend import TelphinBackend

DND_ID = 302
K = ROUND_ROBIN_READS_PER_REFRESH


async def refresh(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> tuple[int, dict[str, ExtensionStatus]]:
    """One bulk refresh: (API requests it cost, statuses by extension id)."""
    before = api_requests(emulator)
    statuses = await backend.get_statuses()
    return api_requests(emulator) - before, {s.extension.id: s for s in statuses}


def known(statuses: dict[str, ExtensionStatus]) -> int:
    return sum(1 for s in statuses.values() if s.dnd is not None)


def ids(emulator: TelphinEmulator) -> list[str]:
    return [str(i) for i in emulator.extensions]


# -- the cache on its own ------------------------------------------------------------


def phone(status: int | None) -> PhoneProperties:
    return PhoneProperties(call_status_id=status)


def test_due_reads_unknown_phones_first_then_the_stalest() -> None:
    cache = PhoneCache()
    every = [str(i) for i in range(10)]
    assert cache.due(every) == every  # all unknown, fewer than the first-pass cap
    for i in every[:6]:
        cache.store_read(i, phone(None), started=cache.now())
    assert cache.due(every) == ["6", "7", "8", "9", *every[:K]]
    cache.store_write("0", phone(DND_ID))  # a write makes "0" the freshest
    for i in every[6:]:
        cache.store_read(i, phone(None), started=cache.now())
    assert cache.due(every) == every[1 : 1 + K]


def test_first_pass_is_capped() -> None:
    cache = PhoneCache()
    every = [str(i) for i in range(1000)]
    assert cache.due(every) == every[:FIRST_PASS_READS_PER_REFRESH]


def test_a_read_older_than_a_write_does_not_replace_it() -> None:
    cache = PhoneCache()
    started = cache.now()
    cache.store_write("7", phone(DND_ID))
    cache.store_read("7", phone(None), started=started)  # was in flight
    assert cache.get("7") == phone(DND_ID)
    cache.store_read("7", phone(None), started=cache.now())  # a later read wins
    assert cache.get("7") == phone(None)


def test_a_phone_the_pbx_says_changed_is_read_first_until_read_after_that() -> None:
    cache = PhoneCache()
    every = [str(i) for i in range(10)]
    for i in every:
        cache.store_read(i, phone(None), started=cache.now())
    # "9" was read last: the round-robin alone would reach it last.
    in_flight = cache.now()
    cache.mark_changed("9")
    cache.mark_changed("gone")  # not listed: never read
    assert cache.due(every) == ["9", *every[:K]]
    cache.store_read("9", phone(None), started=in_flight)  # may predate the change
    assert cache.due(every)[0] == "9"
    cache.store_read("9", phone(DND_ID), started=cache.now())
    assert cache.due(every) == every[:K]
    cache.mark_changed("3")
    cache.retain(every[:3])
    assert cache.due(every[:3]) == every[:K]


def test_retain_forgets_removed_extensions() -> None:
    cache = PhoneCache()
    for i in ("1", "2", "3"):
        cache.store_write(i, phone(None))
    cache.retain(["1", "3", "4"])
    assert len(cache) == 2
    assert "2" not in cache
    assert cache.get("2") is None


# -- request cost of the bulk refresh --------------------------------------------------


@pytest.mark.parametrize(("count", "first"), [(10, 14), (24, 28)])
async def test_a_small_account_is_fully_known_after_the_first_refresh(
    clock: FakeClock, count: int, first: int
) -> None:
    """First: 3 list reads + every phone + the call-status list; then 3 + K."""
    emulator = TelphinEmulator(count, clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http)
        cost, statuses = await refresh(backend, emulator)
        assert cost == first == 3 + count + 1
        assert known(statuses) == count
        for _ in range(3):
            cost, statuses = await refresh(backend, emulator)
            assert cost == 3 + K == 5
            assert known(statuses) == count
    assert emulator.request_count("/call_status/") == 1


async def test_statuses_carry_the_phone_settings(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    _, statuses = await refresh(backend, emulator)
    for ext_id, status in statuses.items():
        settings = emulator.phones[int(ext_id)]
        assert status.dnd is (settings["call_status_id"] == DND_ID)
        assert status.forward_to == settings["external_number"]
    assert any(s.forward_to for s in statuses.values())


async def test_a_big_account_warms_up_at_a_bounded_cost(clock: FakeClock) -> None:
    """1,000 extensions: 23 list reads + at most 50 + K phones, then 23 + K."""
    emulator = TelphinEmulator(1000, clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http)
        cost, statuses = await refresh(backend, emulator)
        assert cost == 23 + FIRST_PASS_READS_PER_REFRESH + 1 == 74
        assert known(statuses) == FIRST_PASS_READS_PER_REFRESH
        warm_up = math.ceil(1000 / FIRST_PASS_READS_PER_REFRESH)
        for n in range(2, warm_up + 1):
            cost, statuses = await refresh(backend, emulator)
            assert cost == 23 + FIRST_PASS_READS_PER_REFRESH + K == 75
            assert known(statuses) == n * FIRST_PASS_READS_PER_REFRESH
        assert known(statuses) == 1000
        for _ in range(3):
            cost, statuses = await refresh(backend, emulator)
            assert cost == 23 + K == 25
            assert known(statuses) == 1000


async def test_get_status_fills_the_cache(clock: FakeClock) -> None:
    emulator = TelphinEmulator(1000, clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http)
        last = ids(emulator)[-1]
        emulator.phones[int(last)]["call_status_id"] = DND_ID
        assert (await backend.get_status(last)).dnd is True
        _, statuses = await refresh(backend, emulator)
    assert statuses[last].dnd is True  # not in the first pass, known all the same
    assert known(statuses) == FIRST_PASS_READS_PER_REFRESH + 1


async def test_removed_extensions_are_not_read(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    await refresh(backend, emulator)
    gone = int(ids(emulator)[0])
    for table in (emulator.extensions, emulator.phones, emulator.registrations):
        del table[gone]
    for _ in range(15):  # more than a full round-robin
        cost, statuses = await refresh(backend, emulator)
        assert cost == 3 + K
        assert str(gone) not in statuses
    assert emulator.request_count(f"/extension/{gone}/") == 1  # the first pass only


async def test_a_missing_dnd_status_does_not_take_the_refresh_down(
    http: httpx.AsyncClient,
    emulator: TelphinEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A typo in dnd_call_status: DND unknown, forwarding shown, one list read."""
    backend = make_backend(http, dnd_call_status="Nicht stören")
    for _ in range(3):
        _, statuses = await refresh(backend, emulator)
        assert all(s.dnd is None for s in statuses.values())
        assert any(s.forward_to for s in statuses.values())
    assert emulator.request_count("/call_status/") == 1
    assert "'Nicht stören'" in caplog.text
    with pytest.raises(SwitchboardConfigError):
        await backend.set_dnd(ids(emulator)[0], enabled=True)


# -- what the refresh shows after changes ------------------------------------------------


async def test_dnd_set_through_switchboard_shows_in_the_next_refresh(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    await refresh(backend, emulator)
    ext = ids(emulator)[9]  # not among the next round-robin reads
    await backend.set_dnd(ext, enabled=True)
    for _ in range(3):
        cost, statuses = await refresh(backend, emulator)
        assert statuses[ext].dnd is True
        assert cost == 3 + K
    await backend.set_dnd(ext, enabled=False)
    _, statuses = await refresh(backend, emulator)
    assert statuses[ext].dnd is False


async def test_forwarding_set_through_switchboard_shows_in_the_next_refresh(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    await refresh(backend, emulator)
    ext = ids(emulator)[9]
    await backend.set_forward(ext, "+4570305050")
    _, statuses = await refresh(backend, emulator)
    assert statuses[ext].forward_to == "+4570305050"
    await backend.set_forward(ext, None)
    _, statuses = await refresh(backend, emulator)
    assert statuses[ext].forward_to is None


async def test_external_changes_show_within_the_round_robin_bound(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    """Changed in the Telphin panel: K more phones show it per refresh."""
    await refresh(backend, emulator)
    for settings in emulator.phones.values():
        settings["call_status_id"] = DND_ID
        settings["external_number"] = "+4570305050"
    bound = math.ceil(len(emulator.phones) / K)
    for n in range(1, bound + 1):
        _, statuses = await refresh(backend, emulator)
        dnd_on = [s for s in statuses.values() if s.dnd]
        assert len(dnd_on) == min(n * K, len(statuses))
        assert all(s.forward_to == "+4570305050" for s in dnd_on)
    assert all(s.dnd for s in statuses.values())
    assert bound == 12


class HoldingEmulator(TelphinEmulator):
    """Holds back the answer of the next phone read until the test releases it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hold_next = False
        self.held: int | None = None
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def _get_phone(self, request: Request) -> Response:
        response = await super()._get_phone(request)  # the state as of now
        if self.hold_next:
            self.hold_next = False
            self.held = int(request.path_params["extension_id"])
            self.holding.set()
            await self.release.wait()
        return response


async def test_a_write_during_a_refresh_is_not_undone_by_its_reads(
    clock: FakeClock,
) -> None:
    emulator = HoldingEmulator(clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http)
        await refresh(backend, emulator)
        emulator.hold_next = True
        running = asyncio.create_task(backend.get_statuses())
        await emulator.holding.wait()
        ext = str(emulator.held)
        # The held read saw DND off; the user switches it on meanwhile.
        assert (await backend.set_dnd(ext, enabled=True)).dnd is True
        emulator.release.set()
        during = {s.extension.id: s for s in await running}
        _, after = await refresh(backend, emulator)
    assert during[ext].dnd is True
    assert after[ext].dnd is True
