"""The TelecomX emulator's realtime feed: a socket.io server (python-socketio, ASGI).

The protocol of the vendor reference (§3 TelecomX, "Push events"): a client emits
``authenticate`` with ``{token, ...}`` and gets ``authenticated`` (or, our reading,
``unauthorized`` and a disconnect); it then emits ``subscribe`` with ``{type: 'PBX',
customer, events}`` and receives those events for that customer. The payloads are
not documented; the emulator sends the call (or employee) record it changed.

Tests reach in: :meth:`RealtimeServer.drop_all` cuts every connection (a network
drop); :attr:`RealtimeServer.muted` loses events without telling anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import socketio

from switchboard.plugins.telecomx.realtime import REFUSAL_EVENT

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from switchboard.core.emulator import Receive, Scope, Send

    ASGI = Callable[[Scope, Receive, Send], Any]


class RealtimeServer:
    """One customer's realtime feed.

    Args:
        customer: The customer id subscriptions must name.
        token_valid: Whether a token is valid now.
        in_background: Runs a send from synchronous code (Emulator.in_background).
    """

    def __init__(
        self,
        customer: str,
        token_valid: Callable[[str], bool],
        in_background: Callable[[Coroutine[Any, Any, Any]], None],
    ) -> None:
        self.customer = customer
        self._token_valid = token_valid
        self._in_background = in_background
        self.sio = socketio.AsyncServer(
            async_mode="asgi", logger=False, engineio_logger=False
        )
        self.authenticated: set[str] = set()
        """Session ids that authenticated."""
        self.subscriptions: dict[str, list[str]] = {}
        """Session id -> the event names it subscribed to."""
        self.muted = False
        """Lose every event (a feed that silently misses some)."""
        self.sent: list[str] = []
        """Every event name emitted, in order."""
        self.user_agents: list[str] = []
        """The User-Agent header of every connection, in order (which HTTP
        session a client connected through)."""
        self.sio.on("connect", self._connect)
        self.sio.on("authenticate", self._authenticate)
        self.sio.on("subscribe", self._subscribe)
        self.sio.on("disconnect", self._disconnect)

    def app(self, other: ASGI) -> ASGI:
        """The ASGI app: the feed under ``/socket.io/``, ``other`` for the rest."""
        asgi: ASGI = socketio.ASGIApp(self.sio, other_asgi_app=other)
        return asgi

    async def _connect(self, _sid: str, environ: dict[str, Any], *_: Any) -> None:
        self.user_agents.append(str(environ.get("HTTP_USER_AGENT", "")))

    async def _authenticate(self, sid: str, data: Any) -> None:
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not self._token_valid(token):
            await self.sio.emit(REFUSAL_EVENT, {"message": "invalid_token"}, to=sid)
            await self.sio.disconnect(sid)
            return
        self.authenticated.add(sid)
        await self.sio.emit("authenticated", {}, to=sid)

    async def _subscribe(self, sid: str, data: Any) -> None:
        if sid not in self.authenticated or not isinstance(data, dict):
            return
        if data.get("type") != "PBX" or data.get("customer") != self.customer:
            return
        events = data.get("events")
        if isinstance(events, list):
            self.subscriptions[sid] = [e for e in events if isinstance(e, str)]

    async def _disconnect(self, sid: str, *_: Any) -> None:
        self.authenticated.discard(sid)
        self.subscriptions.pop(sid, None)

    def announce(self, event: str, payload: dict[str, Any]) -> None:
        """Send ``event`` to every subscriber (from the emulator's synchronous code)."""
        if self.muted:
            return
        for sid, events in list(self.subscriptions.items()):
            if event in events:
                self.sent.append(event)
                self._in_background(self.sio.emit(event, payload, to=sid))

    async def drop_all(self) -> None:
        """Cut every connection, as a network failure would."""
        for sid in list(self.authenticated):
            await self.sio.disconnect(sid)

    async def close(self) -> None:
        """Cut every connection and stop the server's background tasks.

        Engine.IO keeps a service task and a ping task per socket running until
        told to stop; a host that checks for lingering tasks (Home Assistant's
        test harness) sees them otherwise.
        """
        await self.drop_all()
        await self.sio.shutdown()
