"""Call events derived from live-call data that changed between two refreshes.

A PBX polled every few seconds cannot push events, so they are reconstructed: a
call that appears has started, one whose ``answered`` flips to true was answered,
one that disappears has ended, and one that ends without having been answered was
missed. Vendors that do not say whether a call was answered (``answered is None``)
give only started and ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .const import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_ENDED,
    EVENT_CALL_MISSED,
    EVENT_CALL_STARTED,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.core.models import Call, ExtensionStatus


def diff_calls(
    previous: Mapping[str, Call], current: Mapping[str, Call]
) -> list[tuple[str, Call]]:
    """Return ``(event type, call)`` pairs describing what changed, oldest first."""
    events: list[tuple[str, Call]] = []
    for call_id, call in current.items():
        before = previous.get(call_id)
        if before is None:
            events.append((EVENT_CALL_STARTED, call))
        if call.answered and (before is None or not before.answered):
            events.append((EVENT_CALL_ANSWERED, call))
    for call_id, call in previous.items():
        if call_id in current:
            continue
        events.append((EVENT_CALL_ENDED, call))
        if call.answered is False:
            events.append((EVENT_CALL_MISSED, call))
    return events


def event_data(
    entry_id: str, call: Call, statuses: Mapping[str, ExtensionStatus]
) -> dict[str, Any]:
    """Build the event payload automations see."""
    status = statuses.get(call.extension_id) if call.extension_id else None
    return {
        "config_entry_id": entry_id,
        "call_id": call.id,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "extension_id": call.extension_id,
        "extension": status.extension.number if status else None,
        "answered": call.answered,
        "started": call.started.isoformat() if call.started else None,
    }
