"""What a vendor plugin provides, and the connection settings every vendor shares.

A plugin is one :class:`VendorPlugin` object (``switchboard.plugins.pbxware:PLUGIN``). It says
which settings a connection needs (a pydantic model, so the CLI config file, the
Home Assistant config flow and the demo all validate them the same way), builds a
backend from them, and builds the vendor's emulator for tests and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator


class ConnectionSettings(BaseModel):
    """Settings every PBX connection has; each vendor subclasses it to add its own.

    Secret fields are ``SecretStr``: they never show in reprs, and the config
    loader insists they come from environment variables.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(
        description="Base URL of the PBX API, e.g. https://pbx.example.com"
    )
    timeout: float = Field(
        default=10.0, gt=0, le=120, description="Seconds to wait for the PBX"
    )
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of idempotent reads"
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            msg = "must be an http:// or https:// URL with a host, e.g. https://pbx.example.com"
            raise ValueError(msg)
        if parts.query or parts.username or parts.password:
            msg = "must not contain credentials or a query string; use the dedicated fields"
            raise ValueError(msg)
        return value.rstrip("/")

    def secret_values(self) -> list[str]:
        """Return the values of every secret field, for redaction."""
        values = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
        return values

    @classmethod
    def secret_field_names(cls) -> list[str]:
        """Return the names of the secret fields."""
        return [
            name
            for name, field in cls.model_fields.items()
            if field.annotation in (SecretStr, SecretStr | None)
        ]


SettingsT = TypeVar("SettingsT", bound=ConnectionSettings)


@dataclass(frozen=True)
class VendorPlugin(Generic[SettingsT]):
    """Everything Switchboard needs to know about one vendor.

    Attributes:
        name: Plugin name used in configuration (``pbxware``).
        display_name: The vendor's name as users know it (``PBXware``).
        settings_model: The connection settings this vendor needs.
        backend_factory: Builds a backend; borrows ``http_client`` when given.
        emulator_factory: Builds a fresh, seeded emulator of the vendor API.
        demo_settings: Settings that connect to an emulator served at a base URL.
        description: One line for pickers ("Bicom Systems PBXware 6/7").
    """

    name: str
    display_name: str
    settings_model: type[SettingsT]
    backend_factory: Callable[[SettingsT, httpx.AsyncClient | None], PbxBackend]
    emulator_factory: Callable[[], Emulator]
    demo_settings: Callable[[str], SettingsT]
    description: str = ""

    def create_backend(
        self, settings: ConnectionSettings, http_client: httpx.AsyncClient | None = None
    ) -> PbxBackend:
        """Build a backend for validated ``settings``."""
        if not isinstance(settings, self.settings_model):
            msg = f"{self.name} needs {self.settings_model.__name__}, got {type(settings).__name__}"
            raise TypeError(msg)
        return self.backend_factory(settings, http_client)

    def parse_settings(self, data: dict[str, object]) -> SettingsT:
        """Validate raw settings (raises pydantic's ValidationError)."""
        return self.settings_model.model_validate(data)
