"""Telphin (Ringme platform): OAuth2 client credentials, REST + JSON under /api/ver1.0."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, SecretStr, field_validator

from switchboard.core.plugin import ConnectionSettings, VendorPlugin
from switchboard.plugins.telphin.backend import TelphinBackend, TelphinDndBackend
from switchboard.plugins.telphin.client import TelphinClient
from switchboard.plugins.telphin.const import (
    API_PREFIX,
    DEFAULT_BASE_URL,
    DISPLAY_NAME,
    DND_CALL_STATUS_NAME,
    VENDOR,
)
from switchboard.plugins.telphin.emulator import (
    DND_STATUS_NAME,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    TelphinEmulator,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "PLUGIN",
    "TelphinBackend",
    "TelphinClient",
    "TelphinDndBackend",
    "TelphinEmulator",
    "TelphinSettings",
]


class TelphinSettings(ConnectionSettings):
    """How to reach a Telphin account as a trusted application."""

    url: str = Field(
        default=DEFAULT_BASE_URL,
        description="API host, e.g. https://apiproxy.telphin.ru (other Ringme operators: their host)",
    )
    client_id: str = Field(min_length=1, description="The application's App ID")
    client_secret: SecretStr = Field(description="The application's App Secret")
    dnd_call_status: str | None = Field(
        default=DND_CALL_STATUS_NAME,
        description="Name of the call status that means do-not-disturb; DND is offered only when set",
    )
    available_call_status: str | None = Field(
        default=None,
        description="Call status to assign when DND goes off; by default the previous one is restored",
    )

    @field_validator("url", mode="before")
    @classmethod
    def _drop_api_prefix(cls, value: object) -> object:
        # People paste the API base from the docs; the client adds the prefix itself.
        if isinstance(value, str):
            stripped = value.strip().rstrip("/")
            if stripped.endswith(API_PREFIX):
                return stripped[: -len(API_PREFIX)]
            return stripped
        return value

    @field_validator("client_id")
    @classmethod
    def _strip_id(cls, value: str) -> str:
        value = value.strip()
        if not value:
            msg = "must not be empty"
            raise ValueError(msg)
        return value

    @field_validator("dnd_call_status", "available_call_status")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


def create_backend(
    settings: TelphinSettings, http_client: httpx.AsyncClient | None
) -> TelphinBackend:
    """Build the backend; DND is declared only when a call status is named for it."""
    client = TelphinClient(
        settings.url,
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=http_client,
    )
    if settings.dnd_call_status:
        return TelphinDndBackend(
            client,
            dnd_call_status=settings.dnd_call_status,
            available_call_status=settings.available_call_status,
        )
    return TelphinBackend(client)


def demo_settings(base_url: str) -> TelphinSettings:
    """Settings for an emulator served at ``base_url``, with a DND call status."""
    return TelphinSettings(
        url=base_url,
        client_id=EMULATOR_CLIENT_ID,
        client_secret=SecretStr(EMULATOR_CLIENT_SECRET),
        dnd_call_status=DND_STATUS_NAME,
    )


PLUGIN: VendorPlugin[TelphinSettings] = VendorPlugin(
    name=VENDOR,
    display_name=DISPLAY_NAME,
    settings_model=TelphinSettings,
    backend_factory=create_backend,
    emulator_factory=TelphinEmulator,
    demo_settings=demo_settings,
    description="Telphin cloud PBX (Ringme platform API, OAuth2 application)",
)
