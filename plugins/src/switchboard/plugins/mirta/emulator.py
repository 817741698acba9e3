"""A stateful emulator of the MiRTA PBX legacy proxy API.

It answers ``GET <PROXY_API_PATH>?key=&tenant=&reqtype=&format=`` the way the
vendor does (vendor-apis.md §2.4): plain pipe tables by default, JSON with
``format=json``; HTTP 200 with ``Too bad... you mistaken the security api key.``
for a wrong key or tenant (content type still following ``format``); 0-byte
bodies for "nothing" (``]`` for an empty JSON channel list); PHP's positional
duplicate keys in database rows; a DIDS plain header without its newline; and
extension records that carry SIP/web passwords and 2FA secrets.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from switchboard.core.emulator import Emulator, Request, Response
from switchboard.plugins.mirta.const import (
    BAD_KEY_BODY,
    DND_REQTYPE,
    FLOW_STATE_MAP,
    PROXY_API_PATH,
)
from switchboard.plugins.mirta.emulator_state import (
    EmuChannel,
    EmuOrigination,
    fake_wav,
    seed_tenant,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from switchboard.plugins.mirta.emulator_state import EmuExtension, EmuFlow

DEMO_TENANT = "ACME"
DEMO_API_KEY = "mirta-demo-7c1e4a9b2f"

_JSON = "application/json"
_PLAIN = "text/html; charset=UTF-8"  # what the vendor sends for plain text
_PHP_FATAL = (
    "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted in "
    "<b>/var/www/html/pbx/proxyapi.php</b> on line <b>812</b><br />\n"
)


def _positional(row: dict[str, str]) -> dict[str, str]:
    """PHP's mysqli fetch_array(MYSQLI_BOTH): every value named and numbered."""
    return {**row, **{str(i): value for i, value in enumerate(row.values())}}


class MirtaEmulator(Emulator):
    """One MiRTA tenant behind ``proxyapi.php``.

    Args:
        extensions: How many extensions to seed (benchmarks use 1,000).
        api_key: The key the emulator accepts.
        tenant: The tenant code it accepts.
        proxy_path: Where it serves the proxy API.
    """

    vendor = "mirta"

    def __init__(
        self,
        extensions: int = 24,
        *,
        api_key: str = DEMO_API_KEY,
        tenant: str = DEMO_TENANT,
        proxy_path: str = PROXY_API_PATH,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.tenant = tenant
        self.state = seed_tenant(tenant, extensions)
        self.add_route("GET", proxy_path, self._proxyapi)
        self._handlers: dict[str, Callable[[Request], Awaitable[Response]]] = {
            "PEERS": self._peers,
            "COUNTPEERS": self._countpeers,
            "FLOWS": self._flows,
            "SETFLOW": self._setflow,
            DND_REQTYPE: self._dnd,
            "DIAL": self._dial,
            "INFO": self._info,
            "CHANNELS": self._channels,
            "COUNTCALLS": self._countcalls,
            "HANGUP": self._hangup,
            "TRANSFER": self._transfer,
        }

    # -- vendor hooks ----------------------------------------------------------------

    @staticmethod
    def _is_json(request: Request) -> bool:
        return (request.param("format") or "").lower() == "json"

    async def authenticate(self, request: Request) -> Response | None:
        """Refuse a wrong key, a missing tenant or an unknown tenant alike."""
        if request.param("key") != self.api_key:
            return self.auth_failure_response(request)
        if (request.param("tenant") or "").lower() != self.tenant.lower():
            return self.auth_failure_response(request)
        return None

    def auth_failure_response(self, request: Request) -> Response:
        """HTTP 200 and the sentence; the content type still follows ``format``."""
        content_type = _JSON if self._is_json(request) else _PLAIN
        return Response(
            200, (BAD_KEY_BODY + "\n").encode(), {"content-type": content_type}
        )

    def rate_limit_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """The web server in front of PHP throttles (the API documents no limit)."""
        return Response(
            429,
            b"<html><body><h1>429 Too Many Requests</h1></body></html>",
            {"content-type": "text/html", "retry-after": "1"},
        )

    def server_error_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """What Apache says when PHP-FPM is down."""
        return Response(
            503,
            b"<html><body><h1>Service Unavailable</h1></body></html>",
            {"content-type": "text/html"},
        )

    def malformed_body(self, request: Request) -> bytes:
        """Truncated JSON, or a PHP fatal error page for plain requests."""
        if self._is_json(request):
            return b'[{"ex_number":"100","ex_name":"Anne'
        return _PHP_FATAL.encode()

    def not_found_response(self, request: Request) -> Response:  # noqa: ARG002 - hook signature
        """Apache's 404 for a wrong proxy path."""
        return Response(
            404,
            b"<html><body><h1>Not Found</h1></body></html>",
            {"content-type": "text/html"},
        )

    # -- answer helpers ------------------------------------------------------------------

    def _empty(self, request: Request, body: bytes = b"") -> Response:
        content_type = _JSON if self._is_json(request) else _PLAIN
        return Response(200, body, {"content-type": content_type})

    def _table(  # noqa: PLR0913 - the shapes of one list answer
        self,
        request: Request,
        rows: Sequence[dict[str, str]],
        columns: Sequence[tuple[str, str]],
        *,
        positional: bool = False,
        empty_json: bytes = b"",
        header_end: str = "\n",
    ) -> Response:
        """Answer a list: JSON rows, or a pipe table with the given (header, key) columns."""
        if not rows:
            return self._empty(request, empty_json if self._is_json(request) else b"")
        if self._is_json(request):
            return Response.json([_positional(r) if positional else r for r in rows])
        header = "|".join(name for name, _ in columns)
        lines = ["|".join(str(r.get(key, "")) for _, key in columns) for r in rows]
        text = header + header_end + "\n".join(lines) + "\n"
        return Response(200, text.encode(), {"content-type": _PLAIN})

    def _object(self, request: Request, row: dict[str, str]) -> Response:
        if self._is_json(request):
            return Response.json(row)
        text = "|".join(row) + "\n" + "|".join(row.values()) + "\n"
        return Response(200, text.encode(), {"content-type": _PLAIN})

    def _reply(
        self, request: Request, response: str, message: str, call_id: str | None = None
    ) -> Response:
        """``Success|Message|id|`` in plain, ``{"Response", "Message", "ID"}`` in JSON."""
        if self._is_json(request):
            data: dict[str, Any] = {"Response": response, "Message": message}
            if call_id is not None:
                data["ID"] = call_id
            return Response.json(data)
        fields = [response, message] + ([call_id] if call_id is not None else [])
        return Response(
            200, ("|".join(fields) + "|\n").encode(), {"content-type": _PLAIN}
        )

    # -- dispatch -------------------------------------------------------------------------

    async def _proxyapi(self, request: Request) -> Response:
        reqtype = (request.param("reqtype") or "").upper()
        handler = self._handlers.get(reqtype)
        if handler is None:
            return self._empty(request)  # unknown request types answer nothing
        return await handler(request)

    # -- status ------------------------------------------------------------------------------

    def extension_record(self, ext: EmuExtension) -> dict[str, str]:
        """The JSON record, credentials included, as the vendor sends it."""
        return {
            "ex_id": str(ext.ex_id),
            "te_id": "17",
            "ex_number": ext.number,
            "ex_name": ext.name,
            "ex_tech": ext.tech,
            "ex_username": ext.username,
            "password": ext.password,
            "ex_webpassword": ext.webpassword,
            "ex_2fa_param1": ext.twofa[0],
            "ex_2fa_param2": ext.twofa[1],
            "ex_2fa_param3": ext.twofa[2],
            "ex_lockpin": ext.lockpin,
            "ex_pinlocked": "",
            "ex_email": ext.email,
            "ex_alertemail": "",
            "ex_mailbox": ext.number,
            "ex_callerid": f"{ext.name} <{ext.number}>",
            "ex_language": "da",
            "ex_notes": "",
            "ex_permit": "0.0.0.0/0.0.0.0",
            "ex_state": self.state.device_state(ext),
            "ex_dnd": "on" if ext.dnd else "",
        }

    async def _info(self, request: Request) -> Response:
        info = (request.param("info") or "").lower()
        if info == "extensions":
            return self._info_extensions(request)
        if info == "extstate":
            return self._info_extstate(request)
        if info == "call":
            return self._info_call(request)
        if info == "recording":
            return self._info_recording(request)
        if info == "cdrs":
            return self._info_cdrs(request)
        if info == "dids":
            return self._info_dids(request)
        return self._empty(request)  # unknown info values answer 0 bytes

    def _info_extensions(self, request: Request) -> Response:
        exts = list(self.state.extensions.values())
        if self._is_json(request):
            return self._table(request, [self.extension_record(e) for e in exts], [])
        rows = [
            {
                "Number": e.number,
                "Name": e.name,
                "Tech": e.tech,
                "State": self.state.device_state(e),
                "Username": e.username,
                "Password": e.password,  # yes: the plain table has a Password column
            }
            for e in exts
        ]
        return self._table(
            request,
            rows,
            [
                (k, k)
                for k in ("Number", "Name", "Tech", "State", "Username", "Password")
            ],
        )

    def _info_extstate(self, request: Request) -> Response:
        ext = self.state.extensions.get(request.param("ext") or "")
        if ext is None:
            return self._empty(request)
        row = {
            "UniqueID": "",
            "LinkedID": "",
            "Connected Line ID": "",
            "Connected Line ID Name": "",
            "Context": f"{self.tenant}-internal",
            "Extension": ext.number,
            "Direction": "",
            "OtherParty": "",
        }
        if not ext.registered:
            row |= {"UniqueID": "KO", "LinkedID": "Extension not registered"}
        channel = next((c for c in self.state.channels if c.peer == ext.username), None)
        if channel is not None:
            row |= {
                "UniqueID": channel.uniqueid,
                "LinkedID": channel.linkedid,
                "Connected Line ID": channel.connectedline,
                "Direction": "out" if channel.application == "Dial" else "in",
                "OtherParty": channel.connectedline,
            }
        return self._object(request, row)

    def _info_call(self, request: Request) -> Response:
        call = self.state.originations.get(request.param("id") or "")
        if call is None:
            return self._empty(request)
        row = {
            "ID": call.id,
            "Status": call.status,
            "Source": call.source,
            "Dest": call.dest,
            "UniqueID": call.uniqueid,
        }
        return self._object(request, row)

    def _info_recording(self, request: Request) -> Response:
        wanted = request.param("id") or ""
        call = self.state.originations.get(wanted)
        key = call.uniqueid if call is not None else wanted
        audio = self.state.recordings.get(key)
        if audio is None:
            return self._empty(request)
        return Response(200, audio, {"content-type": "audio/x-wav"})

    def _info_cdrs(self, request: Request) -> Response:
        start = request.param("start") or "0000"
        end = (request.param("end") or "9999") + "\uffff"  # the end date is inclusive
        phones = set(filter(None, (request.param("phone") or "").split(",")))
        rows = [
            r
            for r in self.state.cdrs
            if start <= r["start"] <= end
            and (not phones or phones & {r["realsrc"], r["lastdst"]})
        ]
        columns = [
            ("uniqueid", "uniqueid"),
            ("src", "realsrc"),
            ("dst", "lastdst"),
            ("start", "start"),
            ("duration", "duration"),
            ("direction", "direction"),
            ("disposition", "disposition"),
        ]
        # The plain header is not followed by a newline; here it ends with "|".
        return self._table(request, rows, columns, positional=True, header_end="|")

    def _info_dids(self, request: Request) -> Response:
        columns = [
            ("Number", "di_number"),
            ("Comment", "di_comment"),
            ("Destination", "di_destination"),
        ]
        # The vendor's plain DIDS header is glued to the first row (no newline).
        return self._table(
            request, self.state.dids, columns, positional=True, header_end=""
        )

    async def _peers(self, request: Request) -> Response:
        rows = [
            {
                "name": e.username,
                "ipaddress": e.host,
                "port": "5060",
                "status": f"OK ({12 + e.ex_id % 40} ms)"
                if e.reachable
                else "UNREACHABLE",
                "node": e.node,
                "useragent": "Yealink SIP-T54W 96.86.0.70",
            }
            for e in self.state.extensions.values()
            if e.registered
        ]
        columns = [
            ("Name", "name"),
            ("IPAddress", "ipaddress"),
            ("Port", "port"),
            ("Status", "status"),
            ("Node", "node"),
        ]
        return self._table(request, rows, columns)

    async def _countpeers(self, request: Request) -> Response:
        counts: dict[str, int] = {}
        for ext in self.state.extensions.values():
            if ext.registered:
                counts[ext.node] = counts.get(ext.node, 0) + 1
        data = {
            **{k: str(v) for k, v in sorted(counts.items())},
            "Total": str(sum(counts.values())),
        }
        if self._is_json(request):
            return Response.json(data)
        text = "".join(f"{k}|{v}\n" for k, v in data.items())
        return Response(200, text.encode(), {"content-type": _PLAIN})

    # -- DND --------------------------------------------------------------------------------

    async def _dnd(self, request: Request) -> Response:
        action = (request.param("action") or "").lower()
        ext = self.state.extensions.get(request.param("number") or "")
        if ext is None or action not in {"get", "set"}:
            return self._empty(request)
        if action == "set":
            ext.dnd = (request.param("value") or "").lower() == "on"
            return self._reply(request, "Success", "DND updated")
        value = "on" if ext.dnd else ""
        if self._is_json(request):
            return Response.json({"number": ext.number, "value": value})
        return Response(
            200, f"{ext.number}|{value}|\n".encode(), {"content-type": _PLAIN}
        )

    # -- flows --------------------------------------------------------------------------------

    @staticmethod
    def _flow_row(flow: EmuFlow) -> dict[str, str]:
        return {
            "fl_id": str(flow.fl_id),
            "fl_number": flow.number,
            "fl_name": flow.name,
            "fl_state": flow.state,
            "fl_value": flow.value,
            "fl_variable_name": flow.variable,
        }

    async def _flows(self, request: Request) -> Response:
        rows = [self._flow_row(f) for f in self.state.flows]
        columns = [
            ("Number", "fl_number"),
            ("Name", "fl_name"),
            ("State", "fl_state"),
            ("Value", "fl_value"),
        ]
        return self._table(request, rows, columns, positional=True)

    async def _setflow(self, request: Request) -> Response:
        flow = next(
            (f for f in self.state.flows if f.number == request.param("number")), None
        )
        if flow is None:
            return self._reply(request, "Error", "Flow not found")
        state, value = request.param("state"), request.param("value")
        if state is not None:
            if state.upper() not in {"INUSE", "NOT_INUSE", "UNAVAILABLE", "RINGING"}:
                return self._reply(request, "Error", "Invalid state")
            flow.state = state.upper()
        elif value is not None:
            # The variable drives the state, and the state the variable.
            is_open = value == flow.open_value
            flow.state = FLOW_STATE_MAP["open" if is_open else "closed"].state
        else:
            return self._reply(request, "Error", "Missing state or value")
        return self._reply(request, "Success", "Flow updated")

    # -- calls ---------------------------------------------------------------------------------

    def _channel_row(self, channel: EmuChannel) -> dict[str, str]:
        return {
            "channel": channel.channel,
            "context": channel.context,
            "extension": channel.extension,
            "state": channel.state,
            "application": channel.application,
            "callerid": channel.callerid,
            "connectedline": channel.connectedline,
            "duration": str(int(time.time() - channel.created)),
            "uniqueid": channel.uniqueid,
            "linkedid": channel.linkedid,
        }

    async def _channels(self, request: Request) -> Response:
        rows = [self._channel_row(c) for c in self.state.channels]
        keys = (
            "channel",
            "context",
            "extension",
            "state",
            "application",
            "callerid",
            "connectedline",
            "duration",
            "uniqueid",
            "linkedid",
        )
        names = (
            "Channel",
            "Context",
            "Extension",
            "State",
            "Application",
            "CallerID",
            "ConnectedLine",
            "Duration",
            "UniqueID",
            "LinkedID",
        )
        return self._table(
            request,
            rows,
            list(zip(names, keys, strict=True)),
            positional=True,
            empty_json=b"]",
        )

    async def _countcalls(self, request: Request) -> Response:
        count = str(self.state.call_count())
        if self._is_json(request):
            return Response.json({"calls": count})
        return Response(200, f"{count}\n".encode(), {"content-type": _PLAIN})

    def _number_of(self, value: str) -> str:
        """``100`` for ``100`` or ``100-ACME``."""
        suffix = f"-{self.tenant}".lower()
        return value[: -len(suffix)] if value.lower().endswith(suffix) else value

    async def _dial(self, request: Request) -> Response:
        source = request.param("source") or request.param("exten") or ""
        dest = request.param("dest") or request.param("phone") or ""
        account = request.param("account")
        if source.upper() == "ACCOUNT":
            if not account:
                return self._reply(
                    request, "Error", "Missing account for source ACCOUNT"
                )
            source = self._number_of(account)
        if not source or not dest:
            return self._reply(request, "Error", "Missing source or destination")
        ext = self.state.extensions.get(source)
        call_id = secrets.token_hex(7)
        uniqueid = self.state.new_uniqueid()
        placed = ext is not None and ext.registered and ext.reachable
        recording = request.param("recording") or "no"
        self.state.originations[call_id] = EmuOrigination(
            call_id,
            source,
            dest,
            "ringing" if placed else "failed",
            uniqueid,
            recording,
        )
        if placed and ext is not None:
            self.state.channels.append(
                EmuChannel(
                    channel=self.state.peer_channel(ext.number),
                    context=f"{self.tenant}-internal",
                    extension=dest,
                    state="Ringing",
                    application="AppDial",
                    callerid=request.param("sourceclid") or dest,
                    connectedline=dest,
                    uniqueid=uniqueid,
                    linkedid=uniqueid,
                )
            )
            if recording.startswith("yes"):
                self.state.recordings[uniqueid] = fake_wav()
        # The originate is queued either way; a phone that is offline just never rings.
        return self._reply(request, "Success", "Originate successfully queued", call_id)

    def _call_of(self, name: str) -> EmuChannel | None:
        return next((c for c in self.state.channels if c.channel == name), None)

    async def _hangup(self, request: Request) -> Response:
        channel_name, extension = request.param("channel"), request.param("extension")
        if channel_name:
            found = self._call_of(channel_name)
            targets = [found] if found else []
        else:
            number = self._number_of(extension or "")
            ext = self.state.extensions.get(number)
            targets = [
                c
                for c in self.state.channels
                if ext is not None and c.peer == ext.username
            ]
        if not targets:
            return self._reply(request, "Error", "Channel not found")
        # Hanging up one leg ends the whole call.
        linked = {c.linkedid for c in targets}
        self.state.channels = [
            c for c in self.state.channels if c.linkedid not in linked
        ]
        return self._reply(request, "Success", "Hangup requested")

    async def _transfer(self, request: Request) -> Response:
        channel = self._call_of(request.param("channel") or "")
        dest = request.param("dest") or ""
        if channel is None:
            return self._reply(request, "Error", "Channel not found")
        if not dest:
            return self._reply(request, "Error", "Missing destination")
        keep = {channel.channel, request.param("extrachannel") or ""}
        self.state.channels = [
            c
            for c in self.state.channels
            if c.linkedid != channel.linkedid or c.channel in keep
        ]
        target = self.state.extensions.get(dest)
        self.state.channels.append(
            EmuChannel(
                channel=self.state.peer_channel(dest)
                if target
                else self.state.trunk_channel(),
                context=f"{self.tenant}-internal",
                extension=dest,
                state="Ringing",
                application="AppDial",
                callerid=channel.callerid,
                connectedline=channel.callerid,
                uniqueid=self.state.new_uniqueid(),
                linkedid=channel.linkedid,
            )
        )
        return self._reply(request, "Success", "Transfer requested")

    # -- ringing (switchboard.core.emulator.RingsPhones) ---------------------------

    def ring(self, extension: str, caller: str, *, caller_name: str = "") -> str:  # noqa: ARG002 - CHANNELS carries no caller name
        """Let ``caller`` ring ``extension``: a trunk leg dialling the phone (CHANNELS)."""
        return self.state.add_call(caller, extension, answered=False, age=0)

    def answer(self, call_id: str) -> None:
        """The extension picks up: every leg of the call goes ``Up``."""
        for channel in self.state.channels:
            if channel.linkedid == call_id:
                channel.state = "Up"

    def hang_up(self, call_id: str) -> None:
        """End the call and write its record (``INFO&info=cdrs``, seed 004).

        ``call_id`` is the call's linked id, or the id DIAL answered (an originate).
        """
        origination = self.state.originations.get(call_id)
        if origination is not None:
            call_id = origination.uniqueid
        legs = [c for c in self.state.channels if c.linkedid == call_id]
        self.state.channels = [c for c in self.state.channels if c.linkedid != call_id]
        answered = any(c.state == "Up" for c in legs)
        started = min(c.created for c in legs)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started))
        dialling = next((c for c in legs if c.application == "Dial"), None)
        if dialling is None and origination is not None:  # click-to-dial: outgoing
            source, dest, incoming = origination.source, origination.dest, False
        else:
            assert dialling is not None  # noqa: S101 - rung by ring() or seeded
            source, dest = dialling.callerid, dialling.connectedline
            incoming = source not in self.state.extensions
        self.state.cdrs.append(
            {
                "uniqueid": call_id,
                "ID": str(6000 + len(self.state.cdrs)),
                "te_id": "17",
                "realsrc": source,
                "lastdst": dest,
                "start": stamp,
                "duration": str(int(time.time() - started)),
                "answer": stamp if answered else "",
                "direction": "in" if incoming else "out",
                "disposition": "ANSWERED" if answered else "NO ANSWER",
            }
        )
