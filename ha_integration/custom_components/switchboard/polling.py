"""How often to poll a PBX whose vendor counts our requests: the core's pacing, HA's bounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.pacing import polling_interval as _core_interval
from switchboard.core.pacing import quota_spent

from .const import MAX_SCAN_INTERVAL

if TYPE_CHECKING:
    from datetime import timedelta

    from switchboard.core.models import RateLimitState

# A reset reported further away than this is not believed (a vendor sending an epoch
# timestamp where seconds were expected); we never poll less often than this.
MAX_INTERVAL = MAX_SCAN_INTERVAL

__all__ = ["MAX_INTERVAL", "polling_interval", "quota_spent"]


def polling_interval(
    base: timedelta, quota: RateLimitState | None, cost: int
) -> timedelta:
    """Return the interval that makes the remaining quota last until it resets."""
    return _core_interval(base, quota, cost, longest=MAX_INTERVAL)
