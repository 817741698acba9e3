"""The pure pieces: error translation tables and forms built from settings models."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pytest
import voluptuous as vol
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
from pydantic import Field, SecretStr

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.core.plugin import ConnectionSettings


@pytest.mark.parametrize(
    ("error", "kind", "key"),
    [
        (SwitchboardAuthError("no"), ConfigEntryAuthFailed, "auth_failed"),
        (SwitchboardPermissionError("no"), UpdateFailed, "permission_denied"),
        (
            SwitchboardRateLimitError("slow", retry_after=42),
            UpdateFailed,
            "rate_limited",
        ),
        (SwitchboardTimeoutError("late"), UpdateFailed, "communication_error"),
        (SwitchboardConnectionError("down"), UpdateFailed, "communication_error"),
        (SwitchboardResponseError("odd"), UpdateFailed, "pbx_error"),
    ],
)
def test_update_errors(error: SwitchboardError, kind: type, key: str) -> None:
    """Polling errors become reauth or translated UpdateFailed (with retry_after)."""
    from custom_components.switchboard.coordinator import update_error  # noqa: PLC0415

    mapped = update_error(error)
    assert type(mapped) is kind
    assert mapped.translation_key == key
    assert mapped.translation_placeholders == {"message": error.message}
    if isinstance(error, SwitchboardRateLimitError):
        assert mapped.retry_after == 42


@pytest.mark.parametrize(
    ("error", "kind", "key"),
    [
        (
            SwitchboardUnsupportedError("PBXware cannot dial.", capability="DIAL"),
            ServiceValidationError,
            "unsupported_dial",
        ),
        (
            SwitchboardUnsupportedError("Cannot do that."),
            ServiceValidationError,
            "unsupported",
        ),
        (SwitchboardInvalidInputError("bad"), ServiceValidationError, "invalid_input"),
        (SwitchboardNotFoundError("who"), ServiceValidationError, "not_found"),
        (SwitchboardPolicyError("never"), ServiceValidationError, "policy_refused"),
        (SwitchboardAuthError("no"), HomeAssistantError, "auth_failed"),
        (SwitchboardPermissionError("no"), HomeAssistantError, "permission_denied"),
        (SwitchboardRateLimitError("slow"), HomeAssistantError, "rate_limited"),
        (SwitchboardTimeoutError("late"), HomeAssistantError, "communication_error"),
        (
            SwitchboardTimeoutError("late", outcome_unknown=True),
            HomeAssistantError,
            "outcome_unknown",
        ),
        (SwitchboardResponseError("odd"), HomeAssistantError, "pbx_error"),
    ],
)
def test_action_errors(error: SwitchboardError, kind: type, key: str) -> None:
    """Action errors: misuse is a validation error, PBX trouble a translated error."""
    from custom_components.switchboard.helpers import action_error  # noqa: PLC0415

    mapped = action_error(error, "PBXware", "Office PBX")
    assert type(mapped) is kind
    assert mapped.translation_key == key
    placeholders = mapped.translation_placeholders or {}
    if isinstance(error, SwitchboardUnsupportedError):
        assert placeholders["vendor"] == "PBXware"
    else:
        assert placeholders == {"message": error.message, "title": "Office PBX"}


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class OddSettings(ConnectionSettings):
    """Every kind of field a third-party vendor might declare."""

    token: SecretStr
    verify: bool = True
    port: int = 443
    color: Color = Color.RED
    mode: Literal["fast", "safe"] = "safe"
    note: str | None = None
    tags: list[str] = Field(default_factory=list)


def test_form_built_from_any_settings_model() -> None:
    """Booleans, numbers, enums, literals and optionals get fitting selectors."""
    from custom_components.switchboard.settings_form import settings_schema  # noqa: PLC0415

    schema = settings_schema(OddSettings)
    fields = {str(key): (key, value) for key, value in schema.schema.items()}
    assert "max_retries" not in fields
    assert isinstance(fields["url"][0], vol.Required)
    assert fields["token"][1].config["type"] == "password"
    assert fields["url"][1].config["type"] == "url"
    assert type(fields["verify"][1]).__name__ == "BooleanSelector"
    assert fields["port"][1].config["step"] == 1
    assert fields["timeout"][1].config["step"] == "any"
    assert fields["color"][1].config["options"] == ["red", "blue"]
    assert fields["mode"][1].config["options"] == ["fast", "safe"]
    assert fields["note"][0].default is vol.UNDEFINED
    assert fields["port"][0].default() == 443
    assert fields["tags"][0].default() == []
    optional = settings_schema(OddSettings, secrets_optional=True)
    assert isinstance(
        next(k for k in optional.schema if str(k) == "token"), vol.Optional
    )


def test_entry_data_keeps_blank_secrets_and_reports_bad_fields() -> None:
    """Blank secrets keep the stored ones; invalid values name their field only."""
    from custom_components.switchboard.settings_form import (  # noqa: PLC0415
        InvalidSettingsError,
        entry_data,
    )

    stored = {"url": "https://pbx.example.com", "token": "s3cret-token", "note": "x"}
    data = entry_data(OddSettings, {"token": "", "note": "", "color": "blue"}, stored)
    assert data["token"] == "s3cret-token"
    assert "note" not in data
    assert data["color"] == "blue"
    with pytest.raises(InvalidSettingsError) as caught:
        entry_data(
            OddSettings,
            {"url": "https://pbx.example.com", "port": "many", "token": "s3cret-token"},
        )
    assert caught.value.fields == ["port"]
    assert "s3cret-token" not in caught.value.details
