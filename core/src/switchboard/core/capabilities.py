"""Capabilities: what a PBX can do, declared by each backend and checked before use.

One small protocol per capability documents the methods behind it; the backend
base class (:mod:`switchboard.core.backend`) implements them all, raising the
unsupported-capability error for anything its vendor does not declare.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from datetime import datetime, timedelta

    from switchboard.core.models import (
        Call,
        DialResult,
        Extension,
        ExtensionFeature,
        ExtensionStatus,
        Flow,
        ForwardCondition,
        OfficeHours,
        OfficeHoursState,
        Presence,
        RecordingAction,
        RecordingResult,
    )
    from switchboard.core.push import PushSignal


class Capability(StrEnum):
    """Everything a backend may support. The value reads well in a sentence."""

    STATUS = "read extension status"
    DND = "switch do-not-disturb"
    DND_TIMED = "switch do-not-disturb on for a limited time"
    PRESENCE = "set presence"
    FORWARD = "forward calls"
    DIAL = "place calls (click-to-dial)"
    RECORDING = "start and stop recording a live call"
    RECORDING_PAUSE = "pause and resume recording a live call"
    FLOWS = "switch day/night flows"
    OFFICE_HOURS = "override office hours"
    LIVE_CALLS = "list live calls"
    FORWARD_RULES = "forward calls only when busy, unanswered or unavailable"
    EXTENSION_FEATURES = "manage per-extension features"
    CALL_HISTORY = "read the call history"
    PUSH = "push changes as they happen"


# Which backend methods implement which capability; the backend base class uses
# it to check that a vendor declares exactly what it implements.
CAPABILITY_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.STATUS: ("list_extensions", "get_statuses"),
    Capability.DND: ("set_dnd",),
    Capability.DND_TIMED: ("set_dnd_for",),
    Capability.PRESENCE: ("set_presence",),
    Capability.FORWARD: ("set_forward",),
    Capability.DIAL: ("dial",),
    Capability.RECORDING: ("record",),
    Capability.RECORDING_PAUSE: ("record",),
    Capability.FLOWS: ("list_flows", "set_flow"),
    Capability.OFFICE_HOURS: ("list_office_hours", "set_office_hours"),
    Capability.LIVE_CALLS: ("list_calls",),
    Capability.FORWARD_RULES: ("set_forward_rule",),
    Capability.EXTENSION_FEATURES: ("list_features", "set_feature"),
    Capability.CALL_HISTORY: ("call_history",),
    Capability.PUSH: ("push_signals",),
}


class StatusReader(Protocol):
    """Lists extensions and reads their live state (registered, on call, DND...)."""

    async def list_extensions(self) -> list[Extension]:
        """Return every extension of the account."""
        ...

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Return the status of the given extensions (all when ``None``)."""
        ...


class DndControl(Protocol):
    """Switches do-not-disturb."""

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Switch DND on or off."""
        ...


class TimedDndControl(Protocol):
    """Switches do-not-disturb on for a limited time."""

    async def set_dnd_for(
        self, extension_id: str, duration: timedelta
    ) -> ExtensionStatus:
        """Switch DND on; the PBX switches it off after ``duration``."""
        ...


class PresenceControl(Protocol):
    """Sets presence."""

    async def set_presence(
        self, extension_id: str, presence: Presence
    ) -> ExtensionStatus:
        """Set the presence of an extension's user."""
        ...


class ForwardControl(Protocol):
    """Forwards all calls."""

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Forward all calls to ``number``; ``None`` switches forwarding off."""
        ...


class ForwardRuleControl(Protocol):
    """Forwards calls on a condition: busy, no answer, unavailable."""

    async def set_forward_rule(
        self,
        extension_id: str,
        condition: ForwardCondition,
        number: str | None,
        *,
        timeout_seconds: int | None = None,
    ) -> ExtensionStatus:
        """Forward calls on ``condition`` to ``number``; ``None`` removes the rule."""
        ...


class ExtensionFeatureControl(Protocol):
    """Vendor-defined per-extension settings (PBXware's enhanced services)."""

    async def list_features(self, extension_id: str) -> list[ExtensionFeature]:
        """Return every feature of an extension with its current value."""
        ...

    async def set_feature(
        self, extension_id: str, key: str, value: str
    ) -> ExtensionFeature:
        """Set one feature (by its key) to one of its option keys."""
        ...


class Dialer(Protocol):
    """Places calls: the extension's phone rings, then the destination."""

    async def dial(self, extension_id: str, destination: str) -> DialResult:
        """Place a call from an extension to a destination."""
        ...


class RecordingControl(Protocol):
    """Controls the recording of the call an extension is on."""

    async def record(
        self, extension_id: str, action: RecordingAction
    ) -> RecordingResult:
        """Start, stop, pause or resume recording."""
        ...


class FlowControl(Protocol):
    """Switches day/night flows."""

    async def list_flows(self) -> list[Flow]:
        """Return every flow."""
        ...

    async def set_flow(self, flow_id: str, *, active: bool) -> Flow:
        """Switch a flow on or off."""
        ...


class OfficeHoursControl(Protocol):
    """Overrides office-hours schedules."""

    async def list_office_hours(self) -> list[OfficeHours]:
        """Return every office-hours schedule."""
        ...

    async def set_office_hours(
        self, hours_id: str, state: OfficeHoursState
    ) -> OfficeHours:
        """Force a schedule on or off, or let it follow its times again."""
        ...


class CallMonitor(Protocol):
    """Lists live calls."""

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress."""
        ...


class CallHistoryReader(Protocol):
    """Reads finished calls (call detail records)."""

    async def call_history(self, since: datetime) -> list[Call]:
        """Return the calls that started at or after ``since``, with ``ended`` set."""
        ...


class PushSource(Protocol):
    """Announces changes as the vendor pushes them (switchboard.core.push)."""

    def push_signals(self) -> AsyncIterator[PushSignal]:
        """Yield a signal per announced change until cancelled; reconnect inside."""
        ...
