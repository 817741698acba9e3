"""TelecomX's error table: HTTP status + short code → the Switchboard error tree.

Each wiki page lists its errors as *status + short message* (``404 not_found``,
``404 customer``, ``404 calls``, ``409 calls``, ``422 device``, ``403
access_denied``). The JSON shape of the error body is not documented (§7 T3):
the short code is read from :data:`~switchboard.plugins.telecomx.const.ERROR_MESSAGE_FIELD`
and every row falls back to the status alone. 408, 429 and 5xx are left to
core's generic table, which knows about ``Retry-After``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
)
from switchboard.plugins.telecomx.const import (
    DISPLAY_NAME,
    ERROR_MESSAGE_FIELD,
    TOKEN_ERROR_CODES,
    VENDOR,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

# A short code is a word like `access_denied`; anything else (HTML, a sentence
# that might echo input) is dropped rather than shown to a user.
_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")

# What a 404 code names, in words a user reads ("does not know that customer").
_NOT_FOUND_WORDS = {
    "not_found": "that object",
    "customer": "that customer",
    "extension": "that extension",
    "employee": "that employee",
    "switch": "that switch",
    "calls": "a call in progress on that extension",
}


def error_code(response: httpx.Response) -> str | None:
    """Return the vendor's short error code of ``response``, when it sent one."""
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    value = body.get(ERROR_MESSAGE_FIELD) if isinstance(body, dict) else None
    if isinstance(value, str) and _CODE_RE.match(value):
        return value
    return None


def _suffix(code: str | None) -> str:
    return f" ({code})" if code else ""


def _bad_request(status: int, code: str | None) -> SwitchboardError:
    msg = f"{DISPLAY_NAME} rejected the request as malformed{_suffix(code)}."
    return SwitchboardInvalidInputError(msg, vendor=VENDOR, status_code=status)


def _unauthorized(status: int, code: str | None) -> SwitchboardError:
    msg = (
        f"{DISPLAY_NAME} refused our credentials{_suffix(code)}. "
        "Check the API token (or username and password) in the settings."
    )
    return SwitchboardAuthError(msg, vendor=VENDOR, status_code=status)


def _forbidden(status: int, code: str | None) -> SwitchboardError:
    if code in TOKEN_ERROR_CODES:
        return _unauthorized(status, code)
    msg = (
        f"{DISPLAY_NAME} does not allow this account to do that{_suffix(code)}. "
        "Ask a TelecomX manager or owner for the permission."
    )
    return SwitchboardPermissionError(msg, vendor=VENDOR, status_code=status)


def _not_found(status: int, code: str | None) -> SwitchboardError:
    if code == "calls":
        msg = f"{DISPLAY_NAME} found no call in progress on that extension."
    else:
        what = _NOT_FOUND_WORDS.get(
            code or "", f"that {code}" if code else "that object"
        )
        msg = f"{DISPLAY_NAME} does not know {what}."
    return SwitchboardNotFoundError(msg, vendor=VENDOR, status_code=status)


def _conflict(status: int, code: str | None) -> SwitchboardError:
    if code == "calls":
        msg = f"{DISPLAY_NAME} says the call is not being recorded."
    else:
        msg = f"{DISPLAY_NAME} refused because of the current state{_suffix(code)}."
    return SwitchboardInvalidInputError(msg, vendor=VENDOR, status_code=status)


def _unprocessable(status: int, code: str | None) -> SwitchboardError:
    if code:
        msg = f"{DISPLAY_NAME} rejected the value of '{code}'."
    else:
        msg = f"{DISPLAY_NAME} rejected one of the values sent."
    return SwitchboardInvalidInputError(msg, vendor=VENDOR, status_code=status)


ERROR_TABLE: dict[int, Callable[[int, str | None], SwitchboardError]] = {
    400: _bad_request,
    401: _unauthorized,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    422: _unprocessable,
}
"""Status → error builder. Statuses not listed fall back to core's generic table."""


def error_mapper(response: httpx.Response) -> SwitchboardError | None:
    """Map a non-2xx TelecomX answer; ``None`` lets core's generic table decide."""
    builder = ERROR_TABLE.get(response.status_code)
    if builder is None:
        return None
    return builder(response.status_code, error_code(response))
