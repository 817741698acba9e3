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


class _Flight(Generic[T]):
    """One request in flight and how many callers wait for it."""

    def __init__(self, future: asyncio.Future[T]) -> None:
        self.future = future
        self.waiting = 0


class SharedReads(Generic[T]):
    """Single-flight for identical reads, reset by every other request."""

    def __init__(self) -> None:
        self._flights: dict[tuple[int, Hashable], _Flight[T]] = {}
        self._generation = 0

    def other_request(self) -> None:
        """A request that is not a shared read is about to go out."""
        self._generation += 1

    @property
    def in_flight(self) -> int:
        """How many distinct reads are running now."""
        return len(self._flights)

    async def read(self, key: Hashable, send: Callable[[], Awaitable[T]]) -> T:
        """Join the identical read in flight, or send one.

        One caller giving up (a cancelled command) does not cancel the request
        for the others; when the last one gives up, the request is cancelled
        and awaited, so no request is left running for nobody.
        """
        slot = (self._generation, key)
        flight = self._flights.get(slot)
        if flight is None:
            flight = _Flight(asyncio.ensure_future(send()))
            self._flights[slot] = flight
            flight.future.add_done_callback(partial(self._landed, slot, flight))
        flight.waiting += 1
        try:
            return await asyncio.shield(flight.future)
        except asyncio.CancelledError:
            if flight.waiting == 1 and not flight.future.done():
                flight.future.cancel()
                await asyncio.wait([flight.future])
            raise
        finally:
            flight.waiting -= 1

    def _landed(
        self, slot: tuple[int, Hashable], flight: _Flight[T], future: asyncio.Future[T]
    ) -> None:
        if self._flights.get(slot) is flight:
            del self._flights[slot]
        if not future.cancelled():
            # Every joiner has seen (or will see) the error; mark it retrieved so
            # a read nobody waits for any more is not reported as lost.
            future.exception()
