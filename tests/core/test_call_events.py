"""The shared definition of call events, on hand-made readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from switchboard.core.call_events import (
    CallTracker,
    attribute_call,
    diff_calls,
    is_missed,
)
from switchboard.core.models import Call, CallDirection

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def call(
    call_id: str,
    *,
    answered: bool | None,
    direction: CallDirection | None = CallDirection.INCOMING,
    started: datetime = T0,
) -> Call:
    return Call(
        id=call_id,
        from_number="+4570305050",
        to_number="101",
        extension_id="e101",
        started=started,
        answered=answered,
        direction=direction,
    )


def kinds(events: list[object]) -> list[str]:
    return [e.type.value for e in events]  # type: ignore[attr-defined]


def test_diff_calls() -> None:
    """Appearing, answered and vanishing calls become the right events."""
    ringing = call("a", answered=False)
    talking = call("a", answered=True)
    unknown = call("b", answered=None)
    assert kinds(diff_calls({}, {"a": ringing})) == ["started"]
    assert kinds(diff_calls({}, {"a": talking})) == ["started", "answered"]
    assert kinds(diff_calls({"a": ringing}, {"a": talking})) == ["answered"]
    assert diff_calls({"a": talking}, {"a": talking}) == []
    assert kinds(diff_calls({"a": talking}, {})) == ["ended"]
    assert kinds(diff_calls({"a": ringing}, {})) == ["ended", "missed"]
    # Vendors that do not say whether a call was answered give no missed calls.
    assert kinds(diff_calls({"b": unknown}, {})) == ["ended"]


def test_an_unanswered_outgoing_call_is_not_missed() -> None:
    """A click-to-dial nobody picked up ends; it is not a missed call."""
    dialled = call("d", answered=False, direction=CallDirection.OUTGOING)
    unknown_way = call("u", answered=False, direction=None)
    assert not is_missed(dialled)
    assert not is_missed(unknown_way)
    assert kinds(diff_calls({"d": dialled}, {})) == ["ended"]


def test_the_history_decides_what_the_live_view_does_not_say() -> None:
    """Live calls without an answer flag (PBXware) are completed by their record."""
    tracker = CallTracker(T0 - timedelta(minutes=1))
    live = call("p", answered=None)
    assert tracker.update([]) == []  # the baseline
    assert kinds(tracker.update([live])) == ["started"]
    record = call("p", answered=False).model_copy(update={"ended": T0})
    events = tracker.update([], [record])
    assert kinds(events) == ["ended", "missed"]
    assert events[1].call.ended == T0
    assert tracker.update([], [record]) == []  # the overlap reads it again


def test_a_late_record_still_reports_the_missed_call() -> None:
    """A call seen ending before its record was written is missed once it is."""
    tracker = CallTracker(T0 - timedelta(minutes=1))
    tracker.update([call("p", answered=None)])
    assert kinds(tracker.update([])) == ["ended"]
    record = call("p", answered=False)
    assert kinds(tracker.update([], [record])) == ["missed"]
    assert tracker.update([], [record]) == []


def test_history_before_the_start_is_not_reported() -> None:
    tracker = CallTracker(T0)
    old = call("o", answered=False, started=T0 - timedelta(hours=1))
    new = call("n", answered=False, started=T0 + timedelta(seconds=5))
    assert kinds(tracker.update([], [old, new])) == ["ended", "missed"]


def test_attribute_call() -> None:
    numbers = {"101": "e101", "102": "e102"}
    assert attribute_call("+4570305050", "101", numbers) == (
        "e101",
        CallDirection.INCOMING,
    )
    assert attribute_call("102", "101", numbers) == ("e101", CallDirection.INCOMING)
    assert attribute_call("101", "+4570305050", numbers) == (
        "e101",
        CallDirection.OUTGOING,
    )
    assert attribute_call("+1", "+2", numbers) == (None, None)
