"""The chokepoint of the PBXware client: its transport and in-band errors.

Every call is ``GET /?apikey=…&action=pbxware.<object>.<method>&…`` (``API_PATH``)
and goes through :meth:`PbxwareApi._request`, the one place that talks to the
core :class:`~switchboard.core.transport.Transport` and detects PBXware's in-band errors
(HTTP 200 with ``{"error": "…"}``); the lifecycle (``aclose``, ``async with``)
comes from :class:`~switchboard.core.client.VendorClient`. The endpoints live in
:mod:`switchboard.plugins.pbxware.client`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from switchboard.core.client import VendorClient
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardResponseError,
)
from switchboard.core.redaction import get_logger, redact_text, redact_url
from switchboard.core.responses import parse_json, validate
from switchboard.core.transport import DEFAULT_TIMEOUT, RetryPolicy, Transport
from switchboard.plugins.pbxware.const import (
    API_PATH,
    DISPLAY_NAME,
    INVALID_API_KEY_ERROR,
    READ_METHOD,
    SETTER_METHOD,
    VENDOR,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    import httpx

_LOGGER = get_logger(__name__)
_T = TypeVar("_T")
_MAX_ERROR_TEXT = 200


def yes_no(value: bool) -> str:  # noqa: FBT001 - a pure encoder
    """Encode a flag as PBXware's ``yes``/``no``."""
    return "yes" if value else "no"


def zero_one(value: bool) -> str:  # noqa: FBT001 - a pure encoder
    """Encode a flag as PBXware's ``1``/``0``."""
    return "1" if value else "0"


def invalid_input(message: str) -> SwitchboardInvalidInputError:
    """Build the error for input refused before anything is sent."""
    return SwitchboardInvalidInputError(message, vendor=VENDOR)


class PbxwareApi(VendorClient):
    """The connection to one PBXware: every request goes through ``_request``.

    Args:
        url: Scheme and host of the PBXware (``https://pbx.example.com``).
        api_key: The API key (Admin Settings: API key). Never logged or shown.
        timeout: Seconds one request may take.
        max_retries: Retries of idempotent requests.
        http_client: An ``httpx.AsyncClient`` to borrow (never closed here).
        sleep: Injected for tests (retry back-off).
    """

    def __init__(  # noqa: PLR0913 - keyword configuration
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
        super().__init__(
            Transport(
                url,
                vendor=VENDOR,
                display_name=DISPLAY_NAME,
                timeout=timeout,
                retry=RetryPolicy(max_retries=max_retries),
                http_client=http_client,
                auth_params={"apikey": api_key},
                error_mapper=self._map_status,
                **extra,
            )
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={redact_url(self._transport.base_url)!r})"

    # -- the one chokepoint ------------------------------------------------------

    async def _request(
        self,
        action: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        idempotent: bool,
        setter: bool = False,
    ) -> Any:
        """Call ``pbxware.<action>`` and return its decoded, error-free JSON.

        Raises:
            SwitchboardError: Transport failures, an empty or non-JSON body, or
                PBXware's in-band ``{"error": …}`` mapped to the error tree.
        """
        query: list[tuple[str, str]] = [("action", f"pbxware.{action}"), *params]
        method = SETTER_METHOD if setter else READ_METHOD
        if method == "POST":
            form: dict[str, list[str]] = {}
            for name, value in query:
                form.setdefault(name, []).append(value)
            response = await self._transport.request(
                method, API_PATH, idempotent=idempotent, data=form
            )
        else:
            # Reads (never setters, even over GET) may share one request.
            response = await self._transport.request(
                method, API_PATH, idempotent=idempotent, params=query, shared=not setter
            )
        if not response.content.strip():
            msg = f"{DISPLAY_NAME} sent an empty answer to {action}."
            raise SwitchboardResponseError(msg, vendor=VENDOR, status_code=200)
        data = parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)
        if isinstance(data, dict) and "error" in data:
            raise self._in_band_error(action, data["error"])
        _LOGGER.debug("%s answered %s", DISPLAY_NAME, action)
        return data

    def _validate(self, model: type[_T], data: Any, action: str) -> _T:
        return validate(
            model,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what=f"answer to {action}",
        )

    @staticmethod
    def _in_band_error(action: str, error: Any) -> SwitchboardError:
        """Map PBXware's ``{"error": "<text>"}`` (sent with HTTP 200)."""
        # Only a string is quoted back: anything else could carry payload data.
        text = (
            redact_text(error.strip())[:_MAX_ERROR_TEXT]
            if isinstance(error, str)
            else ""
        )
        lowered = text.lower()
        # Only "Invalid API key." is documented; other key trouble (suspended,
        # IP not allowed) is matched loosely, permissions before the key itself.
        permission = "permission" in lowered or "not allowed" in lowered
        if text != INVALID_API_KEY_ERROR and permission:
            msg = f"{DISPLAY_NAME} does not allow this API key to use {action}: {text}"
            return SwitchboardPermissionError(msg, vendor=VENDOR, status_code=200)
        if text == INVALID_API_KEY_ERROR or "api key" in lowered:
            msg = (
                f"{DISPLAY_NAME} refused the API key ({text}). Check the key in "
                "PBXware's Admin Settings: API key; unused keys can be suspended "
                "automatically."
            )
            return SwitchboardAuthError(msg, vendor=VENDOR, status_code=200)
        if any(hint in lowered for hint in ("not found", "does not exist", "no such")):
            msg = f"{DISPLAY_NAME} could not find what {action} asked for: {text}"
            return SwitchboardNotFoundError(msg, vendor=VENDOR, status_code=200)
        msg = f"{DISPLAY_NAME} refused {action}: {text or 'no reason given'}"
        return SwitchboardResponseError(msg, vendor=VENDOR, status_code=200)

    def _map_status(self, response: httpx.Response) -> SwitchboardError | None:
        """Refine the generic HTTP status table for PBXware."""
        if response.status_code == 404:
            # Every call goes to one script, so a 404 means a wrong URL.
            where = redact_url(f"{self._transport.base_url}{API_PATH}")
            msg = (
                f"There is no {DISPLAY_NAME} API at {where} (HTTP 404). Check the URL."
            )
            err = SwitchboardConnectionError(msg, vendor=VENDOR)
            err.status_code = 404
            return err
        return None
