"""Telphin's table for non-2xx answers: ``{"message"}`` / ``status`` → the error tree.

Used as the core Transport's ``error_mapper``; answers it does not know fall back
to the generic status table. Vendor messages are redacted and shortened before
they reach an error, and the body is never quoted beyond that.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import ValidationError

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
)
from switchboard.core.redaction import redact_text
from switchboard.core.transport import parse_retry_after, wait_hint
from switchboard.plugins.telphin.const import (
    DISPLAY_NAME,
    PERMISSION_STATUSES,
    RATE_LIMIT_STATUS,
    TOKEN_PATH,
    VENDOR,
)
from switchboard.plugins.telphin.models import ErrorBody

if TYPE_CHECKING:
    import httpx

_MAX_DETAIL = 120
# OAuth2 error codes that mean "these client credentials are wrong".
_BAD_CLIENT = frozenset({"invalid_client", "unauthorized_client", "invalid_grant"})


def error_body(response: httpx.Response) -> ErrorBody:
    """Decode an error body, or an empty one when it is not the usual JSON object."""
    try:
        return ErrorBody.model_validate(json.loads(response.content))
    except (ValueError, ValidationError):
        return ErrorBody()


def _detail(body: ErrorBody) -> str:
    text = redact_text(body.message or "").strip()
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return f" ({text})" if text else ""


def _is_token_request(response: httpx.Response) -> bool:
    try:
        return response.request.url.path.endswith(TOKEN_PATH)
    except RuntimeError:  # a response built without a request
        return False


# What the quota message says when Telphin sent no X-RateLimit-Reset: the quota
# is hourly (vendor-apis.md §4.4, the Ringme API rules page), so the wait is at
# most the rest of the hour.
QUOTA_RESET_UNKNOWN = " It resets within the hour; try again then."


def rate_limit_error(
    response: httpx.Response, body: ErrorBody
) -> SwitchboardRateLimitError:
    """Build the rate-limit error; the hourly quota carries ``X-RateLimit-Reset``."""
    if (body.status or "").lower() == RATE_LIMIT_STATUS:
        reset = parse_retry_after(response.headers.get("X-RateLimit-Reset"))
        limit = response.headers.get("X-RateLimit-Limit")
        quota = f" ({limit} requests per hour)" if limit and limit.isdigit() else ""
        # Without the reset header, the most it can be is the rest of the hour.
        when = wait_hint(reset) or QUOTA_RESET_UNKNOWN
        msg = f"{DISPLAY_NAME}'s hourly request quota is used up{quota}.{when}"
        return SwitchboardRateLimitError(msg, vendor=VENDOR, retry_after=reset)
    # The other 429: one statistics request at a time (vendor-apis.md §4.4).
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    when = wait_hint(retry_after) or " Try again in a few seconds."
    msg = f"{DISPLAY_NAME} is busy with another request of this kind{_detail(body)}.{when}"
    return SwitchboardRateLimitError(msg, vendor=VENDOR, retry_after=retry_after)


def map_error(response: httpx.Response) -> SwitchboardError | None:  # noqa: PLR0911 - one return per row
    """Map one non-2xx Telphin answer to the error tree (``None``: generic table)."""
    status = response.status_code
    body = error_body(response)
    reason = (body.status or body.error or "").lower()
    if status == 429:
        return rate_limit_error(response, body)
    if _is_token_request(response) and (status == 401 or reason in _BAD_CLIENT):
        msg = f"{DISPLAY_NAME} refused the application's client ID or client secret."
        return SwitchboardAuthError(msg, vendor=VENDOR, status_code=status)
    if status == 401:
        msg = f"{DISPLAY_NAME} refused a freshly issued access token; check that the application is still allowed on this account."
        return SwitchboardAuthError(msg, vendor=VENDOR, status_code=status)
    if status == 403:
        if reason in PERMISSION_STATUSES or not reason:
            why = f" ({reason})" if reason else ""
            msg = f"{DISPLAY_NAME} does not allow this application to do that{why}."
            return SwitchboardPermissionError(msg, vendor=VENDOR, status_code=status)
        msg = f"{DISPLAY_NAME} refused this account ({reason}); it may be blocked."
        return SwitchboardAuthError(msg, vendor=VENDOR, status_code=status)
    if status == 404:
        msg = f"{DISPLAY_NAME} does not know that object{_detail(body)}."
        return SwitchboardNotFoundError(msg, vendor=VENDOR, status_code=status)
    if status in (400, 422):
        msg = f"{DISPLAY_NAME} rejected the request{_detail(body)}."
        return SwitchboardInvalidInputError(msg, vendor=VENDOR, status_code=status)
    return None
