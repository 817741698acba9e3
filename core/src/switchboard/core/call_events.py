"""One definition of a call event, shared by every front-end.

A hosted PBX is polled; it pushes nothing. Events are reconstructed from what
changed between two readings of the live calls, completed by the call history
where the vendor keeps one (PBXware ``cdr.download``, MiRTA ``INFO cdrs``):

* a call that appears has **started**; one whose ``answered`` flips to true was
  **answered**; one that disappears has **ended**;
* a call is **missed** when it was *incoming* to an extension and ended
  unanswered (:func:`is_missed`). A click-to-dial nobody picked up is outgoing
  from the extension's point of view: it ends, it is never missed;
* the history catches calls that started and ended between two polls (they give
  ended and, when unanswered, missed; no started, which would arrive late), and
  says whether a call was answered where the live view does not (PBXware).

:class:`CallTracker` keeps the state between readings; :meth:`CallTracker.poll`
reads a backend and returns the events, oldest first. Home Assistant fires them
on its bus; the Slack watcher sends missed calls to their users.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from switchboard.core.capabilities import Capability
from switchboard.core.models import Call, CallDirection

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from switchboard.core.backend import PbxBackend

# Vendors write a call record when the call ends, sometimes a little later; each
# history read starts this far before the previous poll so none slips between two.
HISTORY_OVERLAP = timedelta(minutes=10)
# Finished call ids remembered to skip history records already reported (a day of
# a busy office); the oldest are forgotten first.
REMEMBERED_CALLS = 5000


class CallEventType(StrEnum):
    """What happened to a call."""

    STARTED = "started"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"


@dataclass(frozen=True, slots=True)
class CallEvent:
    """One thing that happened to one call.

    Attributes:
        type: Started, answered, ended or missed.
        call: The call as last seen (with the history's answer where there is one).
    """

    type: CallEventType
    call: Call


def is_missed(call: Call) -> bool:
    """Return whether a finished call is a missed call: incoming and unanswered."""
    return call.direction is CallDirection.INCOMING and call.answered is False


def diff_calls(
    previous: Mapping[str, Call], current: Mapping[str, Call]
) -> list[CallEvent]:
    """Return what changed between two readings of the live calls, oldest first."""
    events = _progress(previous, current)
    for call_id, call in previous.items():
        if call_id not in current:
            events.extend(_ended(call))
    return events


def _progress(
    previous: Mapping[str, Call], current: Mapping[str, Call]
) -> list[CallEvent]:
    """Started and answered events of the calls in ``current``."""
    events: list[CallEvent] = []
    for call_id, call in current.items():
        before = previous.get(call_id)
        if before is None:
            events.append(CallEvent(CallEventType.STARTED, call))
        if call.answered and (before is None or not before.answered):
            events.append(CallEvent(CallEventType.ANSWERED, call))
    return events


def _ended(call: Call) -> list[CallEvent]:
    events = [CallEvent(CallEventType.ENDED, call)]
    if is_missed(call):
        events.append(CallEvent(CallEventType.MISSED, call))
    return events


def completed(live: Call, record: Call | None) -> Call:
    """Return a call that ended, completed by its history record when there is one."""
    if record is None:
        return live
    return live.model_copy(
        update={
            "answered": record.answered
            if record.answered is not None
            else live.answered,
            "ended": record.ended,
            "direction": live.direction or record.direction,
            "from_name": live.from_name or record.from_name,
            "extension_id": live.extension_id or record.extension_id,
        }
    )


class CallTracker:
    """Turns successive readings of a PBX's calls into call events.

    Args:
        history_since: History records of calls that started before this are
            never reported (Home Assistant: now; a watcher taking over: a little
            earlier, with its own record of what was sent).
    """

    def __init__(self, history_since: datetime | None = None) -> None:
        self._live: dict[str, Call] | None = None
        # Finished call id -> whether its answer is known (missed decided or not).
        self._finished: OrderedDict[str, bool] = OrderedDict()
        # Whole seconds: call records carry no fractions (a call at 09:00:11.7
        # is recorded at 09:00:11, and must not look older than a start at .5).
        since = history_since or datetime.now(UTC)
        self._history_since = since.replace(microsecond=0)

    @property
    def live(self) -> dict[str, Call]:
        """The calls in progress at the last reading."""
        return dict(self._live or {})

    @property
    def history_since(self) -> datetime:
        """Where the next history read should start."""
        return self._history_since

    def update(
        self, live: Iterable[Call], history: Iterable[Call] = ()
    ) -> list[CallEvent]:
        """Take one reading; return the events since the previous one, oldest first.

        The first reading of the live calls is the baseline: calls already in
        progress give no started event (they started before we looked).
        """
        current = {call.id: call for call in live}
        records = {
            record.id: record
            for record in history
            if (record.started or record.ended or self._history_since)
            >= self._history_since
        }
        previous = self._live
        self._live = current
        events: list[CallEvent] = []
        if previous is not None:
            events = _progress(previous, current)
            for call_id, call in previous.items():
                if call_id in current:
                    continue
                finished = completed(call, records.get(call_id))
                events.extend(_ended(finished))
                self._remember(call_id, known=finished.answered is not None)
        for call_id, record in records.items():
            if call_id in current or (previous is not None and call_id in previous):
                continue
            known = self._finished.get(call_id)
            if known is None:
                events.extend(_ended(record))
            elif not known and is_missed(record):
                # Seen ending live without an answer flag; the record tells.
                events.append(CallEvent(CallEventType.MISSED, record))
            self._remember(call_id, known=True)
        return events

    def _remember(self, call_id: str, *, known: bool) -> None:
        self._finished[call_id] = known
        self._finished.move_to_end(call_id)
        while len(self._finished) > REMEMBERED_CALLS:
            self._finished.popitem(last=False)

    async def poll(self, backend: PbxBackend) -> list[CallEvent]:
        """Read the live calls and the history (where the vendor has them); diff."""
        read_at = datetime.now(UTC)
        live: list[Call] = []
        history: list[Call] = []
        if backend.supports(Capability.LIVE_CALLS):
            live = await backend.list_calls()
        if backend.supports(Capability.CALL_HISTORY):
            history = await backend.call_history(self._history_since)
        events = self.update(live, history)
        # The next read overlaps this one: records can be written late.
        self._history_since = max(self._history_since, read_at - HISTORY_OVERLAP)
        return events


def attribute_call(
    from_number: str, to_number: str, extension_ids: Mapping[str, str]
) -> tuple[str | None, CallDirection | None]:
    """Return the extension a call belongs to and its direction, from the numbers alone.

    For vendors whose calls carry no direction (PBXware): a call *to* an extension is
    incoming to it (internal calls too: the callee is the one who can miss it); a
    call *from* one is outgoing. ``extension_ids`` maps dialable numbers to ids.
    """
    callee = extension_ids.get(to_number)
    if callee is not None:
        return callee, CallDirection.INCOMING
    caller = extension_ids.get(from_number)
    if caller is not None:
        return caller, CallDirection.OUTGOING
    return None, None
