"""The settings of a PBXware connection."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from core.plugin import ConnectionSettings
from plugins.pbxware.const import API_KEY_MIN_LENGTH, API_PATH, DEFAULT_SERVER


class PbxwareSettings(ConnectionSettings):
    """How to reach one PBXware tenant.

    Attributes:
        api_key: An API key from PBXware's Admin Settings: API key.
        server: The numeric tenant (server) ID, not the tenant code; 1 outside
            Tenant Mode.
    """

    api_key: SecretStr = Field(
        description="API key from PBXware's Admin Settings: API key",
    )
    server: str = Field(
        default=DEFAULT_SERVER,
        pattern=r"^[1-9][0-9]*$",
        description="Tenant (server) ID: a number, 1 when Tenant Mode is off",
    )

    @field_validator("url")
    @classmethod
    def _drop_api_path(cls, value: str) -> str:
        # People paste the address they see in examples; the client adds it.
        if value.lower().endswith(API_PATH):
            return value[: -len(API_PATH)]
        return value

    @field_validator("api_key")
    @classmethod
    def _check_key_length(cls, value: SecretStr) -> SecretStr:
        # pydantic's own length message reads "items" and quotes nothing useful.
        key = value.get_secret_value().strip()
        if len(key) < API_KEY_MIN_LENGTH:
            msg = (
                f"must be at least {API_KEY_MIN_LENGTH} characters: copy the whole "
                "key from PBXware's Admin Settings: API key"
            )
            raise ValueError(msg)
        # A key pasted with a newline or spaces is the key: send it without them.
        return SecretStr(key)
