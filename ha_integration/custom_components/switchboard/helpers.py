"""Glue between Home Assistant and the Switchboard core: backends and error mapping."""

from __future__ import annotations

import logging
from functools import wraps
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Final,
    Protocol,
)

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.httpx_client import get_async_client

from switchboard.core.capabilities import Capability
from switchboard.core.config import insecure_http_host
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.core.registry import available_vendors, get_vendor

from .const import CONF_VENDOR, DOMAIN, HA_MAX_RETRIES

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping

    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.plugin import ConnectionSettings, VendorPlugin

    from .coordinator import SwitchboardCoordinator


_LOGGER = logging.getLogger(__name__)


def settings_from_data(
    plugin: VendorPlugin[Any], data: Mapping[str, Any]
) -> ConnectionSettings:
    """Validate config-entry data as the vendor's settings (raises ValidationError)."""
    raw = {key: value for key, value in data.items() if key != CONF_VENDOR}
    # The coordinator polls again anyway; retrying inside one refresh would only
    # stretch a failing refresh and spend a rate-limited vendor's quota.
    if "max_retries" in plugin.settings_model.model_fields:
        raw["max_retries"] = HA_MAX_RETRIES
    settings: ConnectionSettings = plugin.parse_settings(raw)
    return settings


async def async_available_vendors(hass: HomeAssistant) -> dict[str, VendorPlugin[Any]]:
    """Return the installed vendor plugins, discovered in the executor.

    Discovery reads every installed distribution's metadata and imports the vendor
    modules: blocking I/O that must not run in the event loop. It is cached for the
    process, so after the first call this costs one executor hop.
    """
    return await hass.async_add_executor_job(available_vendors)


async def async_get_vendor(hass: HomeAssistant, name: str) -> VendorPlugin[Any]:
    """Return the plugin called ``name``, looked up off the event loop.

    Raises:
        SwitchboardConfigError: No such vendor is installed.
    """
    return await hass.async_add_executor_job(get_vendor, name)


async def async_create_backend(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[VendorPlugin[Any], PbxBackend]:
    """Build the vendor backend for config-entry data on Home Assistant's shared clients.

    Raises:
        SwitchboardConfigError: The vendor plugin is not installed.
        pydantic.ValidationError: The stored settings are no longer valid.
    """
    plugin = await async_get_vendor(hass, str(data[CONF_VENDOR]))
    settings = settings_from_data(plugin, data)
    host = insecure_http_host(settings)
    if host is not None:
        # The config flow takes what the user typed; say what it means, once per setup.
        _LOGGER.warning(
            "%s: the credentials go to %s over plain http://, unencrypted; "
            "use https:// if the PBX offers it",
            plugin.display_name,
            host,
        )
    # The shared clients are borrowed: the core never closes a client it did not
    # create. httpx for requests; aiohttp for a push feed's long-lived connection.
    backend = plugin.create_backend(settings, get_async_client(hass))
    backend.web_session = async_get_clientsession(hass)
    return plugin, backend


class _HasCoordinator(Protocol):
    """Anything an action runs for: an entity or an action's resolved target."""

    @property
    def coordinator(self) -> SwitchboardCoordinator:
        """The coordinator of the PBX the action goes to."""
        ...


# One message per missing capability, so the user reads what their PBX cannot do.
UNSUPPORTED_KEYS: Final[dict[str, str]] = {
    capability.name: f"unsupported_{capability.name.lower()}"
    for capability in Capability
}
UNSUPPORTED_FALLBACK_KEY: Final = "unsupported"


def action_error(
    err: SwitchboardError, vendor: str, title: str, explanation: str = ""
) -> HomeAssistantError:
    """Translate a core error raised by an action into Home Assistant's terms.

    Args:
        err: The core error.
        vendor: The vendor's display name (PBXware...).
        title: The PBX account's name (the config entry's title).
        explanation: For a missing capability, the vendor's own explanation
            (what it has instead, which setting enables it), if it has one.
    """
    if isinstance(err, SwitchboardUnsupportedError):
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=UNSUPPORTED_KEYS.get(
                err.capability or "", UNSUPPORTED_FALLBACK_KEY
            ),
            translation_placeholders={"vendor": vendor, "explanation": explanation},
        )
    # The vendor's or the policy's own words (redacted), inside our sentence.
    placeholders = {"message": err.message, "title": title}
    validation_key = next(
        (key for kind, key in _VALIDATION_KEYS if isinstance(err, kind)), None
    )
    if validation_key is not None:
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=validation_key,
            translation_placeholders=placeholders,
        )
    key = "pbx_error"
    if isinstance(err, SwitchboardAuthError):
        key = "auth_failed" if err.reauth_needed else "permission_denied"
    elif isinstance(err, SwitchboardRateLimitError):
        key = "rate_limited"
    elif isinstance(err, SwitchboardTimeoutError) and err.outcome_unknown:
        # A dial or recording that timed out may have happened: never "failed".
        key = "outcome_unknown"
    elif isinstance(err, SwitchboardConnectionError):
        key = "communication_error"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


# Errors in what the user asked for (HA shows them as the user's to fix).
_VALIDATION_KEYS: tuple[tuple[type[SwitchboardError], str], ...] = (
    (SwitchboardNotFoundError, "not_found"),
    (SwitchboardPolicyError, "policy_refused"),
    (SwitchboardInvalidInputError, "invalid_input"),
)


def switchboard_exception_handler[T: _HasCoordinator, **P, R](
    func: Callable[Concatenate[T, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[T, P], Coroutine[Any, Any, R]]:
    """Turn core errors raised by an action into translated Home Assistant errors.

    Bad credentials also start the reauth flow, and an unreachable PBX marks the
    coordinator failed, so the entities show it at once instead of at the next poll.
    """

    @wraps(func)
    async def handler(self: T, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(self, *args, **kwargs)
        except SwitchboardError as err:
            coordinator = self.coordinator
            if isinstance(err, SwitchboardAuthError) and err.reauth_needed:
                coordinator.config_entry.async_start_reauth(coordinator.hass)
            elif isinstance(err, SwitchboardConnectionError):
                coordinator.async_set_update_error(err)
            entry = coordinator.config_entry
            explanation = ""
            if isinstance(err, SwitchboardUnsupportedError) and err.capability:
                # The vendor's advice where it gives one; for a capability it has
                # only in part (some forwarding conditions), the refusal itself.
                backend = entry.runtime_data.backend
                capability = Capability[err.capability]
                explanation = backend.unsupported_reasons.get(capability) or (
                    err.message if backend.supports(capability) else ""
                )
            vendor = entry.runtime_data.plugin.display_name
            raise action_error(err, vendor, entry.title, explanation) from err

    return handler
