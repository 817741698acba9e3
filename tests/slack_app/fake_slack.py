"""A loopback HTTP server that plays Slack's Web API and the response_url.

Every call is recorded (method, parsed body, authorization), so tests check each
outgoing Slack call. Answers follow Slack's documented shapes, just enough for
Bolt and slack_sdk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

BOT_USER = "UBOT0001"
TEAM = "T0000001"


@dataclass
class Call:
    """One recorded request to the fake Slack."""

    method: str
    body: dict[str, Any]
    authorization: str | None
    peer: str = ""
    """The client's address and port: equal for answers on one pooled connection."""
    at: float = field(default_factory=time.time)
    """When it arrived (wall clock, comparable across processes on one host)."""


@dataclass
class FakeSlack:
    """State and recordings of the fake Slack."""

    emails: dict[str, str] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    base_url: str = ""
    failing: set[str] = field(default_factory=set)
    socket: web.WebSocketResponse | None = None
    socket_messages: list[dict[str, Any]] = field(default_factory=list)
    posted: int = 0
    """Messages posted so far: each gets its own ``ts``, as in Slack."""
    dm_messages: list[dict[str, Any]] = field(default_factory=list)
    """DMs as conversations.history returns them (``ts``, ``metadata``)."""
    _changed: asyncio.Condition | None = None

    # -- recordings -------------------------------------------------------

    def api_calls(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def responses(self) -> list[Call]:
        return [c for c in self.calls if c.method.startswith("respond/")]

    def response_url(self, key: str = "cmd") -> str:
        return f"{self.base_url}/respond/{key}"

    async def wait_for(
        self, method: str, count: int = 1, within: float = 5.0
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (``respond/KEY`` for responses)."""
        return await self._wait(lambda c: c.method == method, count, within)

    async def wait_for_prefix(
        self, prefix: str, count: int, within: float = 5.0
    ) -> list[Call]:
        """Wait until ``count`` calls whose method starts with ``prefix`` arrived."""
        return await self._wait(lambda c: c.method.startswith(prefix), count, within)

    async def _wait(
        self, wanted: Callable[[Call], bool], count: int, within: float
    ) -> list[Call]:
        assert self._changed is not None

        def matching() -> list[Call]:
            return [c for c in self.calls if wanted(c)]

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(matching()) >= count), within
            )
        return matching()

    async def _record(self, call: Call) -> None:
        assert self._changed is not None
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- handlers ---------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if not raw:
            return body
        if request.content_type == "application/json":
            body.update(json.loads(raw))
        else:
            body.update(parse_qsl(raw.decode(), keep_blank_values=True))
        return body

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        await self._record(Call(method, body, request.headers.get("Authorization")))
        if method in self.failing:
            return web.json_response({"ok": False, "error": "internal_error"})
        return web.json_response(self._answer(method, body))

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://switchboard-test.slack.com/",
                "team": "Switchboard Test",
                "user": "switchboard",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0000001",
            }
        if method == "users.info":
            user = str(body.get("user"))
            profile: dict[str, Any] = {"real_name": f"User {user}"}
            if user in self.emails:
                profile["email"] = self.emails[user]
            return {
                "ok": True,
                "user": {"id": user, "name": user.lower(), "profile": profile},
            }
        if method == "usergroups.users.list":
            group = str(body.get("usergroup"))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method in {"views.open", "views.publish", "views.update"}:
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": "V0000001", **(view or {})}}
        if method == "apps.connections.open":
            return {
                "ok": True,
                "url": self.base_url.replace("http", "ws", 1) + "/socket",
            }
        if method == "conversations.open":
            # The bot's DM with the user: one stable id per user.
            return {"ok": True, "channel": {"id": f"D{body.get('users')}"}}
        if method == "chat.postMessage" and str(body.get("channel", "")).startswith(
            "D"
        ):
            self.posted += 1
            ts = f"1700000000.{self.posted:06d}"
            self.dm_messages.append(
                {
                    "channel": body.get("channel"),
                    "ts": ts,
                    "metadata": body.get("metadata"),
                }
            )
            return {"ok": True, "channel": body.get("channel"), "ts": ts}
        if method == "conversations.history":
            # Newest first, as Slack answers.
            messages = [
                {k: v for k, v in m.items() if k != "channel"}
                for m in reversed(self.dm_messages)
                if m["channel"] == body.get("channel")
            ]
            return {"ok": True, "messages": messages, "has_more": False}
        if method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": body.get("ts") or "1700000000.000100",
            }
        return {"ok": True}

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the app sends (its acks)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.socket = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        await self._record(Call("socket/connected", {}, None))
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                data = json.loads(message.data)
                self.socket_messages.append(data)
                await self._record(Call("socket/ack", data, None))
        return ws

    async def respond(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read() or b"{}")
        peer = (
            request.transport.get_extra_info("peername") if request.transport else None
        )
        key = request.match_info["key"]
        await self._record(Call(f"respond/{key}", body, None, str(peer or "")))
        return web.Response(text="ok")


@contextlib.asynccontextmanager
async def serve_fake_slack(fake: FakeSlack | None = None) -> AsyncIterator[FakeSlack]:
    """Run the fake Slack on a loopback port."""
    fake = fake or FakeSlack()
    fake._changed = asyncio.Condition()
    web_app = web.Application()
    web_app.add_routes(
        [
            web.route("*", "/api/{method}", fake.api),
            web.post("/respond/{key}", fake.respond),
            web.get("/socket", fake.websocket),
        ]
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.base_url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
