"""Connection settings of a MiRTA PBX tenant."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from switchboard.core.plugin import ConnectionSettings
from switchboard.plugins.mirta.const import PROXY_API_PATH

_TENANT_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_PATH_RE = re.compile(r"^/[A-Za-z0-9_.~\-/]*\.php$")


class MirtaSettings(ConnectionSettings):
    """How to reach one MiRTA tenant through the legacy proxy API.

    Attributes:
        api_key: The tenant API key (Read/Write, for DND, dial and flows) or an
            admin key.
        tenant: The tenant code, e.g. ``ACME``.
        proxy_path: Where ``proxyapi.php`` lives on this server.
    """

    api_key: SecretStr = Field(description="MiRTA API key (Configuration > Settings)")
    tenant: str = Field(description="Tenant code, e.g. ACME")
    proxy_path: str = Field(
        default=PROXY_API_PATH,
        description="Path of proxyapi.php: /pbx/proxyapi.php on production servers, "
        "/mirtapbx/proxyapi.php on the vendor demo",
    )

    @field_validator("api_key")
    @classmethod
    def _check_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if not key.strip():
            msg = "must not be empty"
            raise ValueError(msg)
        if any(c.isspace() for c in key):
            msg = "must not contain spaces or line breaks (was it pasted with extra text?)"
            raise ValueError(msg)
        return value

    @field_validator("tenant")
    @classmethod
    def _check_tenant(cls, value: str) -> str:
        value = value.strip()
        if not _TENANT_RE.match(value):
            msg = "must be the tenant code: letters, digits, '-', '_' or '.', e.g. ACME"
            raise ValueError(msg)
        return value

    @field_validator("proxy_path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        value = "/" + value.strip().lstrip("/")
        if not _PATH_RE.match(value):
            msg = "must be a path to a .php file, e.g. /pbx/proxyapi.php"
            raise ValueError(msg)
        return value
