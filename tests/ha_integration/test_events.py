"""Call events reconstructed from live-call data that changes between polls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from switchboard.core.capabilities import Capability
from switchboard.core.models import Call

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

EVENTS = ("started", "answered", "ended", "missed")


def make_call(call_id: str, *, answered: bool | None) -> Call:
    return Call(
        id=call_id,
        from_number="+4570305050",
        to_number="101",
        started=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        answered=answered,
    )


def test_diff_calls() -> None:
    """Appearing, answered and vanishing calls become the right events."""
    from custom_components.switchboard.events import diff_calls  # noqa: PLC0415

    ringing = make_call("a", answered=False)
    talking = make_call("a", answered=True)
    unknown = make_call("b", answered=None)
    assert [e for e, _ in diff_calls({}, {"a": ringing})] == [
        "switchboard_call_started"
    ]
    assert [e for e, _ in diff_calls({}, {"a": talking})] == [
        "switchboard_call_started",
        "switchboard_call_answered",
    ]
    assert [e for e, _ in diff_calls({"a": ringing}, {"a": talking})] == [
        "switchboard_call_answered"
    ]
    assert diff_calls({"a": talking}, {"a": talking}) == []
    assert [e for e, _ in diff_calls({"a": talking}, {})] == ["switchboard_call_ended"]
    assert [e for e, _ in diff_calls({"a": ringing}, {})] == [
        "switchboard_call_ended",
        "switchboard_call_missed",
    ]
    # Vendors that do not say whether a call was answered give no missed calls.
    assert [e for e, _ in diff_calls({"b": unknown}, {})] == ["switchboard_call_ended"]


async def test_call_events_follow_the_pbx(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    advance: Callable[..., Awaitable[None]],
) -> None:
    """Calls that show up and go away on the PBX fire events with their details."""
    backend = init_integration.runtime_data.backend
    if not backend.supports(Capability.LIVE_CALLS):
        pytest.skip("this vendor has no live calls")
    real_calls = await backend.list_calls()
    assert real_calls, "the emulator is seeded with calls in progress"
    captured = {
        name: async_capture_events(hass, f"switchboard_call_{name}") for name in EVENTS
    }

    # The calls were already going on at setup: they fire nothing.
    await advance()
    assert all(not events for events in captured.values())

    async def no_calls() -> list[Any]:
        return []

    with patch.object(backend, "list_calls", no_calls):
        await advance()
    ended = captured["ended"]
    assert {e.data["call_id"] for e in ended} == {c.id for c in real_calls}
    assert all(e.data["config_entry_id"] == init_integration.entry_id for e in ended)
    unanswered = {c.id for c in real_calls if c.answered is False}
    assert {e.data["call_id"] for e in captured["missed"]} == unanswered

    await advance()
    started = captured["started"]
    assert {e.data["call_id"] for e in started} == {c.id for c in real_calls}
    first = next(e for e in started if e.data["call_id"] == real_calls[0].id)
    assert first.data["from_number"] == real_calls[0].from_number
    assert first.data["to_number"] == real_calls[0].to_number
    answered = {c.id for c in real_calls if c.answered}
    assert {e.data["call_id"] for e in captured["answered"]} == answered
