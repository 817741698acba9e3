"""The shared machinery of the vendor emulators.

Each vendor's ``emulator.py`` subclasses :class:`Emulator`: it registers its
routes and answers the way that vendor does (its paths, shapes, status codes,
in-band errors). This module supplies what they have in common:

* a tiny ASGI router (no web framework needed at run time);
* :class:`Faults`, the switches tests and the demo flip: latency, HTTP 5xx,
  hanging requests, malformed or empty bodies, bad credentials, rate limiting;
* a log of every request, so tests can count PBX round trips;
* :func:`serve`, which runs an emulator on a loopback port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# The same shapes httpx.ASGITransport and uvicorn use.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class Faults:
    """Fault switches. Counters fire on the next N requests; -1 means always.

    Attributes:
        latency: Seconds added before every answer.
        server_errors: Answer HTTP 503.
        hangs: Never answer (sleep ``hang_seconds``), so the client times out.
        hang_seconds: How long a hanging request sleeps.
        malformed: Replace the body with broken JSON / garbage.
        empty: Replace the body with zero bytes.
        rate_limited: Answer the way the vendor rate-limits.
        bad_credentials: Refuse every credential the way the vendor does.
        answer_latency: Seconds added after the request was carried out and
            before the answer: a write the PBX has done but not yet confirmed
            (what a client sees when it times out, or is killed, meanwhile).
    """

    latency: float = 0.0
    server_errors: int = 0
    hangs: int = 0
    hang_seconds: float = 60.0
    malformed: int = 0
    empty: int = 0
    rate_limited: int = 0
    bad_credentials: bool = False
    answer_latency: float = 0.0

    def take(self, name: str) -> bool:
        """Consume one shot of counter ``name``; True when the fault fires."""
        value: int = getattr(self, name)
        if value == 0:
            return False
        if value > 0:
            setattr(self, name, value - 1)
        return True

    def reset(self) -> None:
        """Switch every fault off."""
        for name, default in Faults().__dict__.items():
            setattr(self, name, default)


@dataclass
class Request:
    """An incoming request, decoded just enough for a vendor handler."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        """Return the last value of a query (or form) parameter."""
        value = default
        for key, item in self.query + self.form_items():
            if key == name:
                value = item
        return value

    def params(self, name: str) -> list[str]:
        """Return every value of a repeated parameter (``name`` or ``name[]``)."""
        return [
            v for k, v in self.query + self.form_items() if k in (name, f"{name}[]")
        ]

    def form_items(self) -> list[tuple[str, str]]:
        """Return the form-encoded body's fields (empty for other bodies)."""
        if "application/x-www-form-urlencoded" not in self.headers.get(
            "content-type", ""
        ):
            return []
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json(self) -> Any:
        """Decode a JSON body (``None`` when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass
class Response:
    """What a handler answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        """Answer with a JSON body."""
        return cls(
            status,
            json.dumps(data).encode(),
            {"content-type": "application/json", **(headers or {})},
        )

    @classmethod
    def text(
        cls, text: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        """Answer with a plain-text body."""
        return cls(
            status,
            text.encode(),
            {"content-type": "text/plain; charset=utf-8", **(headers or {})},
        )


Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Emulator:
    """Base class of a stateful vendor emulator (an ASGI application).

    Subclasses call :meth:`add_route` in ``__init__`` and may override the
    ``*_response`` hooks and :meth:`authenticate` to answer like their vendor.
    """

    vendor = ""

    def __init__(self) -> None:
        self.faults = Faults()
        self.requests: list[Request] = []
        self._routes: list[_Route] = []
        self._background: set[asyncio.Task[Any]] = set()

    def in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` (a push to a client) from the emulator's synchronous code.

        Vendors push when their state changes, which the tests' ``ring`` and
        ``hang_up`` change synchronously; without a running loop there is nobody
        connected to push to, and ``work`` is dropped.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            work.close()
            return
        task = loop.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- vendor hooks --------------------------------------------------------

    async def authenticate(self, request: Request) -> Response | None:
        """Return the vendor's refusal when the request's credentials are wrong."""
        return None

    def auth_failure_response(self, request: Request) -> Response:
        """How the vendor refuses credentials."""
        return Response.json({"error": "unauthorized"}, status=401)

    def rate_limit_response(self, request: Request) -> Response:
        """How the vendor says 'slow down'."""
        return Response.json(
            {"error": "rate limited"}, status=429, headers={"retry-after": "1"}
        )

    def server_error_response(self, request: Request) -> Response:
        """How the vendor fails."""
        return Response.text("Service Unavailable", status=503)

    def malformed_body(self, request: Request) -> bytes:
        """A body that cannot be parsed."""
        return b'{"broken": [1, 2'

    def not_found_response(self, request: Request) -> Response:
        """The answer for a path no route matches."""
        return Response.text("Not Found", status=404)

    # -- routing -------------------------------------------------------------

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Route ``method path`` to ``handler``; ``{name}`` captures a path segment."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path.rstrip("/") or "/")
        self._routes.append(_Route(method.upper(), re.compile(f"^{regex}/?$"), handler))

    def request_count(self, path_contains: str = "") -> int:
        """Count the requests received (whose path contains ``path_contains``)."""
        return sum(1 for r in self.requests if path_contains in r.path)

    async def handle(self, request: Request) -> Response:
        """Apply the faults, authenticate, and dispatch to the route."""
        self.requests.append(request)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        if self.faults.take("hangs"):
            await asyncio.sleep(self.faults.hang_seconds)
        if self.faults.take("server_errors"):
            return self.server_error_response(request)
        if self.faults.take("rate_limited"):
            return self.rate_limit_response(request)
        if self.faults.bad_credentials:
            return self.auth_failure_response(request)
        refusal = await self.authenticate(request)
        if refusal is not None:
            return refusal
        response = await self._dispatch(request)
        if self.faults.answer_latency:
            await asyncio.sleep(self.faults.answer_latency)
        if self.faults.take("malformed"):
            response.body = self.malformed_body(request)
        elif self.faults.take("empty"):
            response.body = b""
        return response

    async def _dispatch(self, request: Request) -> Response:
        path_matched = False
        for route in self._routes:
            match = route.pattern.match(request.path)
            if match is None:
                continue
            path_matched = True
            if route.method == request.method:
                request.path_params = match.groupdict()
                return await route.handler(request)
        if path_matched:
            return Response.text("Method Not Allowed", status=405)
        return self.not_found_response(request)

    # -- ASGI ----------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":  # pragma: no cover - websockets are not emulated
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Request(
            method=scope["method"].upper(),
            path=scope["path"],
            query=parse_qsl(
                scope.get("query_string", b"").decode(), keep_blank_values=True
            ),
            headers={
                k.decode().lower(): v.decode() for k, v in scope.get("headers", [])
            },
            body=body,
        )
        response = await self.handle(request)
        headers = {"content-length": str(len(response.body)), **response.headers}
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


@runtime_checkable
class RingsPhones(Protocol):
    """An emulator that can place an incoming call to one of its extensions.

    Tests and the demo use it: ``call_id = emulator.ring("201", "+4533123456")``,
    then ``answer(call_id)`` or not, then ``hang_up(call_id)``, which also writes the
    call to the emulator's call history where the vendor keeps one. A call rung
    and hung up without an answer is a missed call.
    """

    def ring(self, extension: str, caller: str, *, caller_name: str = "") -> str:
        """Let ``caller`` ring the extension with dialable number ``extension``."""
        ...

    def answer(self, call_id: str) -> None:
        """The extension picks up."""
        ...

    def hang_up(self, call_id: str) -> None:
        """The call ends (rang out, or finished after an answer)."""
        ...


def ring_out(
    emulator: RingsPhones, extension: str, caller: str, caller_name: str = ""
) -> str:
    """Place an incoming call nobody answers, and end it: a missed call."""
    call_id = emulator.ring(extension, caller, caller_name=caller_name)
    emulator.hang_up(call_id)
    return call_id


@contextlib.asynccontextmanager
async def serve(
    app: Emulator, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Run ``app`` on a loopback port; yield its base URL (``http://127.0.0.1:PORT``)."""
    import uvicorn  # noqa: PLC0415 - only the demo and loopback tests need a server

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises the startup error
                msg = "the emulator server stopped during startup"
                raise RuntimeError(msg)
            await asyncio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        await task
