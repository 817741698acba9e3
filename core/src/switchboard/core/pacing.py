"""How often to poll a PBX whose vendor counts our requests (Home Assistant and the watcher).

Telphin allows a fixed number of requests per hour and reports what is left
(``X-RateLimit-Remaining``) and when the window resets. Polling at a fixed pace would
spend the quota before the hour is over, then every refresh and every user action
would fail with 429 until the reset. Instead the interval stretches so that the
remaining quota lasts until the reset, keeping a reserve for the user's own actions.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchboard.core.models import RateLimitState

# Part of the quota kept back for actions (DND, dial...) the user triggers.
QUOTA_RESERVE_FRACTION = 0.1
# A reset reported further away than this is not believed (a vendor sending an epoch
# timestamp where seconds were expected); we never poll less often than this.
MAX_POLL_INTERVAL = timedelta(hours=1)


def quota_spent(
    before: RateLimitState | None, after: RateLimitState | None
) -> int | None:
    """Return the requests the quota says were spent between two of its readings.

    A backend call can take several HTTP requests (Telphin reads each extension's
    phone separately), so counting calls would underestimate a refresh; the vendor's
    own count does not. ``None`` when the readings cannot say: one is missing, or
    the window reset in between (more left after than before).
    """
    if before is None or after is None:
        return None
    if before.remaining is None or after.remaining is None:
        return None
    if after.remaining > before.remaining:
        return None
    return before.remaining - after.remaining


def polling_interval(
    base: timedelta,
    quota: RateLimitState | None,
    cost: int,
    *,
    longest: timedelta = MAX_POLL_INTERVAL,
) -> timedelta:
    """Return the interval that makes the remaining quota last until it resets.

    Args:
        base: The interval the user chose; we never poll faster than this.
        quota: The quota the vendor reported last (``None`` when it reports none).
        cost: PBX requests one refresh takes.
        longest: Never wait longer than this (unless ``base`` is longer).
    """
    if quota is None or quota.remaining is None or quota.reset_seconds is None:
        return base
    reset = max(quota.reset_seconds, 0.0)
    reserve = math.ceil((quota.limit or 0) * QUOTA_RESERVE_FRACTION)
    refreshes_left = (quota.remaining - reserve) // max(cost, 1)
    # With nothing left to spend, wait for the window to reset (plus a second, so
    # the first request of the new window does not race the reset).
    wanted = reset + 1 if refreshes_left <= 0 else reset / refreshes_left
    return min(max(base, timedelta(seconds=wanted)), max(longest, base))
