"""Build config-flow forms from a vendor's settings model.

Every vendor declares its connection settings as a pydantic model (URL, API key,
tenant, client id and secret...). The config flow shows exactly those fields, so a
new vendor plugin needs no change here: ``SecretStr`` fields become password
boxes, numbers number boxes, enums drop-downs, and pydantic validates the result.
"""

from __future__ import annotations

import enum
import types
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

import voluptuous as vol
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from pydantic import SecretStr, ValidationError

from switchboard.core.responses import describe_validation_error

from .const import HIDDEN_SETTINGS

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from homeassistant.helpers.selector import Selector
    from pydantic.fields import FieldInfo

    from switchboard.core.plugin import ConnectionSettings


def _unwrap_optional(annotation: Any) -> Any:
    """Return ``X`` for ``X | None``; anything else unchanged."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _selector(name: str, annotation: Any) -> Selector[Any]:  # noqa: PLR0911 - one per kind
    kind = _unwrap_optional(annotation)
    if kind is SecretStr:
        return TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    if kind is bool:
        return BooleanSelector()
    if kind is int:
        return NumberSelector(NumberSelectorConfig(mode=NumberSelectorMode.BOX, step=1))
    if kind is float:
        return NumberSelector(
            NumberSelectorConfig(mode=NumberSelectorMode.BOX, step="any")
        )
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _choice([str(member.value) for member in kind])
    if get_origin(kind) is Literal:
        return _choice([str(value) for value in get_args(kind)])
    if name == "url":
        return TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
    return TextSelector()


def _choice(options: list[str]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    )


def form_fields(model: type[ConnectionSettings]) -> dict[str, FieldInfo]:
    """Return the fields the user fills in (all but those Home Assistant decides)."""
    return {
        name: field
        for name, field in model.model_fields.items()
        if name not in HIDDEN_SETTINGS
    }


def is_secret(field: FieldInfo) -> bool:
    """Return whether a field holds a credential."""
    return _unwrap_optional(field.annotation) is SecretStr


def settings_schema(
    model: type[ConnectionSettings],
    *,
    only: Collection[str] | None = None,
    secrets_optional: bool = False,
) -> vol.Schema:
    """Return the form for a vendor's settings.

    Args:
        model: The vendor's settings model.
        only: Show only these fields (reauth shows the credentials).
        secrets_optional: Let secret fields stay blank, meaning "keep the stored
            value" (reconfigure never shows stored secrets back).
    """
    schema: dict[vol.Marker, Selector[Any]] = {}
    for name, field in form_fields(model).items():
        if only is not None and name not in only:
            continue
        default = (
            None
            if field.is_required()
            else field.get_default(call_default_factory=True)
        )
        if field.is_required() and not (secrets_optional and is_secret(field)):
            marker: vol.Marker = vol.Required(name)
        elif default is not None:
            marker = vol.Optional(name, default=default)
        else:
            marker = vol.Optional(name)
        schema[marker] = _selector(name, field.annotation)
    return vol.Schema(schema)


def entry_data(
    model: type[ConnectionSettings],
    user_input: Mapping[str, Any],
    stored: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge form input over stored data, validate it, and return storable data.

    Blank secrets keep the stored value. Secrets are stored in clear text in the
    config entry, which is where Home Assistant keeps every integration's
    credentials.

    Raises:
        InvalidSettingsError: The settings do not validate.
    """
    fields = form_fields(model)
    merged = dict(stored or {})
    for name, value in user_input.items():
        if value in ("", None):
            # A blank secret keeps the stored one; a blank setting falls back to
            # its default.
            if name in fields and not is_secret(fields[name]):
                merged.pop(name, None)
            continue
        merged[name] = value
    raw = {name: value for name, value in merged.items() if name in fields}
    try:
        settings = model.model_validate(raw)
    except ValidationError as err:
        locations = {str(item["loc"][0]) for item in err.errors() if item["loc"]}
        raise InvalidSettingsError(
            describe_validation_error(err), sorted(locations & fields.keys())
        ) from None
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, enum.Enum):
            value = value.value
        if value is not None:
            data[name] = value
    return data


class InvalidSettingsError(Exception):
    """The settings did not validate; says which fields and why (no values)."""

    def __init__(self, details: str, fields: list[str]) -> None:
        super().__init__(details)
        self.details = details
        self.fields = fields
