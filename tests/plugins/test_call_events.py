"""Call events on every vendor: its emulator rings, the shared definition decides.

The emulators place incoming calls (``RingsPhones``); the real backends read them
back, live and from the call history where the vendor keeps one, and
:class:`~switchboard.core.call_events.CallTracker` turns the readings into events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from switchboard.core.call_events import CallEventType, CallTracker
from switchboard.core.capabilities import Capability
from switchboard.core.emulator import RingsPhones, ring_out
from switchboard.core.models import CallDirection

if TYPE_CHECKING:
    from switchboard.core.call_events import CallEvent

    from .conftest import Rig

CALLER = "+4533123456"


def _ringer(rig: Rig) -> RingsPhones:
    assert isinstance(rig.emulator, RingsPhones), "every emulator can ring"
    return rig.emulator


async def _tracker(rig: Rig) -> CallTracker:
    """A tracker with its baseline taken (the first reading gives no events)."""
    tracker = CallTracker(datetime.now(UTC) - timedelta(seconds=5))
    await tracker.poll(rig.backend)
    return tracker


def _of(events: list[CallEvent], kind: CallEventType) -> list[CallEvent]:
    return [e for e in events if e.type is kind]


async def _extension(rig: Rig) -> tuple[str, str]:
    extension = (await rig.backend.list_extensions())[1]
    return extension.id, extension.number


async def test_an_unanswered_incoming_call_is_missed(rig: Rig) -> None:
    ringer = _ringer(rig)
    ext_id, number = await _extension(rig)
    tracker = await _tracker(rig)
    call_id = ringer.ring(number, CALLER, caller_name="Ada Lovelace")

    started = _of(await tracker.poll(rig.backend), CallEventType.STARTED)
    ringer.hang_up(call_id)
    events = await tracker.poll(rig.backend)

    assert [e.call.from_number for e in started] == [CALLER]
    [missed] = _of(events, CallEventType.MISSED)
    assert missed.call.extension_id == ext_id
    assert missed.call.direction is CallDirection.INCOMING
    assert missed.call.from_number == CALLER
    assert missed.call.answered is False
    assert len(_of(events, CallEventType.ENDED)) == 1
    # Read again: nothing is reported twice, from the history or otherwise.
    assert await tracker.poll(rig.backend) == []


async def test_an_answered_call_is_not_missed(rig: Rig) -> None:
    ringer = _ringer(rig)
    _, number = await _extension(rig)
    tracker = await _tracker(rig)
    call_id = ringer.ring(number, CALLER)
    await tracker.poll(rig.backend)
    ringer.answer(call_id)
    answered = await tracker.poll(rig.backend)
    ringer.hang_up(call_id)

    events = await tracker.poll(rig.backend)

    if rig.backend.supports(Capability.CALL_HISTORY) or any(
        e.type is CallEventType.ANSWERED for e in answered
    ):
        assert _of(events, CallEventType.MISSED) == []
    assert [e.call.id for e in _of(events, CallEventType.ENDED)] != []


async def test_a_call_between_two_polls_comes_from_the_history(rig: Rig) -> None:
    ringer = _ringer(rig)
    ext_id, number = await _extension(rig)
    tracker = await _tracker(rig)

    ring_out(ringer, number, CALLER)
    events = await tracker.poll(rig.backend)

    missed = _of(events, CallEventType.MISSED)
    if rig.backend.supports(Capability.CALL_HISTORY):
        assert [e.call.extension_id for e in missed] == [ext_id]
        assert _of(events, CallEventType.STARTED) == []  # it would arrive late
    else:
        # Live calls only: a call shorter than the interval is never seen.
        assert missed == []


async def test_a_click_to_dial_nobody_answered_is_not_missed(rig: Rig) -> None:
    if not rig.backend.supports(Capability.DIAL):
        pytest.skip(f"{rig.backend.display_name} has no click-to-dial")
    ringer = _ringer(rig)
    ext_id, _ = await _extension(rig)
    tracker = await _tracker(rig)
    placed = await rig.backend.dial(ext_id, "+4570305050")
    assert placed.call_id is not None
    events = await tracker.poll(rig.backend)
    [started] = _of(events, CallEventType.STARTED)
    assert started.call.direction is CallDirection.OUTGOING

    ringer.hang_up(placed.call_id)
    events = await tracker.poll(rig.backend)

    assert len(_of(events, CallEventType.ENDED)) == 1
    assert _of(events, CallEventType.MISSED) == []
    assert await tracker.poll(rig.backend) == []
