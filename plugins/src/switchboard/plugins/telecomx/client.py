"""Async client of the TelecomX REST API, one typed method per call.

Everything goes through :meth:`TelecomXClient._request`, which attaches the
token (§7 T1), sends through core's :class:`~switchboard.core.transport.Transport`, logs in
again once when a login token is rejected, and decodes the JSON body. Ids are
checked as 24-hex before any request (§3.2). Reads are retried; every call that
changes state is sent exactly once (``idempotent=False``): the caller, not the
transport, decides whether to try again.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from switchboard.core.client import VendorClient
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardInvalidInputError,
)
from switchboard.core.redaction import redact_url
from switchboard.core.responses import parse_json, validate
from switchboard.core.transport import DEFAULT_TIMEOUT, RetryPolicy, Transport
from switchboard.plugins.telecomx.auth import LoginAuth, StaticTokenAuth, TokenAuth
from switchboard.plugins.telecomx.const import (
    DEFAULT_URL,
    DISPLAY_NAME,
    NO_ANSWER_TIMEOUT_MAX,
    NO_ANSWER_TIMEOUT_MIN,
    NUMBER_RE,
    OBJECT_ID_RE,
    PRESENCE_FIELD,
    SWITCH_NAME_RE,
    TOKEN_QUERY_PARAM,
    VENDOR,
)
from switchboard.plugins.telecomx.errors import error_mapper
from switchboard.plugins.telecomx.models import (
    AppRecord,
    CallActionResult,
    DndResult,
    EmployeeRecord,
    ExtensionDetail,
    OnDemandRecordingResult,
    PbxSettings,
    PhoneType,
    PresenceState,
    RedirectResult,
    Switch,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx
    from pydantic import SecretStr

    from switchboard.plugins.telecomx.models import BusyUpdate, NoAnswerUpdate

T = TypeVar("T")

Query = list[tuple[str, str]]

# The DND call names the phone by kind: exactly one of sip= / mvno= / external=.
_DND_PARAM = {
    PhoneType.SIP: "sip",
    PhoneType.MVNO: "mvno",
    PhoneType.EXTERNAL: "external",
}


def _flag(value: bool) -> str:  # noqa: FBT001 - a converter, not an option
    return "true" if value else "false"


def _shown(value: str) -> str:
    """Quote user input in a message, cut short so a message stays readable."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


def check_object_id(value: str, what: str) -> str:
    """Return ``value`` if it is a TelecomX id (24 hex characters).

    Raises:
        SwitchboardInvalidInputError: It is not, so no request is sent.
    """
    if not isinstance(value, str) or not OBJECT_ID_RE.match(value):
        shown = _shown(value) if isinstance(value, str) else type(value).__name__
        msg = f"{shown} is not a {DISPLAY_NAME} {what} id (24 hexadecimal characters)."
        raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
    return value


def check_number(value: str, what: str = "phone number") -> str:
    """Return ``value`` if it looks like a dialable number (``+4570305050``, ``101``)."""
    cleaned = value.replace(" ", "") if isinstance(value, str) else ""
    if not NUMBER_RE.match(cleaned):
        shown = _shown(value) if isinstance(value, str) else type(value).__name__
        msg = f"{shown} is not a {what} {DISPLAY_NAME} can dial: use digits, optionally starting with +."
        raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
    return cleaned


def check_switch_name(name: str) -> str:
    """Return ``name`` if it is a valid switch name (optionally ``SHARED:`` / ``<id>:``)."""
    if not isinstance(name, str) or not SWITCH_NAME_RE.match(name):
        shown = _shown(name) if isinstance(name, str) else type(name).__name__
        msg = (
            f"{shown} is not a {DISPLAY_NAME} switch name: up to 50 letters, digits, "
            "'_' or '-', optionally after 'SHARED:' or an employee id and ':'."
        )
        raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
    return name


class TelecomXClient(VendorClient):
    """The TelecomX API, 1:1.

    Args:
        url: API base URL.
        api_token: An employee API token (the default way to authenticate).
        username: Login name, when logging in instead of using an API token.
        password: Login password.
        timeout: Seconds one request may take.
        retry: Retry policy for reads.
        http_client: A client to borrow (never closed here).
        clock: Monotonic seconds, for the login token's lifetime (tests).
    """

    def __init__(  # noqa: PLR0913 - keyword configuration
        self,
        url: str = DEFAULT_URL,
        *,
        api_token: SecretStr | None = None,
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        secrets = [s.get_secret_value() for s in (api_token, password) if s is not None]
        super().__init__(
            Transport(
                url,
                vendor=VENDOR,
                display_name=DISPLAY_NAME,
                timeout=timeout,
                retry=retry,
                http_client=http_client,
                secrets=secrets,
                error_mapper=error_mapper,
            )
        )
        self._auth: TokenAuth
        if api_token is not None:
            self._auth = StaticTokenAuth(api_token)
        elif username and password is not None:
            self._auth = LoginAuth(self._transport, username, password, clock=clock)
        else:
            msg = f"{DISPLAY_NAME} needs an API token, or a username and a password."
            raise SwitchboardConfigError(msg, vendor=VENDOR)

    def __repr__(self) -> str:
        return f"TelecomXClient(url={redact_url(self._transport.base_url)!r}, auth={self._auth!r})"

    @property
    def auth(self) -> TokenAuth:
        """Where the token comes from."""
        return self._auth

    # -- the chokepoint --------------------------------------------------------

    async def _request(  # noqa: PLR0913 - all keyword but method and path
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Query | None = None,
        json: Any = None,
        shared: bool = False,
    ) -> Any:
        """Send one request with the token attached; return the decoded JSON body.

        ``shared`` marks a bulk read that identical reads in flight may share.
        """
        for attempt in range(2):
            token = await self._auth.token()
            query = [*(params or []), (TOKEN_QUERY_PARAM, token)]
            try:
                response = await self._transport.request(
                    method,
                    path,
                    idempotent=idempotent,
                    params=query,
                    json=json,
                    shared=shared,
                )
            except SwitchboardAuthError as err:
                # A login token may die before its announced expiry (server
                # restart, logout elsewhere). The PBX refused the request, so
                # nothing happened: log in again and send it once more.
                if attempt or not err.reauth_needed or not self._auth.renewable:
                    raise
                self._auth.invalidate(token)
                continue
            return parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _parse(model: type[T], data: Any, what: str) -> T:
        return validate(
            model, data, vendor=VENDOR, display_name=DISPLAY_NAME, what=what
        )

    # -- settings --------------------------------------------------------------

    async def get_settings(self, customer_id: str | None = None) -> PbxSettings:
        """Return the PBX settings (``GET /pbx/settings[/{customer}]``).

        ``customer_id`` is for RESELLER/ADMIN accounts; others get ``403``.
        """
        path = "/pbx/settings"
        if customer_id is not None:
            path += f"/{check_object_id(customer_id, 'customer')}"
        data = await self._request("GET", path, idempotent=True)
        return self._parse(PbxSettings, data, "settings answer")

    # -- extensions --------------------------------------------------------------

    async def get_extension(
        self,
        extension_id: str,
        *,
        expand_goto: bool = False,
        include_phones: bool = False,
    ) -> ExtensionDetail:
        """Return one extension (``GET /pbx/extension/{id}``), with its phones on request."""
        check_object_id(extension_id, "extension")
        params: Query = []
        if expand_goto:
            params.append(("expandGoto", "true"))
        if include_phones:
            params.append(("includePhones", "true"))
        # A pure read: identical reads in flight share one request (status of one
        # extension asked by many at once).
        data = await self._request(
            "GET",
            f"/pbx/extension/{extension_id}",
            idempotent=True,
            params=params,
            shared=True,
        )
        return self._parse(ExtensionDetail, data, "extension")

    async def update_extension(
        self,
        extension_id: str,
        *,
        no_answer: NoAnswerUpdate | None = None,
        busy: BusyUpdate | None = None,
    ) -> ExtensionDetail:
        """Change busy / no-answer handling (``POST /pbx/extension/{id}``).

        Raises:
            SwitchboardInvalidInputError: Nothing to change, or ``no_answer.timeout``
                is outside 5-60 seconds.
        """
        check_object_id(extension_id, "extension")
        body: dict[str, object] = {}
        if no_answer is not None:
            timeout = no_answer.timeout
            if timeout is not None and not (
                NO_ANSWER_TIMEOUT_MIN <= timeout <= NO_ANSWER_TIMEOUT_MAX
            ):
                msg = (
                    f"The no-answer timeout must be {NO_ANSWER_TIMEOUT_MIN}-"
                    f"{NO_ANSWER_TIMEOUT_MAX} seconds, not {timeout}."
                )
                raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
            body["noAnswer"] = no_answer.body()
        if busy is not None:
            body["busy"] = busy.body()
        if not body:
            msg = "Nothing to change: give the no-answer or the busy settings."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        data = await self._request(
            "POST", f"/pbx/extension/{extension_id}", idempotent=False, json=body
        )
        return self._parse(ExtensionDetail, data, "extension")

    async def set_phone_dnd(
        self,
        extension_id: str,
        phone_type: PhoneType,
        phone_id: str,
        *,
        state: bool,
    ) -> DndResult:
        """Switch DND of one phone (``GET /pbx/extension/{id}/dnd``).

        ``state`` is always sent: without it the PBX *toggles*, and a repeated
        toggle would undo itself.
        """
        check_object_id(extension_id, "extension")
        check_object_id(phone_id, "phone")
        kind = _DND_PARAM.get(phone_type)
        if kind is None:
            msg = f"{DISPLAY_NAME} cannot switch DND on a phone of unknown kind."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        data = await self._request(
            "GET",
            f"/pbx/extension/{extension_id}/dnd",
            idempotent=False,
            params=[(kind, phone_id), ("state", _flag(state))],
        )
        return self._parse(DndResult, data, "DND answer")

    async def set_redirect(
        self, extension_id: str, number: str | None
    ) -> RedirectResult:
        """Forward all calls to ``number``, or stop forwarding when ``None``.

        ``GET /pbx/extension/{id}/redirect?enable=…&number=…``.
        """
        check_object_id(extension_id, "extension")
        params: Query = [("enable", _flag(number is not None))]
        if number is not None:
            params.append(("number", check_number(number, "forwarding number")))
        data = await self._request(
            "GET",
            f"/pbx/extension/{extension_id}/redirect",
            idempotent=False,
            params=params,
        )
        return self._parse(RedirectResult, data, "redirect answer")

    # -- calls -------------------------------------------------------------------

    async def call(self, device: str, target: str) -> CallActionResult:
        """Click-to-dial: ring ``device`` (a phone id), then call ``target``.

        ``target`` is an extension id or a number. Never retried: a retry could
        place the call twice.
        """
        check_object_id(device, "phone")
        if not OBJECT_ID_RE.match(target or ""):
            target = check_number(target, "destination")
        data = await self._request(
            "GET",
            "/pbx/app/action/call",
            idempotent=False,
            params=[("device", device), ("target", target)],
        )
        return self._parse(CallActionResult, data, "call answer")

    async def set_ondemand_recording(
        self, extension_id: str, *, enabled: bool
    ) -> OnDemandRecordingResult:
        """Start or stop recording the extension's ongoing call.

        Sends ``mode=ENABLE`` or ``DISABLE``, never ``TOGGLE``.

        Raises:
            SwitchboardNotFoundError: No call in progress (``404 calls``).
            SwitchboardInvalidInputError: Stopping a call that is not being
                recorded (``409 calls``).
        """
        check_object_id(extension_id, "extension")
        data = await self._request(
            "GET",
            "/pbx/recording/ondemand",
            idempotent=False,
            params=[
                ("extension", extension_id),
                ("mode", "ENABLE" if enabled else "DISABLE"),
            ],
        )
        return self._parse(OnDemandRecordingResult, data, "recording answer")

    # -- switches ----------------------------------------------------------------

    async def list_switches(self, customer_id: str | None = None) -> list[Switch]:
        """Return every switch (``GET /pbx/switch[?customer=]``)."""
        params: Query = []
        if customer_id is not None:
            params.append(("customer", check_object_id(customer_id, "customer")))
        data = await self._request("GET", "/pbx/switch", idempotent=True, params=params)
        return self._parse(list[Switch], data, "switch list")

    async def get_switch(self, name: str) -> Switch:
        """Return one switch (``GET /pbx/switch/{NAME}``)."""
        path = f"/pbx/switch/{quote(check_switch_name(name), safe=':')}"
        data = await self._request("GET", path, idempotent=True)
        return self._parse(Switch, data, "switch")

    async def set_switch(
        self, name: str, *, value: bool, customer_id: str | None = None
    ) -> Switch:
        """Set a switch on or off (``GET /pbx/switch/{NAME}?value=``).

        With ``customer_id`` (resellers) it is ``POST /pbx/switch/{NAME}``
        ``{value, customer}``, the documented form that names the customer.
        """
        path = f"/pbx/switch/{quote(check_switch_name(name), safe=':')}"
        if customer_id is not None:
            body = {
                "value": value,
                "customer": check_object_id(customer_id, "customer"),
            }
            data = await self._request("POST", path, idempotent=False, json=body)
        else:
            data = await self._request(
                "GET", path, idempotent=False, params=[("value", _flag(value))]
            )
        return self._parse(Switch, data, "switch")

    # -- employees ---------------------------------------------------------------

    async def list_employees(
        self,
        *,
        calls: bool = False,
        standalone: bool = True,
        ids: list[str] | None = None,
    ) -> list[AppRecord]:
        """Return employees with presence, extensions, phones (and current calls).

        ``GET /pbx/app/employees``: one request for the whole customer, the bulk
        call behind extension status. ``calls=true`` needs the group permission
        ``viewOtherParty``; ``standalone=true`` adds extensions without employee.
        """
        params: Query = [("ids", check_object_id(i, "employee")) for i in ids or []]
        if calls:
            params.append(("calls", "true"))
        if standalone:
            params.append(("standalone", "true"))
        data = await self._request(
            "GET", "/pbx/app/employees", idempotent=True, params=params, shared=True
        )
        return self._parse(list[AppRecord], data, "employee list")

    async def set_employee_presence(
        self, employee_id: str, presence: PresenceState
    ) -> EmployeeRecord:
        """Set an employee's presence (``POST /employee/{id}``, partial update).

        The field name is not documented: it is :data:`PRESENCE_FIELD` (§7 T2).
        """
        check_object_id(employee_id, "employee")
        if presence is PresenceState.UNKNOWN:
            msg = f"{DISPLAY_NAME} presence must be WORK, OFF_WORK, HOLIDAY or BUSY."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        data = await self._request(
            "POST",
            f"/employee/{employee_id}",
            idempotent=False,
            json={PRESENCE_FIELD: presence.value},
        )
        return self._parse(EmployeeRecord, data, "employee")
