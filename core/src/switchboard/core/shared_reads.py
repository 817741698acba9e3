"""Concurrent identical reads share one PBX request.

When a hundred people type ``/pbx status`` at once, their commands ask the PBX
the same bulk questions (every extension, every registration). Each answer is
equally fresh for all of them, so one request in flight serves every identical
read that arrives while it runs, instead of a hundred requests queueing in the
connection pool.

Only requests the client marks as pure reads take part. Any other request (a
write, or a read not marked) starts a new generation: a read issued after it
never joins a request that was sent before it, so nobody reads their own
change from an answer older than the change.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Hashable

T = TypeVar("T")


class SharedReads(Generic[T]):
    """Single-flight for identical reads, reset by every other request."""

    def __init__(self) -> None:
        self._flights: dict[tuple[int, Hashable], asyncio.Future[T]] = {}
        self._generation = 0

    def other_request(self) -> None:
        """A request that is not a shared read is about to go out."""
        self._generation += 1

    @property
    def in_flight(self) -> int:
        """How many distinct reads are running now."""
        return len(self._flights)

    async def read(self, key: Hashable, send: Callable[[], Awaitable[T]]) -> T:
        """Join the identical read in flight, or send one."""
        slot = (self._generation, key)
        flight = self._flights.get(slot)
        if flight is None:
            flight = asyncio.ensure_future(send())
            self._flights[slot] = flight
            flight.add_done_callback(partial(self._landed, slot))
        # One caller giving up (a cancelled command) must not cancel the others.
        return await asyncio.shield(flight)

    def _landed(self, slot: tuple[int, Hashable], flight: asyncio.Future[T]) -> None:
        if self._flights.get(slot) is flight:
            del self._flights[slot]
        if not flight.cancelled():
            # Every joiner has seen (or will see) the error; mark it retrieved so
            # a read nobody waits for any more is not reported as lost.
            flight.exception()
