"""A stateful emulator of the Telphin (Ringme platform) API, for tests and the demo.

It answers the way the platform is documented to (vendor-apis.md §4): OAuth2
client credentials at ``/oauth/token`` with tokens that expire, Bearer tokens on
every ``/api/ver1.0`` call, the mandatory ``Accept-Encoding: gzip`` (bodies are
really gzipped), GET 200 / POST 201 / PUT 200, ``{"message", "status"}`` error
bodies, and an hourly quota with ``X-RateLimit-*`` headers on every answer and
429 ``rate_limit_exceeded`` when it is used up.

Switches besides the common :class:`~switchboard.core.emulator.Faults`: :meth:`expire_tokens`
(the next call gets a 401 and must renew), :meth:`advance` (move the clock, e.g.
into the next quota hour), ``forbidden_writes`` (a read-only application: 403
``user_access_type_deny``) and ``issue_expires_in`` (token answers without
``expires_in``, like the go-sdk fixture).
"""

from __future__ import annotations

import gzip
import math
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from switchboard.core.emulator import Emulator, Request, Response
from switchboard.plugins.telphin.emulator_webhooks import WebhookRegistry

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

API = "/api/ver1.0"
TOKEN_PATH = "/oauth/token"
EMULATOR_CLIENT_ID = "switchboard-demo-app"
EMULATOR_CLIENT_SECRET = "tph-demo-secret-5d1c8e2b"
DND_STATUS_NAME = "Do not disturb"
AVAILABLE_STATUS_NAME = "Available"
CLIENT_ID = 14402
CLIENT_PREFIX = "00214"
# The real maximum page size is not documented; the emulator caps at this.
SERVER_MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
HOUR = 3600.0

_NAMES = (
    "Anna Petrova", "Boris Ivanov", "Chloe Martin", "Dmitri Sokolov", "Elena Kuznetsova",
    "Farid Aliev", "Galina Orlova", "Hugo Berger", "Irina Volkova", "Jonas Lind",
    "Katya Smirnova", "Leon Frank", "Maria Popova", "Nikolai Lebedev", "Olga Morozova",
    "Pavel Novikov", "Reception", "Sales desk", "Svetlana Fedorova", "Timur Kozlov",
    "Ulyana Egorova", "Viktor Pavlov", "Warehouse", "Yana Semenova",
)  # fmt: skip

# Every phone property of the seed with its documented default.
_PHONE_DEFAULTS: dict[str, Any] = {
    "label": None,
    "announce_sound_upon_outgoing_call": None,
    "announce_sound_upon_incoming_call": None,
    "append_to_cid_name_on_transfer": None,
    "auth_type": "digest",
    "call_screening_enabled": False,
    "conference_announce_caller_name": True,
    "conference_end_on_exit": True,
    "conference_pin": None,
    "external_number": None,
    "geo_list": None,
    "hangup_timeout": 60,
    "hold_music": 0,
    "ignore_early_media": True,
    "incoming_limit": 0,
    "network_permission_group_id": 0,
    "preserve_caller_id_number_att_tr": True,
    "record_enabled": True,
    "record_format": None,
    "record_stereo": None,
    "record_transfer": True,
    "record_on_transfer": False,
    "ringback_sound": 0,
    "static_reg_address": None,
    "transfer_caller_id_number": None,
    "vm_attach_file": True,
    "vm_enabled": True,
    "vm_greeting": 0,
    "vm_mailto": None,
    "intercom": None,
    "bundle": None,
    "replace_pin": None,
    "call_status_id": None,
    "call_status_set_dt": None,
    "transfer_after_call_end_to": None,
}
_READ_ONLY = frozenset({"call_status_set_dt"})


def _gmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _error(status: int, message: str, code: str | None = None) -> Response:
    body: dict[str, Any] = {"message": message}
    if code:
        body["status"] = code
    return Response.json(body, status=status)


class TelphinEmulator(Emulator):
    """A Telphin client account with phone extensions, call statuses and calls.

    Args:
        extensions: How many phone extensions to seed (benchmarks use 1,000).
        quota_per_hour: Requests the account may make per hour.
        token_ttl: Lifetime of issued tokens, in seconds.
        clock: Monotonic seconds for token expiry and the quota hour.
    """

    vendor = "telphin"

    def __init__(
        self,
        extensions: int = 24,
        *,
        quota_per_hour: int = 5000,
        token_ttl: float = HOUR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.quota_per_hour = quota_per_hour
        self.token_ttl = token_ttl
        self.issue_expires_in = True
        self.forbidden_writes = False
        self.client_id = EMULATOR_CLIENT_ID
        self.client_secret = EMULATOR_CLIENT_SECRET
        self.tokens: dict[str, float] = {}
        self.tokens_issued = 0
        self._clock = clock
        self._offset = 0.0
        self._window_start: float | None = None
        self._used = 0
        self.client = {
            "id": CLIENT_ID,
            "name": CLIENT_PREFIX,
            "label": "Nordlys Logistics",
        }
        self.call_statuses = self._seed_statuses()
        self.extensions: dict[int, dict[str, Any]] = {}
        self.phones: dict[int, dict[str, Any]] = {}
        self.registrations: dict[int, dict[str, Any]] = {}
        self.current_calls: list[dict[str, Any]] = []
        self._seed(extensions)
        self.webhooks = WebhookRegistry(_error, self.in_background)
        """Registered webhooks; the PBX calls them when calls change."""
        self._add_routes()

    # -- switches ------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's monotonic time (the clock plus :meth:`advance`)."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (token expiry, quota hour)."""
        self._offset += seconds

    def expire_tokens(self) -> None:
        """Let every issued token run out now: the next API call answers 401."""
        for token in self.tokens:
            self.tokens[token] = self.now() - 1

    @property
    def quota_remaining(self) -> int:
        """Requests left in the current quota hour."""
        self._roll_quota()
        return max(0, self.quota_per_hour - self._used)

    # -- seeding -------------------------------------------------------------------

    @staticmethod
    def _seed_statuses() -> list[dict[str, Any]]:
        created = "2025-09-01 08:00:00"
        rows = [
            (301, AVAILABLE_STATUS_NAME, ["all"]),
            (302, DND_STATUS_NAME, ["lo", "ro"]),
            (303, "Lunch", ["li", "lo", "qli"]),
            (304, "Queue calls only", ["qli", "qri", "lo", "ro"]),
        ]
        return [
            {"id": i, "name": n, "property_list": p, "create_dt": created,
             "dealer_id": None, "extra_params": None}
            for i, n, p in rows
        ]  # fmt: skip

    def add_extension(self) -> int:
        """Create the next phone extension (as an administrator would); its id.

        Client-wide webhooks cover it at once (page 247824385: "all telephone
        terminals in PBX").
        """
        now = datetime.now(UTC)
        index = len(self.extensions)
        ext_id = 29150 + index
        label = _NAMES[index % len(_NAMES)]
        if index >= len(_NAMES):
            label = f"{label} {index // len(_NAMES) + 1}"
        self.extensions[ext_id] = {
            "id": ext_id,
            "name": f"{CLIENT_PREFIX}*{101 + index}",
            "type": "phone",
            "status": "active",
            "label": label,
            "client_id": CLIENT_ID,
        }
        phone = dict(_PHONE_DEFAULTS, label=label)
        # Real answers carry the SIP password; the client must drop it.
        phone["password"] = secrets.token_urlsafe(9)
        if index % 4 == 1:
            phone["call_status_id"] = 301
            phone["call_status_set_dt"] = _gmt(now - timedelta(days=2))
        if index == 5:
            phone["call_status_id"] = 303
            phone["call_status_set_dt"] = _gmt(now - timedelta(minutes=20))
        if index == 7:
            phone["external_number"] = "+79876543210"
        self.phones[ext_id] = phone
        registered = index % 3 != 2
        self.registrations[ext_id] = {
            "extension_id": ext_id,
            "registered": registered,
            "registrations": [
                {
                    "device": "Yealink SIP-T46G 28.72.14.5",
                    "real_address": f"sip:203.0.113.{10 + index % 200}:5060",
                    "contact_address": f"sip:{CLIENT_PREFIX}*{101 + index}@192.168.5.{20 + index % 200}:5062",
                    "expires": 699 if registered else 0,
                    "registration_id": f"uloc-{ext_id:x}-001",
                }
            ],
        }
        return ext_id

    def _seed(self, count: int) -> None:
        for _ in range(count):
            self.add_extension()
        ids = list(self.extensions)
        if len(ids) > 1:
            self._add_call(ids[1], "in", "+74951234567", "101", answered=True)
        if len(ids) > 3:
            self._add_call(
                ids[3],
                "out",
                self.extensions[ids[3]]["name"],
                "+78127654321",
                answered=False,
            )

    def _add_call(  # noqa: PLR0913 - one seeded call, spelled out
        self, ext_id: int, flow: str, caller: str, called: str, *, answered: bool,
        callback_id: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        now = datetime.now(UTC)
        call = {
            "call_api_id": uuid.uuid4().hex,
            "call_flow": flow,
            "extension_id": ext_id,
            "caller_id_number": caller,
            "caller_id_name": None,
            "called_number": called,
            "called_did": "+74950000214" if flow == "in" else None,
            "caller_extension": [],
            "called_extension": [],
            "init_time_gmt": _gmt(now - timedelta(seconds=95)),
            "answer_time_gmt": _gmt(now - timedelta(seconds=80)) if answered else None,
            "real_call": True,
            "record_uuid": uuid.uuid4().hex if answered else None,
            "callback_id": callback_id,
        }
        self.current_calls.append(call)
        return call

    # -- plumbing: quota, gzip, authentication -----------------------------------------

    def _roll_quota(self) -> None:
        now = self.now()
        if self._window_start is None or now >= self._window_start + HOUR:
            self._window_start = now
            self._used = 0

    def _quota_headers(
        self, response: Response, *, exhausted: bool = False
    ) -> Response:
        start = self._window_start if self._window_start is not None else self.now()
        reset = max(1, math.ceil(start + HOUR - self.now()))
        remaining = 0 if exhausted else max(0, self.quota_per_hour - self._used)
        response.headers.setdefault("X-RateLimit-Limit", str(self.quota_per_hour))
        response.headers.setdefault("X-RateLimit-Remaining", str(remaining))
        response.headers.setdefault("X-RateLimit-Reset", str(reset))
        return response

    async def handle(self, request: Request) -> Response:
        """Count the request against the hourly quota, answer, then gzip."""
        api = request.path.startswith(API)
        if api:
            self._roll_quota()
            if self._used >= self.quota_per_hour:
                self.requests.append(request)
                response = self._quota_headers(
                    _error(429, "Rate limit exceeded", "rate_limit_exceeded"),
                    exhausted=True,
                )
                return self._gzip(request, response)
            self._used += 1
        response = await super().handle(request)
        if api:
            self._quota_headers(response)
        return self._gzip(request, response)

    @staticmethod
    def _gzip(request: Request, response: Response) -> Response:
        if response.body and "gzip" in request.headers.get("accept-encoding", ""):
            response.body = gzip.compress(response.body)
            response.headers["content-encoding"] = "gzip"
        return response

    async def authenticate(self, request: Request) -> Response | None:
        """Check the bearer token (API paths), gzip and the application's access type."""
        if not request.path.startswith(API):
            return None
        if "gzip" not in request.headers.get("accept-encoding", ""):
            return _error(
                400, "Header Accept-Encoding: gzip is mandatory", "bad_request"
            )
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expiry = self.tokens.get(token)
        if scheme.lower() != "bearer" or expiry is None or self.now() >= expiry:
            return self.auth_failure_response(request)
        if self.forbidden_writes and request.method != "GET":
            return _error(
                403, "Access type of the user denies this", "user_access_type_deny"
            )
        return None

    def auth_failure_response(self, request: Request) -> Response:
        """401: bad client credentials at /oauth/token, a bad token elsewhere."""
        if request.path == TOKEN_PATH:
            return Response.json(
                {"error": "invalid_client", "message": "Client authentication failed"},
                status=401,
            )
        return _error(401, "Unauthorized", "invalid_token")

    def rate_limit_response(self, request: Request) -> Response:  # noqa: ARG002 - the hook's signature
        """429 ``rate_limit_exceeded`` with the quota headers, as when it is used up."""
        self._roll_quota()
        return self._quota_headers(
            _error(429, "Rate limit exceeded", "rate_limit_exceeded"), exhausted=True
        )

    def server_error_response(self, request: Request) -> Response:  # noqa: ARG002 - the hook's signature
        """How the platform fails."""
        return _error(503, "Service temporarily unavailable")

    def not_found_response(self, request: Request) -> Response:  # noqa: ARG002 - the hook's signature
        """Unknown paths answer the observed 404 body."""
        return _error(404, "Not found")

    # -- routes ------------------------------------------------------------------------

    def _add_routes(self) -> None:
        self.add_route("POST", TOKEN_PATH, self._token)
        self.add_route("GET", f"{API}/client/{{client_id}}", self._get_client)
        self.add_route(
            "GET", f"{API}/client/{{client_id}}/extension", self._list_extensions
        )
        self.add_route(
            "GET",
            f"{API}/client/{{client_id}}/extension/call_status",
            self._list_statuses,
        )
        self.add_route(
            "GET", f"{API}/client/{{client_id}}/current_calls", self._list_calls
        )
        self.add_route("GET", f"{API}/extension/registration", self._list_registrations)
        self.add_route(
            "GET", f"{API}/extension/{{extension_id}}/phone", self._get_phone
        )
        self.add_route(
            "PUT", f"{API}/extension/{{extension_id}}/phone", self._put_phone
        )
        self.add_route(
            "POST", f"{API}/extension/{{extension_id}}/callback", self._callback
        )
        events = f"{API}/extension/{{extension_id}}/event"
        for method, path, handler in (
            ("GET", events, self.webhooks.list),
            ("POST", events, self.webhooks.add),
            ("DELETE", f"{events}/{{event_id}}", self.webhooks.delete),
        ):
            self.add_route(method, path, self._on_extension(handler))
        phone_events = f"{API}/client/{{client_id}}/phone_events"
        for method, path, on_client in (
            ("GET", phone_events, self.webhooks.list_phone_events),
            ("POST", phone_events, self.webhooks.add_phone_event),
            (
                "DELETE",
                f"{phone_events}/{{event_id}}",
                self.webhooks.delete_phone_event,
            ),
        ):
            self.add_route(method, path, self._on_client(on_client))

    def _on_client(
        self, handler: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A route on this client (404 ``client_not_found`` otherwise)."""

        async def route(request: Request) -> Response:
            if not self._client_known(request):
                return _error(404, "Client not found", "client_not_found")
            return await handler(request)

        return route

    def _on_extension(
        self, handler: Callable[[Request, int], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A route on an existing extension (404 ``Record not found`` otherwise)."""

        async def route(request: Request) -> Response:
            ext_id = self._extension_id(request)
            if ext_id is None:
                return _error(404, "Record not found")
            return await handler(request, ext_id)

        return route

    async def _token(self, request: Request) -> Response:
        if request.param("grant_type") != "client_credentials":
            return Response.json(
                {
                    "error": "unsupported_grant_type",
                    "message": "Unsupported grant type",
                },
                status=400,
            )
        if (
            request.param("client_id") != self.client_id
            or request.param("client_secret") != self.client_secret
        ):
            return self.auth_failure_response(request)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = self.now() + self.token_ttl
        self.tokens_issued += 1
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.issue_expires_in:
            body["expires_in"] = int(self.token_ttl)
        return Response.json(body)

    def _client_known(self, request: Request) -> bool:
        return request.path_params.get("client_id") in {"@me", str(CLIENT_ID)}

    def _extension_id(self, request: Request) -> int | None:
        raw = request.path_params.get("extension_id", "")
        return int(raw) if raw.isdigit() and int(raw) in self.extensions else None

    @staticmethod
    def _page(request: Request, rows: list[Any]) -> Response:
        try:
            page = int(request.param("page") or 1)
            per_page = min(
                SERVER_MAX_PER_PAGE, int(request.param("per_page") or DEFAULT_PER_PAGE)
            )
        except ValueError:
            return _error(400, "page and per_page must be integers", "bad_request")
        if page < 1 or per_page < 1:
            return _error(400, "page and per_page must be positive", "bad_request")
        start = (page - 1) * per_page
        return Response.json(rows[start : start + per_page])

    async def _get_client(self, request: Request) -> Response:
        if not self._client_known(request):
            return _error(404, "Client not found", "client_not_found")
        return Response.json(self.client)

    async def _list_extensions(self, request: Request) -> Response:
        if not self._client_known(request):
            return _error(404, "Client not found", "client_not_found")
        kind = request.param("type")
        rows = [e for e in self.extensions.values() if kind in (None, e["type"])]
        return self._page(request, rows)

    async def _list_statuses(self, request: Request) -> Response:
        if not self._client_known(request):
            return _error(404, "Client not found", "client_not_found")
        return Response.json(self.call_statuses)

    async def _list_calls(self, request: Request) -> Response:
        if not self._client_known(request):
            return _error(404, "Client not found", "client_not_found")
        return Response.json(self.current_calls)

    async def _list_registrations(self, request: Request) -> Response:
        return self._page(request, list(self.registrations.values()))

    async def _get_phone(self, request: Request) -> Response:
        ext_id = self._extension_id(request)
        if ext_id is None:
            return _error(404, "Record not found")
        return Response.json(self.phones[ext_id])

    async def _put_phone(self, request: Request) -> Response:
        ext_id = self._extension_id(request)
        if ext_id is None:
            return _error(404, "Record not found")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Request body is not JSON", "bad_request")
        if not isinstance(body, dict) or not body:
            return _error(400, "Request body must be a JSON object", "bad_request")
        problem = self._check_phone_update(body)
        if problem:
            return _error(400, problem, "bad_request")
        phone = self.phones[ext_id]
        changes = dict(body)
        if "call_status_id" in changes:
            self.set_call_status(ext_id, changes.pop("call_status_id"))
        phone.update(changes)
        if phone["external_number"] == "":
            phone["external_number"] = None
        return Response.json(phone)

    def set_call_status(self, extension_id: int, call_status_id: int | None) -> None:
        """Assign a call status, as the web panel, a phone or the API does.

        A change stamps ``call_status_set_dt`` and calls the client-wide
        ``extension-call-status`` webhooks (page 247824385). The emulator's DND is
        the call status named ``DND_STATUS_NAME`` (what ``demo_settings`` names).
        """
        phone = self.phones[extension_id]
        old = phone["call_status_id"]
        if call_status_id == old:
            return
        when = _gmt(datetime.now(UTC))
        phone["call_status_id"] = call_status_id
        phone["call_status_set_dt"] = when
        self.webhooks.fire_status(
            self.extensions[extension_id], old, call_status_id, when
        )

    def _check_phone_update(self, body: dict[str, Any]) -> str | None:
        for key, value in body.items():
            if key not in _PHONE_DEFAULTS:
                return f"Unknown field {key}"
            if key in _READ_ONLY:
                return f"Field {key} is read-only"
            if (
                key == "call_status_id"
                and value is not None
                and value not in {s["id"] for s in self.call_statuses}
            ):
                return "call_status_id: no such call status"
            if (
                key == "external_number"
                and value is not None
                and not isinstance(value, str)
            ):
                return "external_number must be a string"
        return None

    async def _callback(self, request: Request) -> Response:
        ext_id = self._extension_id(request)
        if ext_id is None:
            return _error(404, "Record not found")
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Request body is not JSON", "bad_request")
        src = body.get("src_num") if isinstance(body, dict) else None
        dst = body.get("dst_num") if isinstance(body, dict) else None
        if (
            not isinstance(src, list)
            or not src
            or not all(isinstance(s, str) and s for s in src)
        ):
            return _error(
                400, "src_num must be a non-empty list of numbers", "bad_request"
            )
        if not isinstance(dst, str) or not dst:
            return _error(400, "dst_num is required", "bad_request")
        callback_id = uuid.uuid4().hex
        call = self._add_call(
            ext_id, "out", src[0], dst, answered=False, callback_id=callback_id
        )
        self.webhooks.fire(ext_id, "dial-out", call)
        return Response.json(
            {"call_api_id": call["call_api_id"], "call_id": call["call_api_id"]},
            status=201,
        )

    # -- ringing (switchboard.core.emulator.RingsPhones) ---------------------------
    # Telphin keeps no call history we read: a call that ends is gone (current_calls).

    def ring(self, extension: str, caller: str, *, caller_name: str = "") -> str:
        """Let ``caller`` ring ``extension`` (its short number, ``101``): ``call_flow: in``."""
        ext_id = next(
            i
            for i, e in self.extensions.items()
            if extension in (e["name"], e["name"].rpartition("*")[2], str(i))
        )
        call = self._add_call(ext_id, "in", caller, extension, answered=False)
        call["caller_id_name"] = caller_name or None
        call["init_time_gmt"] = _gmt(datetime.now(UTC))
        self.webhooks.fire(ext_id, "dial-in", call)
        return str(call["call_api_id"])

    def _current_call(self, call_id: str) -> dict[str, Any]:
        return next(c for c in self.current_calls if c["call_api_id"] == call_id)

    def answer(self, call_id: str) -> None:
        """The extension picks up: ``answer_time_gmt`` is set."""
        call = self._current_call(call_id)
        call["answer_time_gmt"] = _gmt(datetime.now(UTC))
        self.webhooks.fire(call["extension_id"], "answer", call)

    def hang_up(self, call_id: str) -> None:
        """The call ends and leaves ``current_calls``."""
        call = self._current_call(call_id)
        self.current_calls.remove(call)
        self.webhooks.fire(call["extension_id"], "hangup", call)
