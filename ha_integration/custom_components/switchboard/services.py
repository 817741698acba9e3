"""Actions: dial and forward (within the dial rules, on a condition), record, set DND."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr

from switchboard.core.capabilities import Capability
from switchboard.core.models import ForwardCondition, RecordingAction

from .const import (
    ATTR_ACTION,
    ATTR_CONDITION,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DESTINATION,
    ATTR_DURATION,
    ATTR_ENABLED,
    ATTR_EXTENSION,
    ATTR_NUMBER,
    ATTR_RING_TIME,
    DOMAIN,
    SERVICE_DIAL,
    SERVICE_FORWARD,
    SERVICE_RECORD,
    SERVICE_SET_DND,
)
from .dialing import DATA_DIAL_RULES, DialRules
from .helpers import switchboard_exception_handler

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import timedelta

    from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse

    from switchboard.core.models import ExtensionStatus

    from .coordinator import SwitchboardConfigEntry, SwitchboardCoordinator

# Digits with an optional leading +, and the * and # of feature codes; spaces,
# dashes, dots and brackets people type are dropped first.
_NUMBER_RE = re.compile(r"\+?[0-9*#]{2,32}")
_NUMBER_NOISE = re.compile(r"[\s\-.()/]")

# Whom an action is for: an extension's device (the target picker of the
# automation editor), or, as in 0.2.0, a PBX account plus an extension number.
_TARGET: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string]),
    vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    vol.Optional(ATTR_EXTENSION): vol.All(vol.Coerce(str), cv.string),
}


def _one_way_to_target(data: dict[str, Any]) -> dict[str, Any]:
    """Either devices, or an account and an extension; never both, never half."""
    by_device = bool(data.get(ATTR_DEVICE_ID))
    by_entry = ATTR_CONFIG_ENTRY_ID in data or ATTR_EXTENSION in data
    if by_device and by_entry:
        msg = "Pick extension devices, or a PBX account and an extension, not both"
        raise vol.Invalid(msg)
    if not by_device and not (ATTR_CONFIG_ENTRY_ID in data and ATTR_EXTENSION in data):
        msg = "Pick an extension's device, or give a PBX account and an extension"
        raise vol.Invalid(msg)
    return data


def _schema(fields: dict[vol.Marker, Any]) -> vol.All:
    return vol.All(vol.Schema({**_TARGET, **fields}), _one_way_to_target)


DIAL_SCHEMA = _schema({vol.Required(ATTR_DESTINATION): cv.string})
RECORD_SCHEMA = _schema(
    {vol.Required(ATTR_ACTION): vol.In([a.value for a in RecordingAction])}
)
SET_DND_SCHEMA = _schema(
    {
        vol.Required(ATTR_ENABLED): cv.boolean,
        vol.Optional(ATTR_DURATION): cv.positive_time_period,
    }
)
FORWARD_SCHEMA = _schema(
    {
        vol.Optional(ATTR_NUMBER): vol.Any(None, cv.string),
        vol.Optional(ATTR_CONDITION, default=ForwardCondition.ALL.value): vol.In(
            [c.value for c in ForwardCondition]
        ),
        vol.Optional(ATTR_RING_TIME): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=300)
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ActionTarget:
    """The PBX account an action goes to, and the call that asked for it."""

    coordinator: SwitchboardCoordinator
    call: ServiceCall
    device_extension_id: str | None = None
    """The extension's id when the action targets its device."""

    async def extension_id(self) -> str:
        """Resolve the extension: its device's, or the one the user named."""
        if self.device_extension_id is not None:
            return self.device_extension_id
        wanted: str = self.call.data[ATTR_EXTENSION].strip()
        statuses = self.coordinator.data.statuses
        for status in statuses.values():
            if wanted == status.extension.number:
                return status.extension.id
        if wanted in statuses and not self.coordinator.wanted:
            # Every extension is shown, so none has this number: it is an id.
            return wanted
        # Not shown in Home Assistant (options), but it may still exist on the PBX;
        # the PBX's list decides, numbers first (an id may be another's number).
        return (await self.coordinator.backend.find_extension(wanted)).id

    def show(self, status: ExtensionStatus) -> None:
        """Show the state the PBX answered with, without waiting for the next poll."""
        data = self.coordinator.data
        if status.extension.id in data.statuses:
            self.coordinator.async_set_updated_data(data.with_status(status))


def _phone_number(value: str, field: str) -> str:
    number = _NUMBER_NOISE.sub("", value)
    if not _NUMBER_RE.fullmatch(number):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_number",
            translation_placeholders={"field": field, "value": value},
        )
    return number


@switchboard_exception_handler
async def _dial(target: ActionTarget) -> ServiceResponse:
    backend = target.coordinator.backend
    backend.require(Capability.DIAL)
    number = _phone_number(target.call.data[ATTR_DESTINATION], ATTR_DESTINATION)
    rules = target.call.hass.data[DATA_DIAL_RULES]
    destination = await rules.check_destination(target.coordinator, number)
    extension_id = await target.extension_id()
    # Counted last, so that only calls that reach the PBX use up the limit.
    await rules.count_dial(target.coordinator)
    result = await backend.dial(extension_id, destination.number)
    return {"call_id": result.call_id, "message": result.message}


@switchboard_exception_handler
async def _record(target: ActionTarget) -> ServiceResponse:
    backend = target.coordinator.backend
    action = RecordingAction(target.call.data[ATTR_ACTION])
    backend.require(Capability.RECORDING)
    if action in (RecordingAction.PAUSE, RecordingAction.RESUME):
        backend.require(Capability.RECORDING_PAUSE)
    result = await backend.record(await target.extension_id(), action)
    return {"affected_calls": result.affected_calls, "message": result.message}


@switchboard_exception_handler
async def _set_dnd(target: ActionTarget) -> ServiceResponse:
    backend = target.coordinator.backend
    enabled: bool = target.call.data[ATTR_ENABLED]
    duration: timedelta | None = target.call.data.get(ATTR_DURATION)
    if duration is not None:
        if not enabled:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="duration_needs_enabled"
            )
        if not duration:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="duration_zero"
            )
        backend.require(Capability.DND_TIMED)
        status = await backend.set_dnd_for(await target.extension_id(), duration)
    else:
        backend.require(Capability.DND)
        status = await backend.set_dnd(await target.extension_id(), enabled=enabled)
    target.show(status)
    return None


@switchboard_exception_handler
async def _forward(target: ActionTarget) -> ServiceResponse:
    backend = target.coordinator.backend
    condition = ForwardCondition(target.call.data[ATTR_CONDITION])
    ring: int | None = target.call.data.get(ATTR_RING_TIME)
    # The vendor's own words when it lacks the condition (the core's check).
    backend.check_forward_condition(condition)
    if ring is not None and condition is not ForwardCondition.NO_ANSWER:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="ring_time_needs_noanswer"
        )
    raw = (target.call.data.get(ATTR_NUMBER) or "").strip()
    number = None
    if raw:
        # Forwarding sends every caller to the number, at the account's cost: the
        # same destination rules as dial apply (no premium-rate, no emergency...).
        # The dial rate limit does not: a forward places no call by itself.
        rules = target.call.hass.data[DATA_DIAL_RULES]
        destination = await rules.check_destination(
            target.coordinator, _phone_number(raw, ATTR_NUMBER)
        )
        number = destination.number
    extension_id = await target.extension_id()
    if condition is ForwardCondition.ALL:
        status = await backend.set_forward(extension_id, number)
    else:
        status = await backend.set_forward_rule(
            extension_id, condition, number, timeout_seconds=ring
        )
    target.show(status)
    return None


def _coordinator(hass: HomeAssistant, entry_id: str) -> SwitchboardCoordinator:
    entry: SwitchboardConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return entry.runtime_data.coordinator


def _device_targets(call: ServiceCall) -> list[ActionTarget]:
    """One target per extension device the action names, in the order given."""
    registry = dr.async_get(call.hass)
    targets: list[ActionTarget] = []
    for device_id in dict.fromkeys(call.data[ATTR_DEVICE_ID]):
        device = registry.async_get(device_id)
        ours = (
            [ident for domain, ident in device.identifiers if domain == DOMAIN]
            if device
            else []
        )
        if device is None or not ours:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="device_not_found",
                translation_placeholders={"device_id": device_id},
            )
        entry_id = next(
            (
                entry_id
                for entry_id in device.config_entries
                if (entry := call.hass.config_entries.async_get_entry(entry_id))
                and entry.domain == DOMAIN
            ),
            "",
        )
        coordinator = _coordinator(call.hass, entry_id)
        prefix = f"{coordinator.account_id}_"
        extension_id = next(
            (ident.removeprefix(prefix) for ident in ours if ident.startswith(prefix)),
            None,
        )
        if extension_id is None:  # the PBX's own device
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_an_extension",
                translation_placeholders={
                    "device": device.name_by_user or device.name or device_id
                },
            )
        targets.append(ActionTarget(coordinator, call, extension_id))
    return targets


async def _handle(
    run: Callable[[ActionTarget], Awaitable[ServiceResponse]],
    call: ServiceCall,
    *,
    one_only: bool,
) -> ServiceResponse:
    if ATTR_DEVICE_ID not in call.data:
        coordinator = _coordinator(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
        return await run(ActionTarget(coordinator, call))
    targets = _device_targets(call)
    if one_only and len(targets) > 1:
        # A call or a recording is one person's: several at once is a mistake.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="one_device_only",
            translation_placeholders={"action": call.service},
        )
    result: ServiceResponse = None
    for target in targets:
        result = await run(target)
    return result


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, for every PBX account)."""
    hass.data[DATA_DIAL_RULES] = DialRules()
    # Dial and record answer with what happened to one call; DND and forwarding
    # can be switched for several extensions (a team, an office) at once.
    for name, run, schema, response, one_only in (
        (SERVICE_DIAL, _dial, DIAL_SCHEMA, SupportsResponse.OPTIONAL, True),
        (SERVICE_RECORD, _record, RECORD_SCHEMA, SupportsResponse.OPTIONAL, True),
        (SERVICE_SET_DND, _set_dnd, SET_DND_SCHEMA, SupportsResponse.NONE, False),
        (SERVICE_FORWARD, _forward, FORWARD_SCHEMA, SupportsResponse.NONE, False),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            partial(_handle, run, one_only=one_only),
            schema=schema,
            supports_response=response,
        )
