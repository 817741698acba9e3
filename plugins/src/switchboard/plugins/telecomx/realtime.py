"""TelecomX's realtime feed: socket.io at the API host.

Per the vendor reference (§3 TelecomX, row "Push events", pages ``realtime`` and
``api:tools:realtime:proxy``): connect, ``emit('authenticate', {token, client,
instanceId, ip})``, wait for ``authenticated``, then ``emit('subscribe', {type:
'PBX', customer, events: [...]})``. Events arrive under their names (``CALL_START``,
``CALL_END``, ``EMPLOYEE_PRESENCE_CHANGED``).

An outbound connection: it works from a Home Assistant with no public address. Each
event becomes a :class:`~switchboard.core.push.PushSignal`; the consumer re-reads
(the payloads are not documented). On a drop the feed reconnects with doubling,
jittered waits, takes the current token (a login token is renewed by then), and
subscribes again; a resync signal after every connection heals the gap. An outage
logs one WARNING (its first failed attempt; the further ones at DEBUG) and one INFO
when the feed is back.

The token travels only in the ``authenticate`` payload, never in the URL, and the
socket.io libraries' own loggers are off: no log line can carry it.

Given an aiohttp session (Home Assistant lends its shared one), every connection
goes through it and it is never closed here; without one, python-socketio opens
its own per connection and closes it when the connection ends (CLI, Slack app).
"""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from typing import TYPE_CHECKING, Any, Final

from switchboard.core.errors import SwitchboardAuthError, SwitchboardError
from switchboard.core.push import PushKind, PushSignal, reconnect_delay
from switchboard.core.redaction import get_logger
from switchboard.plugins.telecomx.const import DISPLAY_NAME, VENDOR

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from aiohttp import ClientSession

    from switchboard.plugins.telecomx.auth import TokenAuth

_LOGGER = get_logger(__name__)

# What each subscribed event means to us (vendor reference §3, "Push events").
REALTIME_EVENTS: Final[dict[str, PushKind]] = {
    "CALL_START": PushKind.CALLS,
    "CALL_END": PushKind.CALLS,
    "EMPLOYEE_PRESENCE_CHANGED": PushKind.STATUS,
}
# The reference names ``authenticated`` but no refusal event. Ambiguous: we read
# ``unauthorized`` as the refusal, and also treat silence for AUTH_TIMEOUT seconds
# as one (reconnect later), which cannot leave a user believing they are pushed to.
REFUSAL_EVENT: Final = "unauthorized"
AUTH_TIMEOUT: Final = 10.0
# python-socketio 5 speaks Socket.IO protocol 5 (Engine.IO 4): a server on
# socket.io 3 or newer. The vendor's server version is not documented; an older
# server refuses the handshake, and TelecomX is then only polled (README).
CLIENT_NAME: Final = "switchboard"


class RealtimeFeed:
    """The realtime connection of one TelecomX customer.

    Args:
        url: The API host (the feed is served there).
        auth: Where the current token comes from.
        customer: Returns the customer id to subscribe to.
        http_session: A session to connect through (borrowed, never closed);
            None: python-socketio's own, one per connection.
    """

    def __init__(
        self,
        url: str,
        auth: TokenAuth,
        customer: Callable[[], Awaitable[str]],
        http_session: ClientSession | None = None,
    ) -> None:
        self._url = url
        self._auth = auth
        self._customer = customer
        self._http_session = http_session
        self._instance = uuid.uuid4().hex

    def __repr__(self) -> str:
        return f"RealtimeFeed(auth={self._auth!r})"

    async def signals(self) -> AsyncIterator[PushSignal]:
        """Yield signals until cancelled; reconnect on any failure."""
        if importlib.util.find_spec("aiohttp") is None:
            _LOGGER.warning("%s realtime needs aiohttp; polling instead", DISPLAY_NAME)
            return
        attempt = 0
        # Home Assistant's log-when-unavailable rule: one WARNING when the feed goes
        # down, DEBUG for each further failed attempt, one INFO when it is back.
        told_down = False
        dropped = False
        while True:
            live = False
            try:
                async for signal in self._session():
                    if not live and (told_down or dropped):
                        _LOGGER.info("%s realtime connection is back", DISPLAY_NAME)
                    attempt, live, told_down, dropped = 0, True, False, False
                    yield signal
                _LOGGER.info(
                    "%s realtime connection closed; reconnecting", DISPLAY_NAME
                )
                dropped = True
            except Exception as err:  # noqa: BLE001 - socketio's own errors too
                self._log_failure(err, first=not told_down)
                told_down = True
            if live:
                yield PushSignal(PushKind.LOST)
            attempt += 1
            await asyncio.sleep(reconnect_delay(attempt))

    @staticmethod
    def _log_failure(err: Exception, *, first: bool) -> None:
        """The first failure in a row as a WARNING, the ones after it at DEBUG."""
        ours = isinstance(err, (SwitchboardError, OSError, TimeoutError, ValueError))
        reason = str(err) if ours else f"{type(err).__name__} {err}"
        if first:
            _LOGGER.warning(
                "%s realtime connection failed: %s; retrying (further failures "
                "are logged at DEBUG)",
                DISPLAY_NAME,
                reason,
            )
        else:
            _LOGGER.debug(
                "%s realtime connection failed again: %s", DISPLAY_NAME, reason
            )

    async def _session(self) -> AsyncIterator[PushSignal]:
        """One connection: authenticate, subscribe, relay events until it drops."""
        import socketio  # noqa: PLC0415 - only pushing vendors need it

        queue: asyncio.Queue[PushSignal | None] = asyncio.Queue()
        verdict: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        sio = socketio.AsyncClient(
            reconnection=False,
            logger=False,
            engineio_logger=False,
            http_session=self._http_session,
        )

        def decide(*, accepted: bool) -> Callable[..., None]:
            def handler(*_: Any) -> None:
                if not verdict.done():
                    verdict.set_result(accepted)

            return handler

        def relay(kind: PushKind) -> Callable[..., None]:
            return lambda *_: queue.put_nowait(PushSignal(kind))

        sio.on("authenticated", decide(accepted=True))
        sio.on(REFUSAL_EVENT, decide(accepted=False))
        for name, kind in REALTIME_EVENTS.items():
            sio.on(name, relay(kind))
        sio.on("disconnect", lambda *_: queue.put_nowait(None))
        try:
            customer = await self._customer()
            await sio.connect(self._url)
            token = await self._auth.token()
            await sio.emit(
                "authenticate",
                {"token": token, "client": CLIENT_NAME, "instanceId": self._instance},
            )
            if not await asyncio.wait_for(verdict, AUTH_TIMEOUT):
                self._auth.invalidate(token)
                msg = f"{DISPLAY_NAME} refused the token on its realtime feed."
                raise SwitchboardAuthError(msg, vendor=VENDOR)
            await sio.emit(
                "subscribe",
                {"type": "PBX", "customer": customer, "events": list(REALTIME_EVENTS)},
            )
            _LOGGER.debug("%s realtime subscribed", DISPLAY_NAME)
            yield PushSignal(PushKind.RESYNC)
            while (signal := await queue.get()) is not None:
                yield signal
        finally:
            await sio.disconnect()
            if self._http_session is not None:
                # Engine.IO's client tries to close whatever session it still holds
                # when garbage collected, a borrowed one included (python-engineio
                # 4.x, AsyncClient.__del__; 4.15 fails at it while the loop runs,
                # not once it has stopped): it must not hold the lender's.
                sio.eio.http = None
