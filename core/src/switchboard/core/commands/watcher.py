"""The missed-call watcher: one poller per PBX, whatever the number of workers.

Every worker (``slack run`` in Socket Mode or HTTP, any number of them, or
``switchboard watch`` on its own) runs a :class:`CallWatcher`. Each round, per PBX:

1. take or renew the PBX's lease in the state database (an expiring row; see
   :meth:`~switchboard.core.commands.state.StateStore.acquire_lease`). Only its
   holder polls; when the holder dies the lease expires and another worker takes
   over, reading the call history back a little way where the vendor keeps one;
2. read the calls (:class:`~switchboard.core.call_events.CallTracker`, the shared
   definition of a missed call);
3. for each missed call and each user linked to the extension who wants to know,
   **record** the call for that user (one atomic insert) and only then hand it to
   the front-end's sender. A call already recorded is never sent again, so a new
   leader, or two workers that both polled, never tell anyone twice. A leader killed
   between the record and the message leaves the record without a message: the
   next leader asks the front-end whether it was sent (Slack: the DM's metadata)
   and sends it only if not.

Missed calls from one caller within :data:`GROUP_WINDOW` update one message.
Polling slows down with the vendor's request quota exactly as Home Assistant's does
(:func:`switchboard.core.pacing.polling_interval`).

Where the vendor pushes (:mod:`switchboard.core.push`), every worker also follows
its stream: an announced call change runs a round at once (the lease still decides
who reads), so a missed call reaches its user within a second. While the stream is
connected and no call is in progress the rounds keep renewing the lease but read the
calls only every :data:`~switchboard.core.push.SAFETY_POLL_INTERVAL`, to heal lost
pushes.

A vendor that pushes by *webhook* (Telphin) calls one URL, so only the lease holder
registers one: while it holds the lease it follows the stream of a
:class:`~switchboard.core.commands.webhook_relay.WebhookRelay` (which registers at
the vendor and reads what any worker received); losing the lease or stopping
closes the stream, which removes the registrations. Without a relay (no public
address) such a vendor is polled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Protocol

from switchboard.core.actors import is_slack_user_id
from switchboard.core.call_events import CallEventType, CallTracker
from switchboard.core.capabilities import Capability
from switchboard.core.commands.preferences import NOTIFY_MISSED, enabled
from switchboard.core.commands.state import MissedCallNote
from switchboard.core.errors import SwitchboardError
from switchboard.core.pacing import polling_interval, quota_spent
from switchboard.core.push import (
    SAFETY_POLL_INTERVAL,
    PushKind,
    close_stream,
    reconnect_delay,
)
from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.core.backend import PbxBackend
    from switchboard.core.commands.service import CommandService
    from switchboard.core.commands.webhook_relay import WebhookRelay
    from switchboard.core.models import Call
    from switchboard.core.push import PushSignal

_LOGGER = get_logger(__name__)

# How often the leader polls each PBX (slower when a vendor's quota says so).
# A missed call reaches its user within about this long (plus Slack's own delay).
POLL_INTERVAL = timedelta(seconds=10)
# The lease lasts this many intervals: a leader that misses two renewals in a row
# (a stuck PBX request, a killed process) is replaced.
LEASE_INTERVALS = 3
# Missed calls from one caller within this long update one message.
GROUP_WINDOW = timedelta(minutes=5)
# A worker taking over reads the call history this far back (what the previous
# leader may have missed while dying); recorded calls are skipped.
TAKEOVER_LOOKBACK = timedelta(minutes=10)


class MissedCallSender(Protocol):
    """What a front-end does with a missed call (Slack: a DM with Call back)."""

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        """Tell ``notes[0].user_id`` about ``notes`` (one caller, oldest first).

        Args:
            notes: The caller's recent missed calls, the new one last.
            previous: A note whose message already tells about the earlier ones:
                update that message instead of sending a new one.

        Returns:
            Where the message is (channel, message id), or ``None`` if not sent.
        """
        ...

    async def find(self, note: MissedCallNote) -> tuple[str, str] | None:
        """Return where a message about ``note`` was sent already, if one was.

        Asked for calls recorded by a worker that may have died before it could
        say where it sent them (or whether it did).
        """
        ...


def worker_id() -> str:
    """A name for this process that no other worker shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class CallWatcher:
    """Polls every configured PBX for missed calls and sends each one once.

    Args:
        service: The command service (backends, links, state database).
        sender: The front-end's sender.
        interval: The base polling interval.
        use_lease: Only for tests that show what the lease prevents
            (default: :attr:`USE_LEASE`).
        webhooks: Where vendors that push by webhook reach us; ``None``: they
            are polled.
    """

    USE_LEASE: ClassVar[bool] = True
    """Tests flip it in a worker process to show what the lease prevents."""

    def __init__(
        self,
        service: CommandService,
        sender: MissedCallSender,
        *,
        interval: timedelta = POLL_INTERVAL,
        use_lease: bool | None = None,
        webhooks: WebhookRelay | None = None,
    ) -> None:
        self.service = service
        self.sender = sender
        self.interval = interval
        self.use_lease = self.USE_LEASE if use_lease is None else use_lease
        self.holder = worker_id()
        self.webhooks = webhooks
        # Per PBX: set while this watcher holds the lease (it alone registers webhooks).
        self._leading: dict[str, asyncio.Event] = {}
        self._following: dict[str, asyncio.Event] = {}
        self._trackers: dict[str, CallTracker] = {}
        self._intervals: dict[str, timedelta] = {}
        self._costs: dict[str, int] = {}
        # PBXs whose push stream is connected, and when each was last read.
        self._pushed: set[str] = set()
        self._read_at: dict[str, float] = {}
        # A pushed round and a timed round must not read one tracker at once.
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def lease_seconds(self) -> float:
        """How long a lease lasts without renewal."""
        return self.interval.total_seconds() * LEASE_INTERVALS

    def interval_of(self, pbx: str) -> timedelta:
        """How long this watcher waits between two polls of ``pbx`` now."""
        return self._intervals.get(pbx, self.interval)

    async def run(self) -> None:
        """Watch every PBX until cancelled; give the leases up on the way out."""
        try:
            # A task group, not gather: cancelled, it waits for every task to
            # finish its clean-up (a webhook stream removing its registrations).
            async with asyncio.TaskGroup() as group:
                for pbx in self.service.config.pbx:
                    group.create_task(self._watch(pbx), name=f"switchboard:watch:{pbx}")
                    group.create_task(self._follow(pbx), name=f"switchboard:push:{pbx}")
        finally:
            for pbx in self._trackers:
                with contextlib.suppress(Exception):
                    await self.service.store.release_lease(_lease(pbx), self.holder)

    async def _watch(self, pbx: str) -> None:
        while True:
            try:
                await self.poll_once(pbx)
            except SwitchboardError as err:
                _LOGGER.warning("Cannot read the calls of %s: %s", pbx, err)
            except Exception:
                _LOGGER.exception("Watching the calls of %s failed", pbx)
            await asyncio.sleep(self.interval_of(pbx).total_seconds())

    async def _follow(self, pbx: str) -> None:
        """Run a round whenever the vendor announces a change (vendors that push)."""
        try:
            backend = self.service.backends.get(pbx)
        except SwitchboardError:
            return  # the timed rounds say what is wrong with it
        if not backend.supports(Capability.PUSH):
            return
        if backend.receives_webhooks:
            if self.webhooks is not None:
                await self._follow_webhooks(pbx, backend, self.webhooks)
            return  # no public address: polled
        await self._relay(pbx, backend.push_signals())

    async def _relay(self, pbx: str, signals: AsyncIterator[PushSignal]) -> None:
        """Run a round per announced change; close the stream however this ends."""
        try:
            async for signal in signals:
                if signal.kind is PushKind.LOST:
                    self._pushed.discard(pbx)
                    continue
                if signal.kind is PushKind.RESYNC:
                    self._pushed.add(pbx)
                elif signal.kind is not PushKind.CALLS:
                    continue  # statuses: nothing the watcher tells anyone about
                try:
                    await self.poll_once(pbx, announced=True)
                except SwitchboardError as err:
                    _LOGGER.warning("Cannot read the calls of %s: %s", pbx, err)
                except Exception:
                    _LOGGER.exception(
                        "Reading the calls of %s after a push failed", pbx
                    )
        finally:
            self._pushed.discard(pbx)
            await close_stream(signals)

    def _leadership(self, pbx: str) -> tuple[asyncio.Event, asyncio.Event]:
        """(set while leading, set while not leading) for ``pbx``."""
        leading = self._leading.setdefault(pbx, asyncio.Event())
        following = self._following.setdefault(pbx, asyncio.Event())
        return leading, following

    def _set_leading(self, pbx: str, *, leading: bool) -> None:
        gained, lost = self._leadership(pbx)
        (gained if leading else lost).set()
        (lost if leading else gained).clear()

    async def _follow_webhooks(
        self, pbx: str, backend: PbxBackend, relay: WebhookRelay
    ) -> None:
        """While this watcher leads ``pbx``: register its webhooks and follow them.

        The stream is closed when the lease is lost (or the watcher stops), which
        removes the registrations; a new leader registers anew. A stream that ends
        by itself (the registration failed) is started again after a growing wait.
        """
        gained, lost = self._leadership(pbx)
        attempt = 0
        while True:
            await gained.wait()
            stream = asyncio.create_task(
                self._relay(pbx, relay.lead(pbx, backend, self.holder)),
                name=f"switchboard:webhooks:{pbx}",
            )
            deposed = asyncio.create_task(lost.wait())
            try:
                await asyncio.wait(
                    {stream, deposed}, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for task in (stream, deposed):
                    task.cancel()
                await asyncio.gather(stream, deposed, return_exceptions=True)
            if lost.is_set():
                attempt = 0
                continue
            attempt += 1
            await asyncio.sleep(reconnect_delay(attempt))

    def _due(self, pbx: str) -> bool:
        """Whether a timed round reads the calls.

        Always, unless the PBX pushes and no call is in progress: no vendor pushes
        an answer, so a ringing call is read at the normal pace to see it answered
        (a call last seen unanswered that ends is a missed call).
        """
        tracker = self._trackers.get(pbx)
        if pbx not in self._pushed or tracker is None or tracker.live:
            return True
        last = self._read_at.get(pbx)
        return last is None or (
            time.monotonic() - last >= SAFETY_POLL_INTERVAL.total_seconds()
        )

    async def poll_once(self, pbx: str, *, announced: bool = False) -> int:
        """One round for one PBX; return how many missed-call notes were sent.

        Args:
            pbx: The PBX.
            announced: The vendor pushed a change: read now, whatever the pace.
        """
        async with self._locks.setdefault(pbx, asyncio.Lock()):
            return await self._round(pbx, announced=announced)

    async def _round(self, pbx: str, *, announced: bool) -> int:
        if self.use_lease and not await self.service.store.acquire_lease(
            _lease(pbx), self.holder, self.lease_seconds
        ):
            # Another worker leads. Forget our readings: when we take over, the
            # history since then tells what happened meanwhile.
            self._trackers.pop(pbx, None)
            self._set_leading(pbx, leading=False)
            return 0
        self._set_leading(pbx, leading=True)
        tracker = self._trackers.get(pbx)
        sent = 0
        if tracker is None:
            tracker = CallTracker(datetime.now(UTC) - TAKEOVER_LOOKBACK)
            self._trackers[pbx] = tracker
            _LOGGER.info("Watching the calls of %s (worker %s)", pbx, self.holder)
            sent += await self._finish_unsent(pbx)
        elif not announced and not self._due(pbx):
            return sent  # pushed: the lease is renewed, the calls were announced
        backend = self.service.backends.get(pbx)
        quota_before = backend.rate_limit
        self._read_at[pbx] = time.monotonic()
        events = await tracker.poll(backend)
        self._pace(pbx, quota_spent(quota_before, backend.rate_limit))
        for event in events:
            if event.type is CallEventType.MISSED:
                sent += await self._tell(pbx, event.call)
        return sent

    def _pace(self, pbx: str, spent: int | None) -> None:
        cost = max(2, spent or self._costs.get(pbx, 2))
        self._costs[pbx] = cost
        backend = self.service.backends.get(pbx)
        self._intervals[pbx] = polling_interval(self.interval, backend.rate_limit, cost)

    async def _tell(self, pbx: str, call: Call) -> int:
        """Record and send the missed call to every linked user who wants it."""
        if call.extension_id is None:
            return 0
        extensions = await self.service.backends.directory(pbx).extensions()
        number = next((e.number for e in extensions if e.id == call.extension_id), None)
        if number is None:
            return 0
        sent = 0
        for user_id in await self._users_of(pbx, number):
            if not await enabled(self.service.store, user_id, NOTIFY_MISSED):
                continue
            note = MissedCallNote(
                pbx=pbx,
                call_id=call.id,
                user_id=user_id,
                caller=call.from_number,
                caller_name=call.from_name,
                extension=number,
                at=call.started or call.ended or datetime.now(UTC),
            )
            # Recorded first: whoever records it is the only one to send it.
            if not await self.service.store.claim_missed_call(note):
                continue
            sent += await self._send(note)
        return sent

    async def _finish_unsent(self, pbx: str) -> int:
        """Send what a previous leader recorded but may not have sent (it died).

        The front-end looks first (Slack: the DM's metadata names its calls): a
        message that was sent is only recorded, never sent again.
        """
        sent = 0
        for note in await self.service.store.unsent_missed_calls(pbx):
            where = await self.sender.find(note)
            if where is not None:
                await self.service.store.set_missed_call_message([note], *where)
            else:
                sent += await self._send(note)
        return sent

    async def _users_of(self, pbx: str, number: str) -> list[str]:
        """Who hears of a missed call on ``number``: the chat users linked to it.

        ``[users.NAME]`` also names who the CLI acts as (``alice``): such a name is
        told only when nobody linked the extension in chat (the demo, a config
        that maps people there); a chat user linked to it (by ``link`` or e-mail)
        is the person, and a chat user id in ``[users]`` is always told.
        """
        linked = await self.service.store.users_linked_to(pbx, number)
        users = list(linked)
        for user_id, configured in self.service.config.users.items():
            linked_pbx = configured.pbx or self.service.config.default_pbx
            if linked_pbx != pbx or configured.extension != number or user_id in users:
                continue
            if linked and not is_slack_user_id(user_id):
                continue
            users.append(user_id)
        return users

    async def _send(self, note: MissedCallNote) -> int:
        store = self.service.store
        group = await store.missed_call_group(
            note.user_id, note.pbx, note.caller, note.at - GROUP_WINDOW
        )
        earlier = [n for n in group if n.call_id != note.call_id and not n.done]
        # The caller's message still open (not marked done): updated, not repeated.
        previous = next((n for n in reversed(earlier) if n.ts is not None), None)
        notes = [n for n in earlier if previous is not None and n.ts == previous.ts]
        notes.append(note)
        where = await self.sender.send(notes, previous)
        if where is None:
            return 0
        await store.set_missed_call_message(notes, *where)
        return 1


def _lease(pbx: str) -> str:
    return f"watch:{pbx}"
