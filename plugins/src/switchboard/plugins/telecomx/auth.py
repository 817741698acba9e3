"""How the TelecomX client gets the token it attaches to every request.

Two sources (vendor-apis.md §3.3):

* :class:`StaticTokenAuth`: an employee API token (``POST /employee/{id}/token``),
  the default. It does not expire, avoids 2FA prompts and suits Slack and HA.
* :class:`LoginAuth`: ``POST /auth/login`` with username and password; the
  token lives ``expiresInMinutes`` (15), so it is renewed shortly before expiry
  and once more when the PBX rejects it early.

Endpoint code never touches credentials: it asks for :meth:`TokenAuth.token`.
Every token is registered with switchboard.core.redaction, so it never reaches a log line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from switchboard.core.redaction import get_logger, register_secret
from switchboard.core.responses import parse_json, validate
from switchboard.core.token import TokenCache
from switchboard.plugins.telecomx.const import (
    DISPLAY_NAME,
    PERSISTENT_TOKEN_MINUTES,
    TOKEN_RENEW_MARGIN_SECONDS,
    VENDOR,
)
from switchboard.plugins.telecomx.models import LoginResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import SecretStr

    from switchboard.core.transport import Transport

_LOGGER = get_logger(__name__)


class TokenAuth:
    """Base: hands out the token for the next request."""

    renewable = False
    """True when a rejected token can be replaced by logging in again."""

    async def token(self) -> str:
        """Return a token that is valid now."""
        raise NotImplementedError

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the PBX rejected it (no-op for static tokens)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class StaticTokenAuth(TokenAuth):
    """An employee API token from the configuration."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token
        register_secret(token.get_secret_value())

    async def token(self) -> str:
        """Return the configured token."""
        return self._token.get_secret_value()


class LoginAuth(TokenAuth):
    """Log in with username and password; renew the token before it expires.

    Args:
        transport: The client's transport (login goes through it too).
        username: The login name (the employee's e-mail address).
        password: The password.
        clock: Monotonic seconds; injected by tests to fast-forward time.
    """

    renewable = True

    def __init__(
        self,
        transport: Transport,
        username: str,
        password: SecretStr,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._username = username
        self._password = password
        self._cache = TokenCache(self._login, clock=clock)
        self.logins = 0
        """How many times we logged in (for tests and diagnostics)."""
        register_secret(password.get_secret_value())

    async def token(self) -> str:
        """Return the current token, logging in first when it is missing or ageing."""
        return await self._cache.get()

    def invalidate(self, token: str) -> None:
        """Drop ``token`` so that the next request logs in again."""
        self._cache.invalidate(token)

    async def _login(self) -> tuple[str, float | None]:
        # Logging in twice only issues a second token, so a retried login is
        # harmless: idempotent for the transport's purposes.
        response = await self._transport.request(
            "POST",
            "/auth/login",
            idempotent=True,
            json={
                "username": self._username,
                "password": self._password.get_secret_value(),
            },
        )
        data = parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)
        result = validate(
            LoginResult,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what="login answer",
        )
        token = result.token.get_secret_value()
        register_secret(token, session_token=True)
        minutes = result.expires_in_minutes
        persistent = minutes == PERSISTENT_TOKEN_MINUTES
        self.logins += 1
        _LOGGER.debug(
            "Logged in to %s; the token lives %s",
            DISPLAY_NAME,
            "until revoked" if persistent else f"{minutes} minutes",
        )
        # Renewed shortly before it runs out, so no request carries a dying token.
        return (
            token,
            None if persistent else minutes * 60.0 - TOKEN_RENEW_MARGIN_SECONDS,
        )
