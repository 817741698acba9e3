"""A stateful PBXware emulator that answers like the real API.

``GET|POST /?apikey=…&action=pbxware.<object>.<method>`` (the manual's path,
seed 003 "Requests"; ``/index.php`` too), with PBXware's habits: every refusal is HTTP 200
with ``{"error": "…"}`` (a wrong key is ``{"error": "Invalid API key."}``),
lists are JSON objects keyed by internal id or ``[]`` when empty, flags are
strings (``"true"``, ``"yes"``, ``"0"``), setters answer ``{"success": "<text>"}``.
State changes are visible to later reads. An enhanced service's accessibility
(``set``/``get``/``states.*``: yes, no, pin) and its activation (``edit``/
``configuration``: DND's ``dnd`` 0/1/2, forwarding's ``enabled`` conditions)
are separate state, as in PBXware; ``monitor.list`` reports DND's activation,
and editing an Unavailable service follows ``UNAVAILABLE_SERVICE_EDIT_ERROR``.
Other changes:
recording actions change what the next one affects, ``otimes.*.set`` replaces
the whole entry. ``otimes.<target>.list`` answers one destination, asked for by
the field the manual names for it (``id``, ``number`` for queues, ``ext`` for
DIDs); without it the answer is an in-band error.
"""

from __future__ import annotations

import itertools
import random
import time
from typing import TYPE_CHECKING, Any

from switchboard.core.emulator import Emulator, Request, Response
from switchboard.plugins.pbxware.const import (
    API_PATH,
    DEFAULT_SERVER,
    INVALID_API_KEY_ERROR,
    OTIMES_LOOKUP_FIELD,
    UNAVAILABLE_SERVICE_EDIT_ERROR,
    VENDOR,
)
from switchboard.plugins.pbxware.emulator_state import (
    CONDITIONS,
    EmulatedCall,
    EmulatedCdr,
    EmulatedExtension,
    Refusal,
    party,
    seed_calls,
    seed_cdrs,
    seed_dids,
    seed_extensions,
    seed_operation_times,
)
from switchboard.plugins.pbxware.emulator_tables import cdr_page, operation_times_from
from switchboard.plugins.pbxware.models import EsService, OtimesTarget, RecordingCommand

if TYPE_CHECKING:
    from collections.abc import Callable

DEMO_API_KEY = "switchboard-demo-pbxware-key"
"""The key the demo and the tests use; any other key is refused."""

_SERVICES = frozenset(s.value for s in EsService)
# The manual's path, and the script behind it that Postman calls by name.
_PATHS = tuple(dict.fromkeys((API_PATH, "/", "/index.php")))
_STATE_CODES = {"no": 0, "pin": 1, "yes": 2}
# How the refusal for a missing Operation Times request field names it.
_OTIMES_FIELD_NAMES = {"id": "ID", "number": "number", "ext": "extension"}
_CALLFWD_PARAMS = {
    "unconditional": ("uncond_dests", "uncond_timeouts"),
    "busy": ("busy_dests", "busy_timeouts"),
    "no answer": ("noansw_dests", "noansw_timeouts"),
    "line unavailable": ("unavail_dests", "unavail_timeouts"),
}


def _keyed(items: dict[str, Any]) -> Response:
    # PHP's json_encode of an empty array is [], not {}.
    return Response.json(items or [])


def _split(text: str | None) -> list[str]:
    return [] if not text else text.split(",")


class PbxwareEmulator(Emulator):
    """The PBXware API of one tenant, in memory.

    Args:
        extensions: How many extensions to seed (benchmarks use 1,000).
        api_key: The only key accepted.
        server: The tenant (server) id.
        billing_mode: Add the billing columns to CDRs, as billing mode does.
        clock: Seconds since the epoch (injected to test timed DND).
        seed: Seed of the generated names, PINs and CDRs.
        bulk_es_states: Answer ``ext.es.states.*``; False plays an older
            PBXware without them (they are missing from the Aug-2024 Postman).
    """

    vendor = VENDOR

    def __init__(  # noqa: PLR0913 - keyword configuration
        self,
        extensions: int = 24,
        *,
        api_key: str = DEMO_API_KEY,
        server: str = DEFAULT_SERVER,
        billing_mode: bool = False,
        clock: Callable[[], float] = time.time,
        seed: int = 7,
        bulk_es_states: bool = True,
    ) -> None:
        super().__init__()
        self.bulk_es_states = bulk_es_states
        self.api_key = api_key
        self.server = server
        self.billing_mode = billing_mode
        self.clock = clock
        rng = random.Random(seed)
        now = clock()
        seeded = seed_extensions(extensions, rng)
        self.extensions: dict[str, EmulatedExtension] = {e.id: e for e in seeded}
        self.calls: dict[str, EmulatedCall] = seed_calls(seeded, now)
        reception = seeded[0].number if seeded else "200"
        self.dids: dict[str, dict[str, str]] = seed_dids(server, reception)
        self.operation_times, self._otimes_lookup = seed_operation_times(
            server, reception, self.dids
        )
        self.cdrs: list[EmulatedCdr] = seed_cdrs(seeded, now, rng)
        self._call_sequence = itertools.count(1000)
        for path in _PATHS:
            self.add_route("GET", path, self._api)
            self.add_route("POST", path, self._api)

    # -- how PBXware fails -------------------------------------------------------

    async def authenticate(self, request: Request) -> Response | None:
        """Refuse any key but ours, the PBXware way (HTTP 200 + error)."""
        # Apache answers 404 for other paths before PHP ever sees the key.
        if request.path not in _PATHS:
            return None
        if request.param("apikey") != self.api_key:
            return self.auth_failure_response(request)
        return None

    def auth_failure_response(self, request: Request) -> Response:  # noqa: ARG002 - the base hook
        """``{"error": "Invalid API key."}`` with HTTP 200."""
        return Response.json({"error": INVALID_API_KEY_ERROR})

    def rate_limit_response(self, request: Request) -> Response:  # noqa: ARG002 - the base hook
        """PBXware documents no limit; a proxy in front answers 429."""
        return Response.text("Too Many Requests", 429, {"retry-after": "1"})

    def server_error_response(self, request: Request) -> Response:  # noqa: ARG002 - the base hook
        """Apache in front of PBXware's PHP."""
        body = "<html><body><h1>503 Service Unavailable</h1></body></html>"
        return Response(503, body.encode(), {"content-type": "text/html"})

    def malformed_body(self, request: Request) -> bytes:  # noqa: ARG002 - the base hook
        """What PHP prints when the script dies half-way."""
        return (
            b"<br />\n<b>Fatal error</b>:  Allowed memory size exhausted in "
            b"<b>/opt/pbxware/pw/www/api/index.php</b> on line <b>87</b><br />\n"
            b'{"1": {"name": '
        )

    def not_found_response(self, request: Request) -> Response:  # noqa: ARG002 - the base hook
        """Apache's 404 for a wrong path."""
        body = "<html><body><h1>Not Found</h1></body></html>"
        return Response(404, body.encode(), {"content-type": "text/html"})

    # -- dispatch ----------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        self._expire_dnd()
        application, _, rest = (request.param("action") or "").partition(".")
        handler = self._resolve(rest.split(".")) if application == "pbxware" else None
        if handler is None:
            return Response.json({"error": "Invalid action."})
        try:
            return handler(request)
        except Refusal as refusal:
            return Response.json({"error": refusal.text})

    def _resolve(self, parts: list[str]) -> Callable[[Request], Response] | None:
        fixed: dict[tuple[str, ...], Callable[[Request], Response]] = {
            ("dashboard", "ext_online"): self._ext_online,
            ("did", "list"): self._did_list,
            ("ext", "list"): self._ext_list,
            ("ext", "configuration"): self._ext_configuration,
            ("ext", "es", "states", "get"): self._states_get,
            ("ext", "es", "states", "set"): self._states_set,
            ("ext", "es", "dnd", "configuration"): self._dnd_configuration,
            ("ext", "es", "dnd", "edit"): self._dnd_edit,
            ("ext", "es", "callfwd", "configuration"): self._callfwd_configuration,
            ("ext", "es", "callfwd", "edit"): self._callfwd_edit,
            ("monitor", "list"): self._monitor_list,
            ("monitor", "live_calls"): self._live_calls,
            ("cdr", "download"): self._cdr_download,
        }
        if not self.bulk_es_states:
            del fixed["ext", "es", "states", "get"], fixed["ext", "es", "states", "set"]
        key = tuple(parts)
        if key in fixed:
            return fixed[key]
        if len(parts) == 4 and parts[:2] == ["ext", "es"] and parts[2] in _SERVICES:
            service, method = parts[2], parts[3]
            if method == "get":
                return lambda request: self._es_get(request, service)
            if method == "set":
                return lambda request: self._es_set(request, service)
        if (
            len(parts) == 2
            and parts[0] == "recording"
            and parts[1] in {c.value for c in RecordingCommand}
        ):
            command = parts[1]
            return lambda request: self._recording(request, command)
        if len(parts) == 3 and parts[0] == "otimes":
            target, method = parts[1], parts[2]
            if target in {t.value for t in OtimesTarget} and method in {"list", "set"}:
                if method == "list":
                    return lambda request: self._otimes_list(request, target)
                return lambda request: self._otimes_set(request, target)
        return None

    # -- helpers -----------------------------------------------------------------

    def _foreign_tenant(self, request: Request) -> bool:
        server = request.param("server")
        return bool(server) and server != self.server

    def _require_tenant(self, request: Request) -> None:
        if not request.param("server"):
            msg = "Server/Tenant ID is required."
            raise Refusal(msg)
        if self._foreign_tenant(request):
            msg = "Server/Tenant not found."
            raise Refusal(msg)

    def _extension(self, request: Request) -> EmulatedExtension:
        self._require_tenant(request)
        ext_id = request.param("id")
        if not ext_id:
            msg = "Extension ID is required."
            raise Refusal(msg)
        extension = self.extensions.get(ext_id)
        if extension is None:
            msg = "Extension does not exist."
            raise Refusal(msg)
        return extension

    def _on_call(self, number: str) -> bool:
        return any(number in call.numbers for call in self.calls.values())

    def _set_state(
        self, extension: EmulatedExtension, service: str, state: str
    ) -> None:
        if state not in _STATE_CODES:
            msg = "Invalid state. Allowed values are yes, no and pin."
            raise Refusal(msg)
        # Accessibility only: DND's dnd and forwarding's rules stay as they are.
        extension.es[service] = state

    @staticmethod
    def _check_editable(extension: EmulatedExtension, service: EsService) -> None:
        # P9: unknown on a real PBXware; the emulator follows the constant.
        if extension.es[service.value] == "no" and UNAVAILABLE_SERVICE_EDIT_ERROR:
            raise Refusal(UNAVAILABLE_SERVICE_EDIT_ERROR)

    def _expire_dnd(self) -> None:
        now = self.clock()
        for extension in self.extensions.values():
            if extension.dnd_until is not None and now >= extension.dnd_until:
                extension.dnd_until = None
                extension.dnd_config["dnd"] = "0"

    # -- dashboard and extensions ------------------------------------------------

    def _ext_online(self, request: Request) -> Response:
        online = (
            0
            if self._foreign_tenant(request)
            else sum(e.online for e in self.extensions.values())
        )
        return Response.json({"type": "Extensions Online", "count": online})

    def _ext_list(self, request: Request) -> Response:
        if self._foreign_tenant(request):
            return _keyed({})
        return _keyed({e.id: e.list_row() for e in self.extensions.values()})

    def _ext_configuration(self, request: Request) -> Response:
        self._require_tenant(request)
        ext_id, number = request.param("id"), request.param("ext")
        if ext_id and number:
            msg = "You cannot supply id and ext at the same time!"
            raise Refusal(msg)
        found = [
            e
            for e in self.extensions.values()
            if (ext_id and e.id == ext_id) or (number and e.number == number)
        ]
        if not found:
            msg = "Extension does not exist."
            raise Refusal(msg)
        return Response.json({found[0].id: found[0].configuration(self.server)})

    # -- enhanced services -------------------------------------------------------

    def _es_get(self, request: Request, service: str) -> Response:
        return Response.json({"state": self._extension(request).es[service]})

    def _es_set(self, request: Request, service: str) -> Response:
        extension = self._extension(request)
        state = request.param("state") or ""
        self._set_state(extension, service, state)
        code = _STATE_CODES[state]
        return Response.json({"success": f"{extension.id}: {code}.", "state": state})

    def _states_get(self, request: Request) -> Response:
        extension = self._extension(request)
        wanted = request.param("services")
        if not wanted:
            msg = "Services argument is required."
            raise Refusal(msg)
        names = sorted(_SERVICES) if wanted == "all" else _split(wanted)
        if any(name not in _SERVICES for name in names):
            msg = "Unknown enhanced service."
            raise Refusal(msg)
        return Response.json({name: extension.es[name] for name in names})

    def _states_set(self, request: Request) -> Response:
        extension = self._extension(request)
        everything = request.param("all")
        if everything is not None:
            if everything not in {"yes", "no"}:
                msg = "Invalid state for all. Allowed values are yes and no."
                raise Refusal(msg)
            changes = dict.fromkeys(_SERVICES, everything)
        else:
            changes = {
                name: value
                for name in _SERVICES
                if (value := request.param(name)) is not None
            }
        if not changes:
            msg = "No Enhanced Service states given."
            raise Refusal(msg)
        for name, value in changes.items():
            self._set_state(extension, name, value)
        return Response.json(
            {"success": "Updated Enhanced Service states successfully."}
        )

    def _dnd_configuration(self, request: Request) -> Response:
        return Response.json(dict(self._extension(request).dnd_config))

    def _dnd_edit(self, request: Request) -> Response:
        extension = self._extension(request)
        mode = request.param("dnd")
        dst, dsttype, duration = (
            request.param("dst"),
            request.param("dsttype"),
            request.param("duration"),
        )
        if mode not in {"0", "1", "2"}:
            msg = "Set dnd to 0, 1 or 2 (Not Active, Temporary, Permanent)."
            raise Refusal(msg)
        if (dst and not dst.isdigit()) or (duration and not duration.isdigit()):
            msg = "Destination and duration must be numbers only."
            raise Refusal(msg)
        if dsttype is not None and dsttype not in {"voicemail", "call forward"}:
            msg = "Destination type must be voicemail or call forward."
            raise Refusal(msg)
        if mode == "1" and not (duration and int(duration) >= 1):
            msg = "Temporary DND needs a duration in hours."
            raise Refusal(msg)
        self._check_editable(extension, EsService.DND)
        config = extension.dnd_config
        config["dnd"] = mode
        for name, value in (("dst", dst), ("dsttype", dsttype), ("duration", duration)):
            if value is not None:
                config[name] = value
        extension.dnd_until = (
            self.clock() + int(duration or 0) * 3600 if mode == "1" else None
        )
        return Response.json({"success": "Edited Do Not Disturb successfully."})

    def _callfwd_configuration(self, request: Request) -> Response:
        fwd = self._extension(request).callfwd
        return Response.json(
            {
                "play": fwd["play"],
                "cid": fwd["cid"],
                "enabled": list(fwd["enabled"]),
                "destinations": {c: list(v) for c, v in fwd["destinations"].items()},
                "timeouts": {c: list(v) for c, v in fwd["timeouts"].items()},
            }
        )

    def _callfwd_edit(self, request: Request) -> Response:
        extension = self._extension(request)
        enabled = _split(request.param("enabled"))
        if any(c not in CONDITIONS for c in enabled):
            msg = "Unknown call forward condition."
            raise Refusal(msg)
        destinations, timeouts = {}, {}
        for condition, (dests_key, timeouts_key) in _CALLFWD_PARAMS.items():
            dests = _split(request.param(dests_key))
            waits = (request.param(timeouts_key) or "").split(",") if dests else []
            if len(waits) != len(dests):
                msg = "dests, timeouts and dtypes lists must mach in size"
                raise Refusal(msg)
            destinations[condition], timeouts[condition] = dests, waits
        flags = {name: request.param(name) for name in ("play", "cid")}
        if any(v not in {None, "0", "1"} for v in flags.values()):
            msg = "play and cid must be 1 or 0."
            raise Refusal(msg)
        self._check_editable(extension, EsService.CALLFWD)
        fwd = extension.callfwd
        fwd.update({k: v for k, v in flags.items() if v is not None})
        fwd.update(enabled=enabled, destinations=destinations, timeouts=timeouts)
        return Response.json({"success": "Edited Call Forwarding successfully."})

    # -- monitor and recording ---------------------------------------------------

    def _monitor_list(self, request: Request) -> Response:
        if self._foreign_tenant(request):
            return _keyed({})
        return _keyed(
            {
                e.id: {
                    "name": e.name,
                    "ext": e.number,
                    "ip": e.ip,
                    "status": "online" if e.online else "offline",
                    "ua": e.phone[2] if e.online else "",
                    # Activation, not accessibility (seed 003, monitor.list).
                    "dnd": "false" if e.dnd_config["dnd"] == "0" else "true",
                    "on_call": "true" if self._on_call(e.number) else "false",
                }
                for e in self.extensions.values()
            }
        )

    def _live_calls(self, request: Request) -> Response:
        if self._foreign_tenant(request):
            return _keyed({})
        return _keyed(
            {
                c.uniqueid: {
                    "from": c.caller,
                    "to": c.callee,
                    "timestamp": str(int(c.started)),
                }
                for c in self.calls.values()
            }
        )

    def _recording(self, request: Request, command: str) -> Response:
        self._require_tenant(request)
        number = request.param("ext")
        if not number:
            msg = "Extension number is required."
            raise Refusal(msg)
        before, after = {
            "start": ({"off"}, "on"),
            "stop": ({"on", "paused"}, "off"),
            "pause": ({"on"}, "paused"),
            "unpause": ({"paused"}, "on"),
        }[command]
        affected = 0
        for call in self.calls.values():
            if number in call.numbers and call.recording in before:
                call.recording = after
                affected += 1
        message = (
            "Call status updated successfully."
            if affected
            else "No calls have been updated."
        )
        return Response.json({"success": message, "affected_calls": affected})

    # -- operation times and CDRs ----------------------------------------------------

    def _did_list(self, request: Request) -> Response:
        if self._foreign_tenant(request):
            return _keyed({})
        # "ext: Filter DID list by Destination Number".
        wanted = request.param("ext")
        return _keyed(
            {
                did_id: dict(row)
                for did_id, row in self.dids.items()
                if not wanted or wanted in _split(row["ext"])
            }
        )

    def _otimes_list(self, request: Request, target: str) -> Response:
        # Strict like the manual: the list is asked for per destination, by the
        # one field this kind of destination is looked up by.
        field = OTIMES_LOOKUP_FIELD[target]
        wanted = request.param(field)
        if not wanted:
            msg = f"Destination {_OTIMES_FIELD_NAMES[field]} is required."
            raise Refusal(msg)
        if self._foreign_tenant(request):
            return _keyed({})
        found = {
            dest_id: entry
            for dest_id, entry in self.operation_times[target].items()
            if self._otimes_key(target, dest_id, field) == wanted
        }
        return _keyed(found)

    def _otimes_key(self, target: str, dest_id: str, field: str) -> str | None:
        if field == "id":
            return dest_id
        return self._otimes_lookup.get((target, dest_id), {}).get(field)

    def _otimes_set(self, request: Request, target: str) -> Response:
        if self._foreign_tenant(request):
            msg = "Server/Tenant not found."
            raise Refusal(msg)
        # The manual documents only "id: Destination ID to edit" for set.
        dest_id = request.param("id")
        if not dest_id:
            msg = f"Destination {_OTIMES_FIELD_NAMES['id']} is required."
            raise Refusal(msg)
        if dest_id not in self.operation_times[target]:
            msg = "Destination not found."
            raise Refusal(msg)
        self.operation_times[target][dest_id] = operation_times_from(request)
        return Response.json({"success": "Edited Operation Times successfully."})

    def _cdr_download(self, request: Request) -> Response:
        return Response.json(
            cdr_page(self.cdrs, request, billing_mode=self.billing_mode)
        )

    # -- for tests and the demo --------------------------------------------------

    def extension_by_number(self, number: str) -> EmulatedExtension:
        """Return the seeded extension with dialable ``number``."""
        return next(e for e in self.extensions.values() if e.number == number)

    def start_call(self, caller: EmulatedExtension, callee: str) -> EmulatedCall:
        """Put ``caller`` on a new outbound call (for tests and the demo)."""
        started = self.clock()
        uniqueid = f"{int(started)}.{next(self._call_sequence)}"
        call = EmulatedCall(uniqueid, party(caller), callee, started, (caller.number,))
        self.calls[uniqueid] = call
        return call

    # -- ringing (switchboard.core.emulator.RingsPhones) ---------------------------

    def ring(self, extension: str, caller: str, *, caller_name: str = "") -> str:
        """Let ``caller`` ring ``extension``: a live call (seed 003, "Live Calls")."""
        callee = self.extension_by_number(extension)
        started = self.clock()
        uniqueid = f"{int(started)}.{next(self._call_sequence)}"
        shown = f"{caller_name} ({caller})" if caller_name else caller
        self.calls[uniqueid] = EmulatedCall(
            uniqueid, shown, party(callee), started, (callee.number,)
        )
        return uniqueid

    def answer(self, call_id: str) -> None:
        """The extension picks up."""
        self.calls[call_id].answered = True

    def hang_up(self, call_id: str) -> None:
        """End the call and write its CDR (seed 003, "CDR": Answered/Unanswered)."""
        call = self.calls.pop(call_id)
        self.cdrs.append(
            EmulatedCdr(
                caller=call.caller,
                callee=call.callee,
                started=int(call.started),
                duration=int(self.clock() - call.started),
                status="Answered" if call.answered else "Unanswered",
                uniqueid=call_id,
                recorded=False,
                location="Remote",
                mos=0.0,
            )
        )
