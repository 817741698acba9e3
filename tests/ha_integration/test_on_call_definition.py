"""One definition of *on call*: a pushed reading of the calls agrees with the poll.

After a push the coordinator re-reads only the live calls, and derives each
extension's *on call* from them (``SwitchboardData.with_calls``); the poll reads it
from the backend's statuses. For both vendors that push, the real backend against
its emulator must give the same answer both ways, for every extension, with calls
on some extensions and none on others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import RingsPhones


@pytest.mark.parametrize("vendor", ["telecomx", "telphin"])
async def test_on_call_from_the_calls_is_on_call_from_the_statuses(
    backend: PbxBackend, emulator: RingsPhones
) -> None:
    from custom_components.switchboard.coordinator import build_data  # noqa: PLC0415

    before = build_data(await backend.get_statuses(), [], [], [], frozenset())
    extensions = await backend.list_extensions()
    rung = extensions[-1]
    assert before.statuses[rung.id].on_call is False
    emulator.ring(rung.number, "+4533123456")

    polled = {s.extension.id: s.on_call for s in await backend.get_statuses()}
    calls = {call.id: call for call in await backend.list_calls()}
    pushed = before.with_calls(calls)

    assert polled[rung.id] is True
    assert False in polled.values()  # some extension is idle
    assert {ext_id: s.on_call for ext_id, s in pushed.statuses.items()} == polled
    # And back: the call's end turns it off both ways.
    for call_id in calls:
        emulator.hang_up(call_id)
    after = before.with_calls({c.id: c for c in await backend.list_calls()})
    assert not any(s.on_call for s in after.statuses.values())
    assert not any(s.on_call for s in await backend.get_statuses())
