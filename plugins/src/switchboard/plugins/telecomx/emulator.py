"""A stateful emulator of the TelecomX API (paths, JSON shapes, status codes).

It answers the way the wiki documents: HTTP status + short code in the error
body (``{"message": "not_found"}``, §7 T3), 24-hex ids (``400 bad_request``
otherwise), toggling DND when ``state`` is omitted and recording with
``mode=TOGGLE`` (so a client that forgets the explicit state is caught), and
token auth: an employee API token, or ``POST /auth/login`` issuing tokens that
expire after 15 minutes of the emulator's clock. Every change is visible to
later reads.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from switchboard.core.emulator import (
    Emulator,
    Receive,
    Request,
    Response,
    Scope,
    Send,
)
from switchboard.plugins.telecomx.const import (
    ERROR_MESSAGE_FIELD,
    NO_ANSWER_TIMEOUT_MAX,
    NO_ANSWER_TIMEOUT_MIN,
    NUMBER_RE,
    OBJECT_ID_RE,
    PRESENCE_FIELD,
    PRESENCE_VALUES,
    TOKEN_QUERY_PARAM,
    VENDOR,
)
from switchboard.plugins.telecomx.emulator_realtime import RealtimeServer
from switchboard.plugins.telecomx.emulator_seed import CALL_HOST, build_tenant
from switchboard.plugins.telecomx.emulator_views import (
    employee_records,
    expand_gotos,
    phone_owner,
)

if TYPE_CHECKING:
    from collections.abc import Callable

DEMO_API_TOKEN = "sbx-demo-employee-token-7f3a9c21e4b8"
"""The employee API token the demo settings use."""
DEMO_PASSWORD = "demo-password-4570"
"""Password of every seeded employee (username = their e-mail address)."""
LOGIN_TOKEN_MINUTES = 15

_PHONE_PARAMS = {"sip": "SIP", "mvno": "MVNO", "external": "EXTERNAL"}
_PRIVILEGED = frozenset({"RESELLER", "RESELLER_ADMIN", "ADMIN"})
_LIMITED = frozenset({"PERSONAL", "VIEWER"})
_NO_ANSWER_ACTIONS = {
    "extAction": {"NOTHING", "VOICEMAIL", "NUMBER", "GOTO"},
    "intAction": {"NOTHING", "VOICEMAIL", "NUMBER", "GOTO"},
    "mobileAction": {"EXTERNAL", "NOTHING", "VOICEMAIL", "NUMBER", "GOTO"},
}
_BUSY_ACTIONS = {
    "extAction": {"BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE"},
    "intAction": {"BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE", "BARGE"},
    "mobileAction": {"EXTERNAL", "BUSY", "VOICEMAIL", "NUMBER", "GOTO", "QUEUE"},
}


def _error(status: int, code: str) -> Response:
    return Response.json({ERROR_MESSAGE_FIELD: code}, status=status)


def _bool(value: str | None) -> bool | None:
    """Parse ``true``/``false``; ``None`` for anything else."""
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.lower())


@dataclass
class TokenInfo:
    """Who a token belongs to and until when it is valid."""

    access_level: str
    employee: str | None
    expires_at: float | None = None
    view_other_party: bool = True
    """The PBX group permission ``calls=true`` needs (PERSONAL/VIEWER tokens)."""


class TelecomXEmulator(Emulator):
    """The TelecomX API of one customer.

    Args:
        extensions: How many extensions to seed (benchmarks use 1,000).
        seed: Seed of the generated customer.
        clock: Monotonic seconds, for login-token expiry (tests fast-forward it).
    """

    vendor = VENDOR

    def __init__(
        self,
        extensions: int = 24,
        *,
        seed: int = 4570,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.tenant = build_tenant(extensions, seed)
        owner = next(iter(self.tenant.employees), None)
        self.tokens: dict[str, TokenInfo] = {DEMO_API_TOKEN: TokenInfo("OWNER", owner)}
        self.logins: dict[str, str] = {
            e["emailAddress"]: e["_id"] for e in self.tenant.employees.values()
        }
        """Username → employee id; every password is :data:`DEMO_PASSWORD`."""
        self.login_minutes = LOGIN_TOKEN_MINUTES
        """Lifetime of login tokens; -1 issues persistent ones (``persist``)."""
        self._call_counter = 0
        routes: list[tuple[str, str, Any]] = [
            ("POST", "/auth/login", self._login),
            ("GET", "/auth/login", self._login),
            ("GET", "/pbx/settings", self._settings),
            ("GET", "/pbx/settings/{customer}", self._settings),
            ("GET", "/pbx/extension/{ext}", self._extension_get),
            ("POST", "/pbx/extension/{ext}", self._extension_update),
            ("GET", "/pbx/extension/{ext}/dnd", self._dnd),
            ("GET", "/pbx/extension/{ext}/redirect", self._redirect),
            ("GET", "/pbx/app/action/call", self._call),
            ("GET", "/pbx/recording/ondemand", self._ondemand),
            ("GET", "/pbx/switch", self._switch_list),
            ("GET", "/pbx/switch/{name}", self._switch),
            ("POST", "/pbx/switch/{name}", self._switch),
            ("GET", "/pbx/app/employees", self._employees),
            ("POST", "/pbx/app/employees", self._employees),
            ("POST", "/employee/{employee}", self._employee_update),
        ]
        for method, path, handler in routes:
            self.add_route(method, path, handler)
        self.realtime = RealtimeServer(
            self.customer_id,
            lambda token: self.token_info(token) is not None,
            self.in_background,
        )
        """The socket.io realtime feed, served beside the API (``/socket.io/``)."""
        self._asgi = self.realtime.app(super().__call__)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the API and, under ``/socket.io/``, the realtime feed."""
        await self._asgi(scope, receive, send)

    # -- test helpers ----------------------------------------------------------

    @property
    def customer_id(self) -> str:
        """The seeded customer's id."""
        return self.tenant.customer_id

    def issue_token(
        self,
        access_level: str = "OWNER",
        *,
        employee: str | None = None,
        minutes: float | None = None,
        view_other_party: bool = True,
    ) -> str:
        """Create a token (an API token when ``minutes`` is ``None``)."""
        token = secrets.token_hex(16)
        expires = None if minutes is None else self.clock() + minutes * 60
        self.tokens[token] = TokenInfo(
            access_level, employee, expires, view_other_party=view_other_party
        )
        return token

    def revoke_tokens(self) -> None:
        """Invalidate every login token (e.g. a server restart); API tokens stay."""
        self.tokens = {k: v for k, v in self.tokens.items() if v.expires_at is None}

    # -- vendor hooks ------------------------------------------------------------

    async def authenticate(self, request: Request) -> Response | None:
        """Every path outside ``/auth`` needs a valid, unexpired token."""
        if request.path.startswith("/auth/"):
            return None
        info = self._who(request)
        if info is None:
            return _error(401, "invalid_token")
        return None

    def auth_failure_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """A rejected token or login."""
        return _error(401, "invalid_token")

    def rate_limit_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """TelecomX documents no limit (§7 T7); a generic 429 with Retry-After."""
        return Response.json(
            {ERROR_MESSAGE_FIELD: "too_many_requests"},
            status=429,
            headers={"retry-after": "1"},
        )

    def server_error_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """``500 internal_error``, as every wiki page lists."""
        return _error(500, "internal_error")

    def not_found_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """An unknown path."""
        return _error(404, "not_found")

    # -- helpers -------------------------------------------------------------------

    def _who(self, request: Request) -> TokenInfo | None:
        return self.token_info(request.param(TOKEN_QUERY_PARAM) or "")

    def token_info(self, token: str) -> TokenInfo | None:
        """Who ``token`` belongs to; ``None`` when unknown or expired (then forgotten)."""
        info = self.tokens.get(token)
        if info is None:
            return None
        if info.expires_at is not None and self.clock() >= info.expires_at:
            del self.tokens[token]
            return None
        return info

    def _level(self, request: Request) -> str:
        info = self._who(request)
        return info.access_level if info else "NO_LOGIN"

    def _ext(self, request: Request, key: str = "ext") -> dict[str, Any] | Response:
        ext_id = request.path_params.get(key) or request.param("extension") or ""
        if not OBJECT_ID_RE.match(ext_id):
            return _error(400, "bad_request")
        ext = self.tenant.extensions.get(ext_id)
        return ext if ext is not None else _error(404, "not_found")

    def _body(self, request: Request) -> dict[str, Any] | None:
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # -- auth ----------------------------------------------------------------------

    async def _login(self, request: Request) -> Response:
        body = self._body(request) if request.method == "POST" else None
        if body is None:
            body = {k: request.param(k) for k in ("username", "password", "persist")}
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return _error(400, "bad_request")
        employee = self.logins.get(username)
        if employee is None or not secrets.compare_digest(password, DEMO_PASSWORD):
            return _error(401, "login_failed")
        persist = body.get("persist") in (True, "true")
        minutes = -1 if persist else self.login_minutes
        token = self.issue_token(
            "OWNER", employee=employee, minutes=None if minutes == -1 else minutes
        )
        return Response.json(
            {
                "token": token,
                "expiresInMinutes": minutes,
                "employee": employee,
                "customer": self.customer_id,
                "accessLevel": "OWNER",
            }
        )

    # -- settings ------------------------------------------------------------------

    async def _settings(self, request: Request) -> Response:
        customer = request.path_params.get("customer")
        if customer is not None:
            if not OBJECT_ID_RE.match(customer):
                return _error(400, "bad_request")
            if self._level(request) not in _PRIVILEGED:
                return _error(403, "access_denied")
            if customer != self.customer_id:
                return _error(404, "customer")
        return Response.json(self.tenant.settings)

    # -- extensions ----------------------------------------------------------------

    async def _extension_get(self, request: Request) -> Response:
        ext = self._ext(request)
        if isinstance(ext, Response):
            return ext
        info = self._who(request)
        if (
            info
            and info.access_level == "PERSONAL"
            and ext["employee"] != info.employee
        ):
            # PERSONAL users only see the basics of other people's extensions.
            return Response.json(
                {k: ext[k] for k in ("_id", "type", "customer", "name", "number")}
            )
        data: dict[str, Any] = dict(ext)
        if _bool(request.param("expandGoto")):
            data = expand_gotos(self.tenant, data)
        if _bool(request.param("includePhones")):
            data["phones"] = [dict(p) for p in self.tenant.phones[ext["_id"]]]
        return Response.json(data)

    async def _extension_update(self, request: Request) -> Response:
        ext = self._ext(request)
        if isinstance(ext, Response):
            return ext
        body = self._body(request)
        if body is None:
            return _error(400, "bad_request")
        if self._level(request) == "PERSONAL" and ({"noAnswer", "busy"} & set(body)):
            return _error(403, "access_denied")
        for section, actions in (
            ("noAnswer", _NO_ANSWER_ACTIONS),
            ("busy", _BUSY_ACTIONS),
        ):
            changes = body.get(section)
            if changes is None:
                continue
            if not isinstance(changes, dict):
                return _error(422, section)
            for key, allowed in actions.items():
                if key in changes and changes[key] not in allowed:
                    return _error(422, key)
            timeout = changes.get("timeout")
            if "timeout" in changes and not (
                isinstance(timeout, int)
                and NO_ANSWER_TIMEOUT_MIN <= timeout <= NO_ANSWER_TIMEOUT_MAX
            ):
                return _error(422, "timeout")
            ext[section] = {**ext[section], **changes}
        return Response.json(ext)

    async def _dnd(self, request: Request) -> Response:
        ext = self._ext(request)
        if isinstance(ext, Response):
            return ext
        given = [(k, request.param(k)) for k in _PHONE_PARAMS if request.param(k)]
        if len(given) != 1:
            return _error(400, "bad_request")
        kind, phone_id = given[0]
        phone = next(
            (
                p
                for p in self.tenant.phones[ext["_id"]]
                if p["_id"] == phone_id and p["type"] == _PHONE_PARAMS[kind]
            ),
            None,
        )
        if phone is None:
            return _error(404, "not_found")
        raw = request.param("state")
        if raw is None:
            phone["dnd"] = not phone["dnd"]  # the documented toggle
        else:
            state = _bool(raw)
            if state is None:
                return _error(422, "state")
            phone["dnd"] = state
        return Response.json({"dnd": phone["dnd"]})

    async def _redirect(self, request: Request) -> Response:
        ext = self._ext(request)
        if isinstance(ext, Response):
            return ext
        enable = _bool(request.param("enable"))
        if enable is None:
            return _error(422, "enable")
        if enable:
            number = request.param("number") or ""
            if not NUMBER_RE.match(number):
                return _error(422, "number")
            ext["redirect"] = number
        else:
            ext["redirect"] = None
        return Response.json({"state": enable, "number": ext["redirect"]})

    # -- calls ---------------------------------------------------------------------

    async def _call(self, request: Request) -> Response:
        device = request.param("device") or ""
        owner = phone_owner(self.tenant, device) if OBJECT_ID_RE.match(device) else None
        if owner is None:
            return _error(422, "device")
        target = request.param("target") or ""
        if OBJECT_ID_RE.match(target):
            other = self.tenant.extensions.get(target)
            if other is None:
                return _error(422, "target")
            called = other["number"]
        elif NUMBER_RE.match(target):
            called = target
        else:
            return _error(422, "target")
        call_id = self._add_call(
            owner, "OUT", self.tenant.extensions[owner]["number"], called
        )
        return Response.json({"success": True, "_id": call_id})

    async def _ondemand(self, request: Request) -> Response:
        ext = self._ext(request)
        if isinstance(ext, Response):
            return ext
        mode = request.param("mode")
        if mode not in {"ENABLE", "DISABLE", "TOGGLE"}:
            return _error(422, "mode")
        calls = [c for c in self.tenant.calls if c["extension"] == ext["_id"]]
        if not calls:
            return _error(404, "calls")
        if mode == "TOGGLE":
            mode = "DISABLE" if any(c["recording"] for c in calls) else "ENABLE"
        if mode == "DISABLE" and not any(c["recording"] for c in calls):
            return _error(409, "calls")
        for call in calls:
            call["recording"] = mode == "ENABLE"
        return Response.json({"success": True, "mode": mode})

    # -- switches ------------------------------------------------------------------

    async def _switch_list(self, request: Request) -> Response:
        customer = request.param("customer")
        if customer is not None and customer != self.customer_id:
            if not OBJECT_ID_RE.match(customer):
                return _error(400, "bad_request")
            if self._level(request) not in _PRIVILEGED:
                return _error(403, "access_denied")
            return _error(404, "customer")
        return Response.json(list(self.tenant.switches.values()))

    async def _switch(self, request: Request) -> Response:
        name = request.path_params["name"]
        switch = self.tenant.switches.get(name)
        if switch is None:
            return _error(404, "not_found")
        raw: Any = request.param("value")
        if request.method == "POST":
            body = self._body(request)
            if body is None:
                return _error(400, "bad_request")
            raw = body.get("value")
            customer = body.get("customer")
            if customer is not None and customer != self.customer_id:
                # One customer is emulated: any other is unknown, as on the list.
                return _error(404, "customer")
        if raw is None:
            return Response.json(switch)
        value = raw if isinstance(raw, bool) else _bool(str(raw))
        if value is None:
            return _error(422, "value")
        info = self._who(request)
        if info and info.access_level in _LIMITED:
            # PERSONAL/VIEWER may only set SHARED: and their own switches.
            prefix = name.split(":", 1)[0] if ":" in name else None
            if prefix is None or prefix not in ("SHARED", info.employee):
                return _error(403, "access_denied")
        switch["value"] = value
        return Response.json(switch)

    # -- employees -----------------------------------------------------------------

    async def _employees(self, request: Request) -> Response:
        body = self._body(request) if request.method == "POST" else None
        if body is not None:
            ids = [str(i) for i in body.get("ids") or []]
            calls, standalone = bool(body.get("calls")), bool(body.get("standalone"))
        else:
            ids = request.params("ids")
            calls = bool(_bool(request.param("calls")))
            standalone = bool(_bool(request.param("standalone")))
        if any(not OBJECT_ID_RE.match(i) for i in ids):
            return _error(400, "bad_request")
        info = self._who(request)
        if (
            calls
            and info
            and info.access_level in _LIMITED
            and not info.view_other_party
        ):
            # calls=true "needs viewOtherParty" (api:pbx:app:employees).
            return _error(403, "access_denied")
        return Response.json(
            employee_records(self.tenant, ids, calls=calls, standalone=standalone)
        )

    async def _employee_update(self, request: Request) -> Response:
        employee_id = request.path_params["employee"]
        if not OBJECT_ID_RE.match(employee_id):
            return _error(400, "bad_request")
        employee = self.tenant.employees.get(employee_id)
        if employee is None:
            return _error(404, "not_found")
        body = self._body(request)
        if body is None:
            return _error(400, "bad_request")
        info = self._who(request)
        if info and info.access_level in _LIMITED and info.employee != employee_id:
            return _error(403, "access_denied")
        if PRESENCE_FIELD in body:
            if body[PRESENCE_FIELD] not in PRESENCE_VALUES:
                return _error(422, PRESENCE_FIELD)
            if employee.get(PRESENCE_FIELD) != body[PRESENCE_FIELD]:
                self.realtime.announce(
                    "EMPLOYEE_PRESENCE_CHANGED",
                    {"employee": employee["_id"], PRESENCE_FIELD: body[PRESENCE_FIELD]},
                )
            employee[PRESENCE_FIELD] = body[PRESENCE_FIELD]
        for key in ("name", "title", "department"):
            if isinstance(body.get(key), str):
                employee[key] = body[key]
        return Response.json({k: v for k, v in employee.items() if k != "extensions"})

    # -- ringing (switchboard.core.emulator.RingsPhones) ---------------------------
    # TelecomX keeps no call history we read: a call that ends leaves ``calls``.

    def ring(self, extension: str, caller: str, *, caller_name: str = "") -> str:  # noqa: ARG002 - the employees' calls carry no caller name
        """Let ``caller`` ring ``extension``: a ``direction: IN`` call, not answered."""
        owner = next(
            i for i, e in self.tenant.extensions.items() if e["number"] == extension
        )
        return self._add_call(owner, "IN", caller, extension)

    def _add_call(self, owner: str, direction: str, caller: str, called: str) -> str:
        """A new unanswered call on ``owner``'s extension (employees ``calls``)."""
        self._call_counter += 1
        now = datetime.now(UTC).replace(microsecond=0)
        call_id = f"{CALL_HOST}:{int(now.timestamp())}.{1000 + self._call_counter}"
        call = {
            "_id": call_id,
            "extension": owner,
            "direction": direction,
            "callerNumber": caller,
            "calledNumber": called,
            "start": now.isoformat(),
            "answered": False,
            "recording": False,
        }
        self.tenant.calls.append(call)
        self.realtime.announce("CALL_START", call)
        return call_id

    def _live_call(self, call_id: str) -> dict[str, Any]:
        return next(c for c in self.tenant.calls if c["_id"] == call_id)

    def answer(self, call_id: str) -> None:
        """The extension picks up."""
        self._live_call(call_id)["answered"] = True

    def hang_up(self, call_id: str) -> None:
        """The call ends and leaves the employees' ``calls``."""
        call = self._live_call(call_id)
        self.tenant.calls.remove(call)
        self.realtime.announce("CALL_END", call)
