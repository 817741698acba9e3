"""Async client of the Telphin (Ringme platform) API, 1:1 with the calls Switchboard uses.

Every request goes through :meth:`TelphinClient._request`, which adds the bearer
token and the mandatory ``Accept-Encoding: gzip``, renews the token once on a
401 and replays the request once (a 401 is refused before anything happens, so
the replay is safe even for click-to-dial), and decodes the JSON body. Errors
come from :mod:`switchboard.plugins.telphin.errors` via the core Transport's error mapper.

Reads are retried by the Transport unless a caller passes ``retry=False`` (the
backend does, for reads that prepare a write: an action is tried once, all its
steps). Writes -- ``PUT .../phone/`` and ``POST .../callback/`` -- are never
retried.
"""

from __future__ import annotations

import re
import time
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from switchboard.core.client import VendorClient
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardInvalidInputError,
    SwitchboardResponseError,
)
from switchboard.core.responses import parse_json, validate
from switchboard.core.transport import DEFAULT_TIMEOUT, RetryPolicy, Transport
from switchboard.plugins.telphin.auth import TelphinAuth
from switchboard.plugins.telphin.const import (
    ACCEPT_ENCODING,
    API_PREFIX,
    CLIENT_PATH,
    DISPLAY_NAME,
    MAX_PAGES,
    PAGE_SIZE,
    PHONE_EVENT_DELETE_PATH,
    PHONE_EVENTS_PATH,
    RATE_LIMIT_MAX_WAIT_S,
    TOKEN_PATH,
    VENDOR,
    WEBHOOK_METHOD,
)
from switchboard.plugins.telphin.errors import map_error
from switchboard.plugins.telphin.models import (
    CallbackRequest,
    CallbackResult,
    CallStatus,
    ClientInfo,
    CurrentCall,
    Extension,
    PhoneEventRegistration,
    PhoneProperties,
    RegInfo,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    import httpx


T = TypeVar("T")

# Extension ids are numbers; ``@me`` is the authenticated extension user.
_EXTENSION_ID = re.compile(r"^(?:\d{1,18}|@me)$")


def check_extension_id(extension_id: str) -> str:
    """Return ``extension_id`` if it can go into a path, else raise the input error."""
    if not _EXTENSION_ID.match(extension_id):
        msg = f"{extension_id!r} is not a {DISPLAY_NAME} extension id (a number)."
        raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
    return extension_id


class TelphinClient(VendorClient):
    """Talks to one Telphin account as a trusted application (client credentials).

    Args:
        base_url: Scheme and host, e.g. ``https://apiproxy.telphin.ru``.
        client_id: The application's App ID.
        client_secret: The application's App Secret.
        timeout: Seconds one attempt may take.
        max_retries: Retries of reads after the first attempt.
        http_client: A client to borrow (never closed here).
        clock: Monotonic seconds for token expiry; injected by tests.
        sleep: Backoff sleep; injected by tests.
    """

    def __init__(  # noqa: PLR0913 - keyword configuration
        self,
        base_url: str,
        *,
        client_id: str,
        client_secret: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        host = base_url.rstrip("/")
        extra: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        super().__init__(
            Transport(
                f"{host}{API_PREFIX}",
                vendor=VENDOR,
                display_name=DISPLAY_NAME,
                timeout=timeout,
                retry=RetryPolicy(
                    max_retries=max_retries, max_retry_after=RATE_LIMIT_MAX_WAIT_S
                ),
                http_client=http_client,
                secrets=[client_secret],
                headers={
                    "Accept": "application/json",
                    "Accept-Encoding": ACCEPT_ENCODING,
                },
                error_mapper=map_error,
                **extra,
            )
        )
        self.auth = TelphinAuth(
            self._transport,
            token_url=f"{host}{TOKEN_PATH}",
            client_id=client_id,
            client_secret=client_secret,
            clock=clock,
        )

    # -- the chokepoint ----------------------------------------------------------

    async def _request(  # noqa: PLR0913 - all keyword but method and path
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        shared: bool = False,
        bodiless: bool = False,
    ) -> Any:
        """Send one authorised request and return its decoded JSON body.

        ``shared`` marks a list read that identical reads in flight may share;
        ``bodiless`` a DELETE, answered ``204`` without a body ([RAL-errors]).
        """
        token = await self.auth.get_token()
        send = partial(
            self._send, method, path, idempotent=idempotent, params=params, json=json
        )
        try:
            response = await send(token, shared=shared)
        except SwitchboardAuthError as err:
            if err.status_code != 401:
                raise  # 403: the token is fine, the action is not allowed
            # Expired or revoked before expires_in ran out: renew once, replay once.
            self.auth.invalidate(token)
            token = await self.auth.get_token()
            response = await send(token, shared=shared)
        if bodiless:
            return None
        return parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)

    async def _send(  # noqa: PLR0913 - the request, spelled out
        self,
        method: str,
        path: str,
        token: str,
        *,
        idempotent: bool,
        params: Mapping[str, Any] | None,
        json: Any,
        shared: bool,
    ) -> httpx.Response:
        return await self._transport.request(
            method,
            path,
            idempotent=idempotent,
            params=params,
            json=json,
            headers={"Authorization": f"Bearer {token}"},
            shared=shared,
        )

    def _validate(self, model: type[T], data: Any, what: str) -> T:
        return validate(
            model, data, vendor=VENDOR, display_name=DISPLAY_NAME, what=what
        )

    async def _get_pages(
        self, path: str, params: Mapping[str, Any], *, retry: bool
    ) -> list[Any]:
        """Read every page of a list endpoint (``page`` from 1, ``per_page``)."""
        items: list[Any] = []
        previous: list[Any] | None = None
        for page in range(1, MAX_PAGES + 1):
            data = await self._request(
                "GET",
                path,
                idempotent=retry,
                params={**params, "page": page, "per_page": PAGE_SIZE},
                shared=True,
            )
            chunk = self._validate(list[Any], data, "list")
            if chunk == previous:
                # The server ignores ``page``: this page is the last one again.
                return items
            items.extend(chunk)
            # Fewer rows is the last page; more means ``per_page`` was ignored
            # and the whole list came at once. Reading on would burn the quota.
            if len(chunk) != PAGE_SIZE:
                return items
            previous = chunk
        msg = f"{DISPLAY_NAME} kept sending full pages after {MAX_PAGES} pages; giving up."
        raise SwitchboardResponseError(msg, vendor=VENDOR)

    # -- client ----------------------------------------------------------------------

    async def get_client_info(self) -> ClientInfo:
        """Return the account (client) the application is connected to."""
        data = await self._request("GET", CLIENT_PATH, idempotent=True)
        return self._validate(ClientInfo, data, "client")

    async def list_extensions(
        self, *, extension_type: str = "phone", retry: bool = True
    ) -> list[Extension]:
        """Return every extension of the given type, all pages read."""
        rows = await self._get_pages(
            "/client/@me/extension/", {"type": extension_type}, retry=retry
        )
        return self._validate(list[Extension], rows, "extension list")

    async def list_call_statuses(self, *, retry: bool = True) -> list[CallStatus]:
        """Return the extension call statuses the account can assign."""
        data = await self._request(
            "GET", "/client/@me/extension/call_status/", idempotent=retry
        )
        return self._validate(list[CallStatus], data, "call status list")

    async def list_current_calls(self, *, retry: bool = True) -> list[CurrentCall]:
        """Return the calls in progress on every phone extension of the account."""
        data = await self._request(
            "GET", "/client/@me/current_calls/", idempotent=retry, shared=True
        )
        return self._validate(list[CurrentCall], data, "current call list")

    async def list_registrations(self, *, retry: bool = True) -> list[RegInfo]:
        """Return the SIP registration state of every phone extension, all pages read."""
        rows = await self._get_pages("/extension/registration/", {}, retry=retry)
        return self._validate(list[RegInfo], rows, "registration list")

    # -- one extension -------------------------------------------------------------

    async def get_phone(
        self, extension_id: str, *, retry: bool = True
    ) -> PhoneProperties:
        """Return the phone terminal properties of an extension."""
        path = f"/extension/{check_extension_id(extension_id)}/phone/"
        data = await self._request("GET", path, idempotent=retry, shared=True)
        return self._validate(PhoneProperties, data, "phone terminal")

    async def update_phone(
        self, extension_id: str, changes: PhoneProperties
    ) -> PhoneProperties:
        """Change the phone properties that were set in ``changes``; return the result.

        In a bundle the server also changes the synchronised properties of the
        other extensions, so this write is never retried.
        """
        body = changes.changes()
        if not body:
            msg = "Nothing to change on the phone terminal."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        path = f"/extension/{check_extension_id(extension_id)}/phone/"
        data = await self._request("PUT", path, idempotent=False, json=body)
        return self._validate(PhoneProperties, data, "phone terminal")

    async def set_call_status(
        self, extension_id: str, call_status_id: int | None
    ) -> PhoneProperties:
        """Assign a call status to an extension (``None`` removes it)."""
        return await self.update_phone(
            extension_id, PhoneProperties(call_status_id=call_status_id)
        )

    async def set_external_number(
        self, extension_id: str, number: str | None
    ) -> PhoneProperties:
        """Send the extension's calls to ``number`` (``None`` stops it)."""
        return await self.update_phone(
            extension_id, PhoneProperties(external_number=number)
        )

    async def callback(
        self, extension_id: str, request: CallbackRequest
    ) -> CallbackResult:
        """Place a click-to-dial call (201); never retried, it would ring twice."""
        path = f"/extension/{check_extension_id(extension_id)}/callback/"
        body = request.model_dump(mode="json", exclude_none=True)
        data = await self._request("POST", path, idempotent=False, json=body)
        return self._validate(CallbackResult, data, "click-to-dial answer")

    # -- webhooks of every phone (vendor reference "Webhooks (client-wide)") ----------
    # Telphin page "Global events of all telephone terminals in PBX",
    # https://ucom4b.atlassian.net/wiki/spaces/RACD/pages/247824385.

    async def list_phone_events(self) -> list[PhoneEventRegistration]:
        """Return the client-wide webhooks (``GET /client/@me/phone_events/``)."""
        data = await self._request("GET", PHONE_EVENTS_PATH, idempotent=True)
        return self._validate(
            list[PhoneEventRegistration], data, "client-wide event list"
        )

    async def add_phone_event(
        self, url: str, event_type: str
    ) -> PhoneEventRegistration:
        """Add a webhook to every phone of the PBX (``{url, event_type, method}``).

        Not retried: a lost answer would register it twice (the next setup
        removes any left over, see switchboard.plugins.telphin.webhooks).
        """
        body = {"url": url, "event_type": event_type, "method": WEBHOOK_METHOD}
        data = await self._request(
            "POST", PHONE_EVENTS_PATH, idempotent=False, json=body
        )
        return self._validate(PhoneEventRegistration, data, "client-wide event")

    async def delete_phone_event(self, event_id: int) -> None:
        """Remove a client-wide webhook (inferred path: ``PHONE_EVENT_DELETE_PATH``)."""
        path = PHONE_EVENT_DELETE_PATH.format(event_id=int(event_id))
        await self._request("DELETE", path, idempotent=True, bodiless=True)
