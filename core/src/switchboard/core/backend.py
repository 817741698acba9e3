"""The backend base class: a vendor's capabilities behind one vendor-neutral API.

A vendor backend subclasses :class:`PbxBackend`, declares ``capabilities`` and
overrides the methods of exactly those capabilities. Anything else raises
:class:`~switchboard.core.errors.SwitchboardUnsupportedError` with a sentence the user can
read ("PBXware has no click-to-dial in its HTTP API."). The class checks at
definition time that the declaration and the overridden methods agree, so a
backend can neither claim a capability it lacks nor hide one it has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from switchboard.core.capabilities import CAPABILITY_METHODS, Capability
from switchboard.core.errors import (
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.lifecycle import AsyncClosing
from switchboard.core.models import ForwardCondition

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from datetime import datetime, timedelta

    from aiohttp import ClientSession

    from switchboard.core.models import (
        AccountInfo,
        Call,
        DialResult,
        Extension,
        ExtensionFeature,
        ExtensionStatus,
        FeatureSpec,
        Flow,
        OfficeHours,
        OfficeHoursState,
        Presence,
        RateLimitState,
        RecordingAction,
        RecordingResult,
    )
    from switchboard.core.push import PushSignal, WebhookInbox


class PbxBackend(AsyncClosing):
    """Base of every vendor backend.

    Attributes:
        vendor: The plugin name (``pbxware``).
        display_name: The vendor's name as users know it (``PBXware``).
        capabilities: What this vendor supports.
        unsupported_reasons: Vendor-specific sentences for missing capabilities.
        forward_conditions: With FORWARD_RULES, the conditions besides ``all``
            that the vendor can forward on.
        feature_specs: With EXTENSION_FEATURES, the catalogue of features
            (known without asking the PBX, so front-ends can build entities).
    """

    vendor: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    unsupported_reasons: ClassVar[dict[Capability, str]] = {}
    forward_conditions: ClassVar[frozenset[ForwardCondition]] = frozenset()
    feature_specs: ClassVar[tuple[FeatureSpec, ...]] = ()
    receives_webhooks: ClassVar[bool] = False
    """With PUSH: the vendor pushes by calling a URL we register (Telphin), so a
    front-end must give one (:meth:`receive_webhooks_at`); without one it polls."""
    web_session: ClientSession | None = None
    """An aiohttp session a host lends for the backend's long-lived connections (a
    push feed over a WebSocket), set before :meth:`push_signals` runs: Home
    Assistant lends its shared one. Borrowed, never closed by the backend; None: a
    backend that needs one opens (and closes) its own."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.vendor:
            return  # an intermediate base class, checked when it is concrete
        overridden = {
            name
            for name in {m for ms in CAPABILITY_METHODS.values() for m in ms}
            if getattr(cls, name) is not getattr(PbxBackend, name)
        }
        for capability in cls.capabilities:
            missing = set(CAPABILITY_METHODS[capability]) - overridden
            if missing:
                msg = f"{cls.__name__} declares {capability.name} but does not implement {sorted(missing)}"
                raise TypeError(msg)
        declared = {m for c in cls.capabilities for m in CAPABILITY_METHODS[c]}
        undeclared = overridden - declared
        if undeclared:
            msg = f"{cls.__name__} implements {sorted(undeclared)} without declaring the capability"
            raise TypeError(msg)

    # -- capability checks -------------------------------------------------

    def supports(self, capability: Capability) -> bool:
        """Return whether this PBX can do ``capability``."""
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """Raise the unsupported-capability error unless ``capability`` is supported."""
        if not self.supports(capability):
            raise self.unsupported(capability)

    def unsupported(self, capability: Capability) -> SwitchboardUnsupportedError:
        """Build the error that explains, in plain words, what this vendor cannot do."""
        reason = self.unsupported_reasons.get(capability)
        if reason is None:
            reason = f"{self.display_name} cannot {capability.value}."
        return SwitchboardUnsupportedError(
            reason, vendor=self.vendor, capability=capability.name
        )

    # -- lifecycle -----------------------------------------------------------

    async def account_info(self) -> AccountInfo:
        """Check the connection and credentials; return who we are connected to."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release the HTTP client if this backend created it."""

    @property
    def rate_limit(self) -> RateLimitState | None:
        """The quota the vendor reported last, for vendors that report one."""
        return None

    # -- StatusReader ----------------------------------------------------------

    async def list_extensions(self) -> list[Extension]:
        """Return every extension of the account."""
        raise self.unsupported(Capability.STATUS)

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        """Return the status of the given extensions (all when ``None``).

        Backends use the vendor's bulk call where there is one, so the number of
        PBX requests does not grow with the number of extensions.
        """
        raise self.unsupported(Capability.STATUS)

    async def get_status(self, extension_id: str) -> ExtensionStatus:
        """Return the status of one extension."""
        statuses = await self.get_statuses([extension_id])
        for status in statuses:
            if status.extension.id == extension_id:
                return status
        msg = f"Extension {extension_id} does not exist on this {self.display_name}."
        raise SwitchboardNotFoundError(msg, vendor=self.vendor)

    async def find_extension(self, number_or_id: str) -> Extension:
        """Find an extension by its dialable number (or, failing that, its id)."""
        extensions = await self.list_extensions()
        for extension in extensions:
            if extension.number == number_or_id:
                return extension
        for extension in extensions:
            if extension.id == number_or_id:
                return extension
        msg = f"Extension {number_or_id} does not exist on this {self.display_name}."
        raise SwitchboardNotFoundError(msg, vendor=self.vendor)

    # -- the other capabilities ----------------------------------------------

    async def set_dnd(self, extension_id: str, *, enabled: bool) -> ExtensionStatus:
        """Switch DND on or off."""
        raise self.unsupported(Capability.DND)

    async def set_dnd_for(
        self, extension_id: str, duration: timedelta
    ) -> ExtensionStatus:
        """Switch DND on; the PBX switches it off after ``duration``."""
        raise self.unsupported(Capability.DND_TIMED)

    async def set_presence(
        self, extension_id: str, presence: Presence
    ) -> ExtensionStatus:
        """Set the presence of an extension's user."""
        raise self.unsupported(Capability.PRESENCE)

    async def set_forward(
        self, extension_id: str, number: str | None
    ) -> ExtensionStatus:
        """Forward all calls to ``number``; ``None`` switches forwarding off."""
        raise self.unsupported(Capability.FORWARD)

    def check_forward_condition(self, condition: ForwardCondition) -> None:
        """Refuse, in plain words, a forwarding condition this vendor lacks."""
        if condition is ForwardCondition.ALL:
            self.require(Capability.FORWARD)
            return
        self.require(Capability.FORWARD_RULES)
        if condition not in self.forward_conditions:
            offered = ", ".join(
                c.value for c in ForwardCondition if c in self.forward_conditions
            )
            msg = (
                f"{self.display_name} cannot forward calls on '{condition.value}'; "
                f"it can forward all calls or on: {offered}."
            )
            raise SwitchboardUnsupportedError(
                msg, vendor=self.vendor, capability=Capability.FORWARD_RULES.name
            )

    async def set_forward_rule(
        self,
        extension_id: str,
        condition: ForwardCondition,
        number: str | None,
        *,
        timeout_seconds: int | None = None,
    ) -> ExtensionStatus:
        """Forward calls on ``condition`` to ``number``; ``None`` removes the rule."""
        raise self.unsupported(Capability.FORWARD_RULES)

    def feature_spec(self, name: str) -> FeatureSpec:
        """Find a feature by its key or its human name (spaces and case ignored).

        Raises:
            SwitchboardNotFoundError: No feature of that name (with a hint).
        """
        self.require(Capability.EXTENSION_FEATURES)

        def squash(text: str) -> str:
            return "".join(ch for ch in text.casefold() if ch.isalnum())

        wanted = squash(name)
        for spec in self.feature_specs:
            if wanted in (squash(spec.key), squash(spec.name)):
                return spec
        msg = f"{self.display_name} has no feature called '{name}'. See 'service list'."
        raise SwitchboardNotFoundError(msg, vendor=self.vendor)

    async def list_features(self, extension_id: str) -> list[ExtensionFeature]:
        """Return every feature of an extension with its current value."""
        raise self.unsupported(Capability.EXTENSION_FEATURES)

    async def set_feature(
        self, extension_id: str, key: str, value: str
    ) -> ExtensionFeature:
        """Set one feature (by its key) to one of its option keys."""
        raise self.unsupported(Capability.EXTENSION_FEATURES)

    async def dial(self, extension_id: str, destination: str) -> DialResult:
        """Place a call from an extension to a destination."""
        raise self.unsupported(Capability.DIAL)

    async def record(
        self, extension_id: str, action: RecordingAction
    ) -> RecordingResult:
        """Start, stop, pause or resume recording the extension's live call.

        Backends that declare RECORDING but not RECORDING_PAUSE must call
        :meth:`check_recording_action` first.
        """
        # Names the missing capability precisely: RECORDING_PAUSE for pause/resume.
        self.check_recording_action(action)
        raise self.unsupported(Capability.RECORDING)

    def check_recording_action(self, action: RecordingAction) -> None:
        """Refuse pause/resume on a vendor that can only start and stop."""
        from switchboard.core.models import RecordingAction  # noqa: PLC0415 - typing-only import above

        if action in (RecordingAction.PAUSE, RecordingAction.RESUME):
            self.require(Capability.RECORDING_PAUSE)
        self.require(Capability.RECORDING)

    async def list_flows(self) -> list[Flow]:
        """Return every day/night flow."""
        raise self.unsupported(Capability.FLOWS)

    async def set_flow(self, flow_id: str, *, active: bool) -> Flow:
        """Switch a flow on or off."""
        raise self.unsupported(Capability.FLOWS)

    async def list_office_hours(self) -> list[OfficeHours]:
        """Return every office-hours schedule."""
        raise self.unsupported(Capability.OFFICE_HOURS)

    async def set_office_hours(
        self, hours_id: str, state: OfficeHoursState
    ) -> OfficeHours:
        """Force a schedule on or off, or let it follow its times again."""
        raise self.unsupported(Capability.OFFICE_HOURS)

    async def list_calls(self) -> list[Call]:
        """Return the calls in progress."""
        raise self.unsupported(Capability.LIVE_CALLS)

    async def call_history(self, since: datetime) -> list[Call]:
        """Return the finished calls that started at or after ``since``.

        Catches calls that started and ended between two polls of the live calls.
        """
        raise self.unsupported(Capability.CALL_HISTORY)

    # -- PushSource ------------------------------------------------------------

    def push_signals(self) -> AsyncIterator[PushSignal]:
        """Yield what the vendor announces, as it happens (switchboard.core.push).

        Endless: reconnects inside, and signals a resync after every connection.
        """
        raise self.unsupported(Capability.PUSH)

    def receive_webhooks_at(self, url: str) -> WebhookInbox:
        """Have the vendor call ``url`` + a secret token from the next stream on.

        For :attr:`receives_webhooks` backends. The front-end routes ``url<token>``
        to the returned inbox's :meth:`~switchboard.core.push.WebhookInbox.deliver`.
        """
        raise self.unsupported(Capability.PUSH)
