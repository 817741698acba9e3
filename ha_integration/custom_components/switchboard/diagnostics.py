"""Diagnostics: what support needs to see, with every credential and number blanked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_URL

from switchboard.core.redaction import SECRET_PARAM_NAMES

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import SwitchboardConfigEntry

# Credentials under any vendor's name for them, plus what identifies people and
# their phones: names, e-mail addresses and every phone number a call carries.
# The vendor's own secret fields are added per entry from its settings model.
TO_REDACT = SECRET_PARAM_NAMES | {
    CONF_URL,
    "pin",
    "client_id",
    "username",
    "login",
    "tenant",
    "name",
    "email",
    "title",
    "unique_id",
    "forward_to",
    "from_number",
    "from_name",
    "to_number",
    "number",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: SwitchboardConfigEntry,
) -> dict[str, Any]:
    """Return the entry, the PBX's capabilities and the last refresh, redacted."""
    runtime = entry.runtime_data
    coordinator = runtime.coordinator
    backend = runtime.backend
    to_redact = TO_REDACT | set(runtime.plugin.settings_model.secret_field_names())
    data = coordinator.data
    rate_limit = backend.rate_limit
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "vendor": runtime.plugin.name,
            "capabilities": sorted(c.name for c in backend.capabilities),
            # How the entry is updated now: "push" while the vendor's push feed
            # is connected (the poll is only a slow safety net), else "polling".
            "update_mode": "push" if coordinator.pushed else "polling",
            "last_update_success": coordinator.last_update_success,
            "update_interval_seconds": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "rate_limit": rate_limit.model_dump() if rate_limit else None,
            "statuses": [s.model_dump(mode="json") for s in data.statuses.values()],
            "flows": [f.model_dump(mode="json") for f in data.flows.values()],
            "office_hours": [
                h.model_dump(mode="json") for h in data.office_hours.values()
            ],
            "calls": [c.model_dump(mode="json") for c in data.calls.values()],
        },
        to_redact,
    )
