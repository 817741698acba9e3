"""Turn any failure into a sentence a Slack user can act on.

The command layer already answers in plain words (``reply.text``); this module
covers what happens around it: reading the App Home status, opening a modal,
looking a user up in Slack. Vendor payloads are never echoed: only the error's
own message, which the core builds without secrets.
"""

from __future__ import annotations

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)

UNEXPECTED = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "The details are in the Switchboard log; please tell your admin if it keeps happening."
)


def friendly_error(error: BaseException) -> str:  # noqa: PLR0911 - one answer per kind
    """Return the plain-words answer for ``error``."""
    if not isinstance(error, SwitchboardError):
        return UNEXPECTED
    if isinstance(error, SwitchboardTimeoutError):
        wait = f" in {error.timeout:g} s" if error.timeout else ""
        return f"The PBX did not answer{wait}. Nothing was changed; please try again in a moment."
    if isinstance(error, SwitchboardConnectionError):
        return "The PBX cannot be reached right now. Nothing was changed; please try again later."
    if isinstance(error, SwitchboardPermissionError):
        return f"The PBX does not allow this for our account: {error.message}"
    if isinstance(error, SwitchboardAuthError):
        return "The PBX refused our credentials. Please ask a Switchboard admin to reconnect the PBX account."
    if isinstance(error, SwitchboardRateLimitError):
        wait = f" in {error.retry_after:g} s" if error.retry_after else " in a minute"
        return f"The PBX asked us to slow down. Please try again{wait}."
    if isinstance(
        error,
        SwitchboardUnsupportedError
        | SwitchboardPolicyError
        | SwitchboardInvalidInputError
        | SwitchboardNotFoundError,
    ):
        # These messages are written for users already ("MiRTA cannot ...").
        return error.message
    if isinstance(error, SwitchboardConfigError):
        return f"Switchboard is not configured correctly: {error.message}"
    return f"The PBX answered something we could not understand: {error.message}"
