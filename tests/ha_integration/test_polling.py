"""Polling stretches so that a vendor's request quota lasts until it resets."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from switchboard.core.models import RateLimitState

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.emulator import Emulator

BASE = timedelta(seconds=30)


def interval(quota: RateLimitState | None, cost: int = 2) -> float:
    from custom_components.switchboard.polling import polling_interval  # noqa: PLC0415

    return polling_interval(BASE, quota, cost).total_seconds()


def test_no_quota_keeps_the_chosen_interval() -> None:
    """Vendors without a quota are polled at the user's interval."""
    assert interval(None) == 30
    assert interval(RateLimitState(limit=100, remaining=None, reset_seconds=60)) == 30


def test_plenty_of_quota_keeps_the_chosen_interval() -> None:
    """With quota to spare nothing changes."""
    assert (
        interval(RateLimitState(limit=5000, remaining=4990, reset_seconds=3600)) == 30
    )


def test_shrinking_quota_slows_polling_down() -> None:
    """As the quota shrinks the interval grows, so the quota lasts until the reset."""
    seen = [
        interval(RateLimitState(limit=1000, remaining=r, reset_seconds=1800))
        for r in (1000, 400, 200, 120)
    ]
    assert seen == sorted(seen)
    assert seen[-1] > 30
    # 120 left, 100 kept for the user's own actions, 2 per refresh: 10 refreshes
    # spread over the 1800 s until the reset.
    assert seen[-1] == pytest.approx(180)


def test_exhausted_quota_waits_for_the_reset() -> None:
    """With nothing left, the next poll comes just after the reset."""
    assert interval(RateLimitState(limit=1000, remaining=50, reset_seconds=600)) == 601


def test_unbelievable_reset_is_capped() -> None:
    """A reset reported decades away (an epoch timestamp) never stops polling."""
    quota = RateLimitState(limit=1000, remaining=0, reset_seconds=1.8e9)
    assert interval(quota) == 3600


def spent(before: int | None, after: int | None) -> int | None:
    from custom_components.switchboard.polling import quota_spent  # noqa: PLC0415

    def reading(remaining: int | None) -> RateLimitState:
        return RateLimitState(limit=400, remaining=remaining, reset_seconds=600)

    return quota_spent(reading(before), reading(after))


def test_quota_spent_reads_the_vendors_count() -> None:
    """The drop in what is left is what a refresh cost, whatever the call count."""
    assert spent(300, 274) == 26
    assert spent(300, 300) == 0
    # The window reset in between, or the vendor did not say: unknown.
    assert spent(3, 399) is None
    assert spent(None, 200) is None
    assert spent(300, None) is None


@pytest.mark.parametrize("vendor", ["telphin"])
async def test_refresh_cost_counts_http_requests_not_calls(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
) -> None:
    """Telphin reads each phone apart: the quota's count, not four calls, is used."""
    coordinator = init_integration.runtime_data.coordinator
    before = emulator.request_count()
    await coordinator.async_refresh()
    made = emulator.request_count() - before
    assert made > 4  # more HTTP requests than backend calls
    assert coordinator.refresh_cost == made


@pytest.mark.parametrize("vendor", ["telphin"])
async def test_telphin_polling_never_hits_the_quota(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """With a small hourly quota, polling slows down and never gets a 429."""
    coordinator = init_integration.runtime_data.coordinator
    emulator.quota_per_hour = 150  # type: ignore[attr-defined]
    elapsed = 0.0
    intervals = []
    while elapsed < 3600:
        step = coordinator.update_interval.total_seconds()
        intervals.append(step)
        emulator.advance(step)  # type: ignore[attr-defined]
        elapsed += step
        await advance(step + 1)
        assert coordinator.last_update_success, f"refresh failed after {elapsed:.0f} s"
    assert max(intervals) > 30
    assert emulator.quota_remaining >= 0  # type: ignore[attr-defined]
