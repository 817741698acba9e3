"""Push: a vendor that tells us when something changed, beside polling.

Two of our vendors push (the vendor reference, rows "Push events"): TelecomX over
its socket.io realtime feed, Telphin through webhooks. A backend that can push
declares :attr:`~switchboard.core.capabilities.Capability.PUSH` and offers
:meth:`~switchboard.core.backend.PbxBackend.push_signals`: an endless async stream
of :class:`PushSignal`, one per change the vendor announces.

A signal says *what kind* of thing changed, never the new state itself: the
consumer reacts by reading that kind at once (one request), through the same
:class:`~switchboard.core.call_events.CallTracker` as polling. The payloads of the
vendors' pushes are barely documented; re-reading cannot mis-read one, and the
shared definition of a call event (and of a missed call) stays in one place.

Pushes get lost (a socket drops, a webhook does not arrive), so consumers keep a
slow safety poll (:data:`SAFETY_POLL_INTERVAL`) that heals whatever was missed. A
stream signals :attr:`PushKind.RESYNC` after every (re)connection and
:attr:`PushKind.LOST` when a connection ends: only in between is the poll slow, so
a vendor whose feed cannot be reached is simply polled as before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

# While a vendor pushes, Home Assistant and the watcher still poll this often, to
# heal pushes that were lost (and Telphin's hourly quota is spared).
SAFETY_POLL_INTERVAL = timedelta(minutes=5)
# Reconnection waits double from the first to the longest, each with jitter, so a
# vendor restart is not met by every client at the same instant.
RECONNECT_FIRST = 1.0
RECONNECT_LONGEST = 120.0


class PushKind(StrEnum):
    """What a vendor said changed."""

    CALLS = "calls"
    """A call started, was answered or ended: read the live calls."""
    STATUS = "status"
    """An extension's state (DND, presence) changed: read the statuses."""
    RESYNC = "resync"
    """The stream (re)connected: anything may have changed meanwhile; read all.

    From here on pushes arrive: the consumer may poll slowly."""
    LOST = "lost"
    """The stream lost its connection: poll at the normal pace until the next resync."""


@dataclass(frozen=True, slots=True)
class PushSignal:
    """One announcement from the vendor.

    Attributes:
        kind: What changed.
    """

    kind: PushKind


def reconnect_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before reconnection ``attempt`` (1, 2, ...): doubling, jittered.

    Jitter in the upper half: between half and all of the doubled delay.
    """
    ceiling = min(RECONNECT_LONGEST, RECONNECT_FIRST * 2.0 ** max(0, attempt - 1))
    uniform = rng.uniform if rng is not None else random.uniform
    jitter: float = uniform(0.5, 1.0)  # spreads reconnections; not security
    return ceiling * jitter
