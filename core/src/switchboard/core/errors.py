"""The one error tree of Switchboard.

Every error a vendor client, a backend or the command layer raises derives from
:class:`SwitchboardError`, so a front-end can catch the root and still tell the
kinds apart::

    SwitchboardError
    ├── SwitchboardConnectionError        the PBX could not be reached (or answered 5xx)
    │   └── SwitchboardTimeoutError       the PBX did not answer in time
    ├── SwitchboardAuthError              credentials refused (reauth_needed) or action forbidden
    │   └── SwitchboardPermissionError    credentials fine, this action is not allowed
    ├── SwitchboardNotFoundError          the extension / flow / call does not exist
    ├── SwitchboardRateLimitError         too many requests; carries retry_after
    ├── SwitchboardResponseError          the PBX answered something we cannot understand
    ├── SwitchboardUnsupportedError       this vendor cannot do this (a capability is missing)
    ├── SwitchboardInvalidInputError      the user gave us something unusable
    ├── SwitchboardPolicyError            the user may not do this (policy refused it)
    │   └── SwitchboardFeatureUnavailableError  an admin made this feature unavailable
    └── SwitchboardConfigError            the configuration is wrong (names the file and field)

Messages never contain secrets: every message is redacted when the error is built
(a PBX may quote the key back, in any encoding), so ``str``, ``repr`` and every
front-end that shows an error show it clean.
"""

from __future__ import annotations

from switchboard.core.redaction import redact_text


class SwitchboardError(Exception):
    """Root of every Switchboard error.

    Attributes:
        message: A sentence a user can read.
        vendor: The vendor plugin name, when the error came from a PBX.
        status_code: The HTTP status the PBX answered with, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        status_code: int | None = None,
    ) -> None:
        message = redact_text(message, auth_headers=False)
        super().__init__(message)
        self.message = message
        self.vendor = vendor
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class SwitchboardConnectionError(SwitchboardError):
    """The PBX could not be reached, dropped the connection or failed with 5xx."""


class SwitchboardTimeoutError(SwitchboardConnectionError):
    """The PBX did not answer within the configured timeout.

    Attributes:
        timeout: The timeout in seconds that ran out, when known.
        outcome_unknown: True when the request was a write that is not safe to
            repeat (a dial, a recording, a flow switch) and had been sent: the
            PBX may have done it, so nobody should simply try again.
    """

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        timeout: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, vendor=vendor)
        self.timeout = timeout
        self.outcome_unknown = outcome_unknown


class SwitchboardAuthError(SwitchboardError):
    """The PBX refused our credentials.

    Attributes:
        reauth_needed: True when the credentials themselves are bad (Home Assistant
            then starts a reauth flow); False when they are fine but the account may
            not do this particular thing.
    """

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        status_code: int | None = None,
        reauth_needed: bool = True,
    ) -> None:
        super().__init__(message, vendor=vendor, status_code=status_code)
        self.reauth_needed = reauth_needed


class SwitchboardPermissionError(SwitchboardAuthError):
    """The credentials are valid, but this account may not perform the action."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(
            message, vendor=vendor, status_code=status_code, reauth_needed=False
        )


class SwitchboardNotFoundError(SwitchboardError):
    """The extension, flow, call or other object does not exist on the PBX."""


class SwitchboardRateLimitError(SwitchboardError):
    """The PBX asked us to slow down.

    Attributes:
        retry_after: Seconds until a new request may succeed, when the PBX said.
    """

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        status_code: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, vendor=vendor, status_code=status_code)
        self.retry_after = retry_after


class SwitchboardResponseError(SwitchboardError):
    """The PBX answered with something we could not understand or that says 'failed'."""


class SwitchboardUnsupportedError(SwitchboardError):
    """The connected vendor cannot do this.

    Attributes:
        capability: The capability that is missing (a ``Capability`` value).
    """

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        capability: str | None = None,
    ) -> None:
        super().__init__(message, vendor=vendor)
        self.capability = capability


class SwitchboardInvalidInputError(SwitchboardError):
    """The input (a command, a number, a duration, an id) is not usable."""


class SwitchboardPolicyError(SwitchboardError):
    """Policy refused the action (not your extension, premium number, rate limit)."""


class SwitchboardFeatureUnavailableError(SwitchboardPolicyError):
    """The PBX has the feature, but it is not available for this extension.

    An admin switched it off (PBXware: the enhanced service is Unavailable); the
    request was not sent, and nothing was changed.

    Attributes:
        feature: The feature's human name (``Do Not Disturb``).
    """

    def __init__(
        self, message: str, *, vendor: str | None = None, feature: str | None = None
    ) -> None:
        super().__init__(message, vendor=vendor)
        self.feature = feature


class SwitchboardConfigError(SwitchboardError):
    """The configuration is invalid; the message names the file and the field."""
