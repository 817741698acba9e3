"""The Telphin emulator's webhooks: registrations, and calling them as the PBX would.

Vendor reference §4.5 ("Webhooks (per extension)"): ``GET|POST
/extension/{extension_id}/event/`` and ``DELETE /extension/{extension_id}/event/{id}``
with ``{url, method: GET|POST, event_type}``; types ``dial-in``, ``dial-out``,
``answer``, ``hangup``, ``message-in``, ``message-out``, ``voicemail``. The PBX sends
form-encoded fields (in the body for POST) such as ``EventType``, ``CallID``,
``CallerIDNum``. ``POST`` answers 201, ``DELETE`` 204 ([RAL-errors]).

Tests reach in: :attr:`WebhookRegistry.deliver` is how a call reaches its URL (a
real HTTP POST by default), :attr:`WebhookRegistry.repeat` delivers every call
that many times (a PBX retrying), :attr:`WebhookRegistry.delivered` logs them.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import httpx

from switchboard.core.emulator import Request, Response

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

EVENT_TYPES = frozenset(
    {
        "dial-in",
        "dial-out",
        "answer",
        "hangup",
        "message-in",
        "message-out",
        "voicemail",
    }
)


async def post_form(url: str, fields: dict[str, str]) -> None:
    """Call a webhook as the PBX does: a form-encoded POST; failures are the receiver's."""
    with contextlib.suppress(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=5) as client:
            await client.post(url, data=fields)


class WebhookRegistry:
    """The registered webhooks of one account.

    Args:
        error: Builds the vendor's error answer (status, message).
        in_background: Runs a delivery from synchronous code.
    """

    def __init__(
        self,
        error: Callable[[int, str], Response],
        in_background: Callable[[Coroutine[Any, Any, Any]], None],
    ) -> None:
        self._error = error
        self._in_background = in_background
        self.events: dict[int, dict[str, Any]] = {}
        """Registration id -> ``{id, extension_id, url, method, event_type}``."""
        self._next_id = 1
        self.deliver: Callable[[str, dict[str, str]], Coroutine[Any, Any, None]] = (
            post_form
        )
        self.repeat = 1
        self.delivered: list[tuple[str, dict[str, str]]] = []

    # -- routes ----------------------------------------------------------------------

    async def list(self, request: Request, extension_id: int) -> Response:
        """``GET /extension/{id}/event/``."""
        del request
        rows = [e for e in self.events.values() if e["extension_id"] == extension_id]
        return Response.json(rows)

    async def add(self, request: Request, extension_id: int) -> Response:
        """``POST /extension/{id}/event/`` with ``{url, method, event_type}``: 201."""
        try:
            body = request.json()
        except ValueError:
            return self._error(400, "Request body is not JSON")
        if not isinstance(body, dict):
            return self._error(400, "Request body must be an object")
        url, method, kind = body.get("url"), body.get("method"), body.get("event_type")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self._error(400, "url must be an http(s) URL")
        if method not in {"GET", "POST"}:
            return self._error(400, "method must be GET or POST")
        if kind not in EVENT_TYPES:
            return self._error(400, "unknown event_type")
        event = {
            "id": self._next_id,
            "extension_id": extension_id,
            "url": url,
            "method": method,
            "event_type": kind,
        }
        self.events[self._next_id] = event
        self._next_id += 1
        return Response.json(event, status=201)

    async def delete(self, request: Request, extension_id: int) -> Response:
        """``DELETE /extension/{id}/event/{event_id}``: 204, or 404 when unknown."""
        raw = request.path_params.get("event_id", "")
        event = self.events.get(int(raw)) if raw.isdigit() else None
        if event is None or event["extension_id"] != extension_id:
            return self._error(404, "Record not found")
        del self.events[event["id"]]
        return Response(204)

    # -- the PBX calling out -----------------------------------------------------------

    def fire(self, extension_id: int, kind: str, call: dict[str, Any]) -> None:
        """Call every webhook of ``extension_id`` registered for ``kind``."""
        fields = {
            "EventType": kind,
            "CallID": str(call["call_api_id"]),
            "CallerIDNum": str(call.get("caller_id_number") or ""),
            "CalledNumber": str(call.get("called_number") or ""),
            "CallFlow": str(call.get("call_flow") or ""),
        }
        for event in list(self.events.values()):
            if event["extension_id"] == extension_id and event["event_type"] == kind:
                for _ in range(self.repeat):
                    self.delivered.append((event["url"], fields))
                    self._in_background(self.deliver(event["url"], dict(fields)))
