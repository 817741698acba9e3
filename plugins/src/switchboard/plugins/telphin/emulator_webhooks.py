"""The Telphin emulator's webhooks: registrations, and calling them as the PBX would.

Per extension, vendor reference §4.5 ("Webhooks (per extension)"): ``GET|POST
/extension/{extension_id}/event/`` and ``DELETE /extension/{extension_id}/event/{id}``
with ``{url, method: GET|POST, event_type}``; types ``dial-in``, ``dial-out``,
``answer``, ``hangup``, ``message-in``, ``message-out``, ``voicemail``. The PBX sends
form-encoded fields (in the body for POST) such as ``EventType``, ``CallID``,
``CallerIDNum``. ``POST`` answers 201, ``DELETE`` 204 ([RAL-errors]).

Client-wide, vendor reference "Webhooks (client-wide)" (Telphin page "Global events
of all telephone terminals in PBX",
https://ucom4b.atlassian.net/wiki/spaces/RACD/pages/247824385): ``GET|POST
/client/{client_id}/phone_events/`` with ``{url, event_type, method}`` (all
mandatory), answered ``{url, method, event_type, id}``; such an event covers every
phone extension, present and future. The same types are accepted, plus
``extension-call-status``, whose callback carries ``old_status_id``,
``new_status_id``, ``extension_id``, ``change_dt``, ``event_type``
(``call-status-change``), ``client_id`` and ``extension_name``. The page we have
does not show the removal: the emulator serves ``DELETE
/client/{client_id}/phone_events/{id}`` as the client infers it (by analogy with
the per-extension resource), 204, or 404 for an unknown id.

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
    from collections.abc import Callable, Coroutine, Iterable

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
# Page 247824385: client-wide, "in addition to events that can be set to a
# specific extension, there is an additional event type extension-call-status".
STATUS_EVENT = "extension-call-status"
PHONE_EVENT_TYPES = EVENT_TYPES | {STATUS_EVENT}


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
        """Per extension: registration id -> ``{id, extension_id, url, method, event_type}``."""
        self.phone_events: dict[int, dict[str, Any]] = {}
        """Client-wide: registration id -> ``{id, url, method, event_type}``."""
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

    def _registration(
        self, request: Request, types: frozenset[str]
    ) -> dict[str, Any] | Response:
        """Read ``{url, method, event_type}``: a new registration, or the 400 answer."""
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
        if kind not in types:
            return self._error(400, "unknown event_type")
        event = {"id": self._next_id, "url": url, "method": method, "event_type": kind}
        self._next_id += 1
        return event

    async def add(self, request: Request, extension_id: int) -> Response:
        """``POST /extension/{id}/event/`` with ``{url, method, event_type}``: 201."""
        event = self._registration(request, EVENT_TYPES)
        if isinstance(event, Response):
            return event
        event["extension_id"] = extension_id
        self.events[event["id"]] = event
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

    # -- client-wide (page 247824385) --------------------------------------------------

    async def list_phone_events(self, request: Request) -> Response:
        """``GET /client/{client_id}/phone_events/``."""
        del request
        return Response.json(list(self.phone_events.values()))

    async def add_phone_event(self, request: Request) -> Response:
        """``POST /client/{client_id}/phone_events/`` with ``{url, event_type, method}``."""
        event = self._registration(request, PHONE_EVENT_TYPES)
        if isinstance(event, Response):
            return event
        self.phone_events[event["id"]] = event
        return Response.json(event, status=201)

    async def delete_phone_event(self, request: Request) -> Response:
        """``DELETE /client/{client_id}/phone_events/{id}`` (inferred): 204, or 404."""
        raw = request.path_params.get("event_id", "")
        event = self.phone_events.get(int(raw)) if raw.isdigit() else None
        if event is None:
            return self._error(404, "Record not found")
        del self.phone_events[event["id"]]
        return Response(204)

    # -- the PBX calling out -----------------------------------------------------------

    def _call_out(self, urls: Iterable[str], fields: dict[str, str]) -> None:
        for url in urls:
            for _ in range(self.repeat):
                self.delivered.append((url, fields))
                self._in_background(self.deliver(url, dict(fields)))

    def fire(self, extension_id: int, kind: str, call: dict[str, Any]) -> None:
        """Call every webhook registered for ``kind`` on ``extension_id`` or client-wide."""
        fields = {
            "EventType": kind,
            "CallID": str(call["call_api_id"]),
            "CallerIDNum": str(call.get("caller_id_number") or ""),
            "CalledNumber": str(call.get("called_number") or ""),
            "CallFlow": str(call.get("call_flow") or ""),
        }
        urls = [
            e["url"]
            for e in self.events.values()
            if e["extension_id"] == extension_id and e["event_type"] == kind
        ] + [e["url"] for e in self.phone_events.values() if e["event_type"] == kind]
        self._call_out(urls, fields)

    def fire_status(
        self, extension: dict[str, Any], old: Any, new: Any, when: str
    ) -> None:
        """Call the client-wide ``extension-call-status`` webhooks (page 247824385).

        Args:
            extension: The extension's record (``id``, ``name``, ``client_id``).
            old: The call status id before (``None``: none).
            new: The call status id after.
            when: The change time, ``YYYY-MM-DD HH:MM:SS``.
        """
        fields = {
            "old_status_id": "" if old is None else str(old),
            "new_status_id": "" if new is None else str(new),
            "extension_id": str(extension["id"]),
            "change_dt": when,
            "event_type": "call-status-change",
            "client_id": str(extension["client_id"]),
            "extension_name": str(extension["name"]),
        }
        urls = [
            e["url"]
            for e in self.phone_events.values()
            if e["event_type"] == STATUS_EVENT
        ]
        self._call_out(urls, fields)
