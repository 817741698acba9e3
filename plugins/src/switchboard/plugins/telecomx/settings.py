"""Connection settings of a TelecomX account."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from switchboard.core.plugin import ConnectionSettings
from switchboard.plugins.telecomx.const import DEFAULT_URL, OBJECT_ID_RE


class TelecomXSettings(ConnectionSettings):
    """How to reach and authenticate to TelecomX.

    Give either ``api_token`` (an employee API token, recommended: it does not
    expire and needs no 2FA) or ``username`` and ``password`` (the client logs
    in and renews the 15-minute token by itself).
    """

    url: str = Field(
        default=DEFAULT_URL,
        description="Base URL of the TelecomX API, normally https://api.telecomx.dk",
    )
    api_token: SecretStr | None = Field(
        default=None, description="Employee API token (recommended)"
    )
    username: str | None = Field(
        default=None, description="Login name (e-mail), instead of an API token"
    )
    password: SecretStr | None = Field(
        default=None, description="Login password, with username"
    )
    customer_id: str | None = Field(
        default=None,
        description="Customer id (24 hex characters); only for reseller or admin accounts",
    )

    @field_validator("customer_id")
    @classmethod
    def _check_customer_id(cls, value: str | None) -> str | None:
        if value is not None and not OBJECT_ID_RE.match(value):
            msg = "must be a TelecomX id: 24 hexadecimal characters"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _check_credentials(self) -> Self:
        has_token = self.api_token is not None and bool(
            self.api_token.get_secret_value()
        )
        has_login = bool(self.username) and self.password is not None
        if has_token and (self.username or self.password is not None):
            msg = "give either api_token or username and password, not both"
            raise ValueError(msg)
        if not has_token and not has_login:
            if self.username or self.password is not None:
                msg = "username and password must be given together"
            else:
                msg = "give an api_token (recommended) or a username and password"
            raise ValueError(msg)
        return self
