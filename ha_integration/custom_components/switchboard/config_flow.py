"""Config flow: pick the vendor, enter its settings, test them, save one entry per account."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)

from .const import (
    CONF_ALLOW_INTERNATIONAL,
    CONF_EXTENSIONS,
    CONF_VENDOR,
    DOMAIN,
)
from .coordinator import async_move_account
from .helpers import async_available_vendors, async_create_backend, async_get_vendor
from .settings_form import InvalidSettingsError, entry_data, is_secret, settings_schema
from .webhooks import async_has_push_url

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import HomeAssistant

    from switchboard.core.models import AccountInfo
    from switchboard.core.plugin import VendorPlugin

    from .coordinator import SwitchboardConfigEntry

_LOGGER = logging.getLogger(__name__)


# Form errors (keys of config.error in strings.json): one per kind of failure, so the
# user reads what to fix; the vendor's own words go to the debug log only.
CANNOT_CONNECT = "cannot_connect"
TIMEOUT = "timeout_connect"
INVALID_RESPONSE = "invalid_response"
INVALID_AUTH = "invalid_auth"
PERMISSION_DENIED = "permission_denied"
RATE_LIMITED = "rate_limited"
UNKNOWN = "unknown"

# What the entry-created dialog says (config.create_entry in strings.json): the
# vendor pushes by webhook, but nothing on the internet can reach this Home
# Assistant, so the entry is polled.
POLLED_WITHOUT_PUSH_URL = "polled_without_push_url"

# The most specific class first: a timeout is a connection error, a permission
# error an authentication error.
_FORM_ERRORS: tuple[tuple[type[SwitchboardError], str], ...] = (
    (SwitchboardTimeoutError, TIMEOUT),
    (SwitchboardConnectionError, CANNOT_CONNECT),
    (SwitchboardPermissionError, PERMISSION_DENIED),
    (SwitchboardAuthError, INVALID_AUTH),
    (SwitchboardRateLimitError, RATE_LIMITED),
    # Something answered, but not like this vendor: most likely a wrong URL.
    (SwitchboardResponseError, INVALID_RESPONSE),
    (SwitchboardNotFoundError, INVALID_RESPONSE),
)


class CannotConnectError(Exception):
    """The settings were tested and failed; ``key`` is the form error to show."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _form_error(err: SwitchboardError) -> str:
    return next((key for kind, key in _FORM_ERRORS if isinstance(err, kind)), UNKNOWN)


async def async_test_connection(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[AccountInfo, bool]:
    """Connect with ``data``; return the account and whether it pushes by webhook.

    Raises:
        CannotConnectError: The test failed; its key says why.
    """
    _, backend = await async_create_backend(hass, data)
    try:
        info = await backend.account_info()
        return info, backend.supports(Capability.PUSH) and backend.receives_webhooks
    except SwitchboardError as err:
        # Redacted like every core error message.
        _LOGGER.debug("Testing the PBX connection failed: %s", err.message)
        raise CannotConnectError(_form_error(err)) from err
    except Exception as err:
        _LOGGER.exception("Unexpected error while testing the PBX connection")
        raise CannotConnectError(UNKNOWN) from err
    finally:
        await backend.aclose()


class SwitchboardConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a PBX account."""

    VERSION = 1

    def __init__(self) -> None:
        self._vendor: str | None = None

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: SwitchboardConfigEntry,  # noqa: ARG004 - Home Assistant's signature
    ) -> OptionsFlow:
        """Return the options flow (extensions, calls abroad)."""
        return OptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user pick the PBX vendor."""
        vendors = await async_available_vendors(self.hass)
        if not vendors:
            return self.async_abort(reason="no_vendors")
        if user_input is not None:
            self._vendor = user_input[CONF_VENDOR]
            return await self.async_step_connection()
        options = [
            SelectOptionDict(
                value=name,
                label=f"{plugin.display_name} ({plugin.description})"
                if plugin.description
                else plugin.display_name,
            )
            for name, plugin in sorted(vendors.items())
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_VENDOR): SelectSelector(
                    SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
                )
            }
        )
        return self.async_show_form(step_id="user", data_schema=schema)

    async def async_step_connection(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the vendor's settings and test them before saving."""
        assert self._vendor is not None  # noqa: S101 - set by the user step
        plugin = await async_get_vendor(self.hass, self._vendor)
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {CONF_VENDOR: plugin.name} | entry_data(
                    plugin.settings_model, user_input
                )
                info, by_webhook = await async_test_connection(self.hass, data)
            except (InvalidSettingsError, CannotConnectError) as err:
                errors = _form_errors(err)
            else:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_configured()
                if by_webhook and not async_has_push_url(self.hass):
                    # Said once, when the entry is created; the repair issue
                    # keeps saying it until a URL is set.
                    return self.async_create_entry(
                        title=info.name,
                        data=data,
                        description=POLLED_WITHOUT_PUSH_URL,
                        description_placeholders=_placeholders(plugin),
                    )
                return self.async_create_entry(title=info.name, data=data)
        schema = self.add_suggested_values_to_schema(
            settings_schema(plugin.settings_model), user_input or {}
        )
        return self.async_show_form(
            step_id="connection",
            data_schema=schema,
            errors=errors,
            description_placeholders=_placeholders(plugin),
        )

    async def async_step_reauth(
        self,
        entry_data: Mapping[str, Any],  # noqa: ARG002 - the entry is looked up instead
    ) -> ConfigFlowResult:
        """Start reauthentication: the PBX refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials only, test them, and update the entry."""
        return await self._async_update_entry(
            "reauth_confirm",
            self._get_reauth_entry(),
            user_input,
            credentials_only=True,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change any connection setting of an existing account."""
        return await self._async_update_entry(
            "reconfigure", self._get_reconfigure_entry(), user_input
        )

    async def _async_update_entry(
        self,
        step_id: str,
        entry: SwitchboardConfigEntry,
        user_input: dict[str, Any] | None,
        *,
        credentials_only: bool = False,
    ) -> ConfigFlowResult:
        plugin = await async_get_vendor(self.hass, entry.data[CONF_VENDOR])
        model = plugin.settings_model
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {CONF_VENDOR: plugin.name} | entry_data(
                    model, user_input, entry.data
                )
                info, _ = await async_test_connection(self.hass, data)
            except (InvalidSettingsError, CannotConnectError) as err:
                errors = _form_errors(err)
            else:
                return await self._async_save(entry, info, data)
        if credentials_only:
            secrets = [n for n, f in model.model_fields.items() if is_secret(f)]
            schema = settings_schema(model, only=secrets)
        else:
            # Stored secrets are never shown back: left blank, they are kept.
            shown = {
                name: value
                for name, value in entry.data.items()
                if name in model.model_fields
                and not is_secret(model.model_fields[name])
            }
            schema = self.add_suggested_values_to_schema(
                settings_schema(model, secrets_optional=True), user_input or shown
            )
        return self.async_show_form(
            step_id=step_id,
            data_schema=schema,
            errors=errors,
            description_placeholders=_placeholders(plugin) | {"account": entry.title},
        )

    async def _async_save(
        self,
        entry: SwitchboardConfigEntry,
        info: AccountInfo,
        data: dict[str, Any],
    ) -> ConfigFlowResult:
        """Save tested settings, unless they reach another PBX account.

        The same account at a new address (its id differs only in the address part)
        is a move: the devices and entities follow it under the new id.
        """
        old_id = entry.unique_id or ""
        if info.unique_id != old_id:
            if not info.moved_from(old_id, _address(entry.data)):
                # New settings must not silently switch to another PBX account.
                return self.async_abort(reason="wrong_account")
            await self.async_set_unique_id(info.unique_id)
            self._abort_if_unique_id_configured()
            await async_move_account(self.hass, entry.entry_id, old_id, info.unique_id)
        return self.async_update_reload_and_abort(
            entry, unique_id=info.unique_id, data=data
        )


def _address(data: Mapping[str, Any]) -> str:
    """The host an entry's settings reach, as the vendors put it in account ids."""
    url = str(data.get("url", ""))
    return (urlsplit(url).hostname or url).lower()


def _form_errors(err: InvalidSettingsError | CannotConnectError) -> dict[str, str]:
    if isinstance(err, InvalidSettingsError):
        _LOGGER.debug("Settings refused: %s", err.details)
        return dict.fromkeys(err.fields or ["base"], "invalid_setting")
    return {"base": err.key}


def _placeholders(plugin: VendorPlugin[Any]) -> dict[str, str]:
    return {"vendor": plugin.display_name}


class OptionsFlow(OptionsFlowWithReload):
    """Extensions to show, calls abroad; the entry reloads when saved."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options."""
        entry: SwitchboardConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_EXTENSIONS: sorted(user_input.get(CONF_EXTENSIONS, [])),
                    CONF_ALLOW_INTERNATIONAL: bool(
                        user_input.get(CONF_ALLOW_INTERNATIONAL, False)
                    ),
                }
            )
        try:
            extensions = await entry.runtime_data.backend.list_extensions()
        except SwitchboardError as err:
            _LOGGER.debug("Listing the extensions failed: %s", err.message)
            return self.async_abort(reason="cannot_connect")
        options = [
            SelectOptionDict(
                value=ext.id,
                label=f"{ext.number} {ext.name}".strip(),
            )
            for ext in sorted(extensions, key=lambda ext: ext.number)
        ]
        schema = vol.Schema(
            {
                vol.Optional(CONF_EXTENSIONS, default=[]): SelectSelector(
                    SelectSelectorConfig(
                        options=options,
                        multiple=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                # Off by default: calls abroad cost more and are what phone fraud
                # runs up; the dial action refuses them unless this is on.
                vol.Optional(
                    CONF_ALLOW_INTERNATIONAL, default=False
                ): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, entry.options),
        )
