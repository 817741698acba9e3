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

import asyncio
import hmac
import random
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from switchboard.core.redaction import register_secret

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

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


async def close_stream(stream: AsyncIterator[PushSignal]) -> None:
    """Close a push stream now (its clean-up runs here, not when it is collected)."""
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


def reconnect_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before reconnection ``attempt`` (1, 2, ...): doubling, jittered.

    Jitter in the upper half: between half and all of the doubled delay.
    """
    ceiling = min(RECONNECT_LONGEST, RECONNECT_FIRST * 2.0 ** max(0, attempt - 1))
    uniform = rng.uniform if rng is not None else random.uniform
    jitter: float = uniform(0.5, 1.0)  # spreads reconnections; not security
    return ceiling * jitter


class WebhookVerdict(StrEnum):
    """What a receiver made of one webhook call (the HTTP answer follows from it)."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    """Delivered before (vendors retry): acknowledged, no second effect."""
    REFUSED = "refused"
    """Wrong secret path token or an event type we did not register: nothing changes."""


# Webhook deliveries remembered to recognise a repeat (vendors retry on a timeout).
REMEMBERED_DELIVERIES = 1000


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One accepted webhook call: what it announces, and the form fields it carried.

    The fields are for the backend (which extension changed, say); front-ends
    follow :attr:`signal` only.

    Attributes:
        signal: What changed.
        fields: The form fields as delivered.
    """

    signal: PushSignal
    fields: Mapping[str, str]


class WebhookInbox:
    """Where a front-end's HTTP route hands a vendor's webhook calls.

    A vendor that pushes by webhook calls a URL we register; the route passes the
    last path segment and the form fields to :meth:`deliver`. What can be checked
    is checked: the path must carry this inbox's secret token (a new one per
    registration, never logged), and the event type must be one we registered.
    An identical delivery repeated is acknowledged once and has no second effect.

    A vendor may name the event type in different form fields for different
    events: ``kinds`` maps each such field to the types it may carry. The first
    field (in ``kinds``' order) whose value is a known type decides.

    Args:
        kinds: Form field -> event type -> what it announces.
    """

    def __init__(self, kinds: Mapping[str, Mapping[str, PushKind]]) -> None:
        self.kinds = {field: dict(types) for field, types in kinds.items()}
        self.token = secrets.token_urlsafe(24)
        register_secret(self.token, session_token=True)
        self._queue: asyncio.Queue[WebhookDelivery] = asyncio.Queue()
        self._seen: OrderedDict[tuple[tuple[str, str], ...], None] = OrderedDict()

    def __repr__(self) -> str:
        types = sorted({t for by_type in self.kinds.values() for t in by_type})
        return f"WebhookInbox(kinds={types})"

    def kind_of(self, fields: Mapping[str, str]) -> PushKind | None:
        """What a delivery with these fields announces; ``None`` if not registered."""
        for field, types in self.kinds.items():
            kind = types.get(fields.get(field, ""))
            if kind is not None:
                return kind
        return None

    def deliver(self, token: str, fields: Mapping[str, str]) -> WebhookVerdict:
        """Take one webhook call; return what became of it."""
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return WebhookVerdict.REFUSED
        kind = self.kind_of(fields)
        if kind is None:
            return WebhookVerdict.REFUSED
        key = tuple(sorted(fields.items()))
        if key in self._seen:
            return WebhookVerdict.DUPLICATE
        self._seen[key] = None
        while len(self._seen) > REMEMBERED_DELIVERIES:
            self._seen.popitem(last=False)
        self._queue.put_nowait(WebhookDelivery(PushSignal(kind), dict(fields)))
        return WebhookVerdict.ACCEPTED

    async def next_delivery(self) -> WebhookDelivery:
        """Wait for the next accepted delivery."""
        return await self._queue.get()
