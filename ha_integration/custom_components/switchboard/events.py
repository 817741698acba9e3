"""Home Assistant bus events from the core's call events (switchboard.core.call_events).

The core decides what started, was answered, ended or was missed (a missed call is an
incoming call that ended unanswered; a click-to-dial nobody answered is not one); this
module only names the events and builds the payload automations see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.call_events import CallEventType

from .const import (
    EVENT_CALL_ANSWERED,
    EVENT_CALL_ENDED,
    EVENT_CALL_MISSED,
    EVENT_CALL_STARTED,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.core.models import Call, ExtensionStatus

EVENT_TYPES: dict[CallEventType, str] = {
    CallEventType.STARTED: EVENT_CALL_STARTED,
    CallEventType.ANSWERED: EVENT_CALL_ANSWERED,
    CallEventType.ENDED: EVENT_CALL_ENDED,
    CallEventType.MISSED: EVENT_CALL_MISSED,
}


def event_data(
    entry_id: str, call: Call, statuses: Mapping[str, ExtensionStatus]
) -> dict[str, Any]:
    """Build the event payload automations see."""
    status = statuses.get(call.extension_id) if call.extension_id else None
    return {
        "config_entry_id": entry_id,
        "call_id": call.id,
        "from_number": call.from_number,
        "from_name": call.from_name,
        "to_number": call.to_number,
        "extension_id": call.extension_id,
        "extension": status.extension.number if status else None,
        "direction": call.direction.value if call.direction else None,
        "answered": call.answered,
        "started": call.started.isoformat() if call.started else None,
    }
