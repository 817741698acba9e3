"""MiRTA PBX constants: names, and every unknown of vendor-apis.md §7 (M1-M10).

Each unknown is exactly ONE named constant holding the working assumption; no
other module repeats the literal. Verifying an item against a real server then
changes one line here and one bullet in the README's "Known limitations".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from types import MappingProxyType
from typing import Final

VENDOR: Final = "mirta"
DISPLAY_NAME: Final = "MiRTA PBX"

# -- §7 unknowns ----------------------------------------------------------------

# M1: production servers serve the proxy API under /pbx/, the vendor demo and its
# examples under /mirtapbx/. The path is also a connection setting.
PROXY_API_PATH: Final = "/pbx/proxyapi.php"

# M2: whether (and where) the newer OpenAPI is deployed is unknown per reseller.
# Switchboard speaks the legacy proxy API only. Known limitation: "Call forwarding
# needs MiRTA's OpenAPI."
OPENAPI_PATH: Final[str | None] = None

# M3: reqtype=DND is absent from the seed's syntax index (it predates it); newer
# servers list it in their HELP output. Known limitation: "DND needs a MiRTA
# version with the DND request type."
DND_REQTYPE: Final = "DND"

# M4: the proxy API has no call-forwarding request (only OpenAPI PATCH
# /extensions/{ex_id} does). Known limitation: as M2.
PROXY_FORWARDING_SUPPORTED: Final = False

# M5: recording can only be chosen when a call is placed (DIAL recording=...).
# Known limitation: "Recording can only be chosen when a call is placed."
LIVE_RECORDING_SUPPORTED: Final = False


@dataclass(frozen=True, slots=True)
class FlowWireState:
    """How one flow position looks on the wire.

    Attributes:
        state: The BLF device state SETFLOW sets and FLOWS reports.
        value: The flow variable's value FLOWS reports in that position.
    """

    state: str
    value: str


# M6: the mapping between a flow being open (active) / closed and SETFLOW's
# state/value is unverified. MiRTA keeps state and variable in step ("if the
# state is changed, the variable value is changed accordingly"), and the value
# strings are chosen per tenant, so Switchboard WRITES only the state (a fixed
# vocabulary) and READS the state, falling back to the value when a row has no
# state. Known limitation: "Day/night mapping for MiRTA is unverified."
FLOW_STATE_MAP: Final = MappingProxyType(
    {
        "open": FlowWireState(state="INUSE", value="open"),
        "closed": FlowWireState(state="NOT_INUSE", value="closed"),
    }
)

# M7: OpenAPI /conditions semantics are unknown: no office-hours override.
OFFICE_HOURS_SUPPORTED: Final = False

# M8: response schemas are undocumented (so every wire model is tolerant and
# accepts the plain-table and JSON spellings of a field) and so is the full
# OpenAPI error-code list. Unknown codes become a response error. Switchboard
# does not call OpenAPI yet; the list is kept for when it does.
KNOWN_OPENAPI_ERROR_CODES: Final = frozenset(
    {
        "missing_api_key",
        "invalid_api_key",
        "tenant_required",
        "invalid_json",
        "read_only_api_key",
        "method_not_allowed",
        "not_found",
    }
)

# M9: the exact in-band refusal: HTTP 200 and this sentence (46 bytes with the
# newline) for a wrong key, a missing tenant and an unknown tenant alike, even
# when the content type claims JSON.
BAD_KEY_BODY: Final = "Too bad... you mistaken the security api key."

# M10: there are no push events: status is polled. Known limitation: "MiRTA
# status is polled, not pushed."
EVENTS_SUPPORTED: Final = False

# -- further working assumptions (same rule: one constant each) -------------------

# The 148-field INFO extensions record is undocumented; we assume it carries the
# DND flag under this name, so bulk status needs no per-extension DND request.
# When a row lacks it, DND is read with reqtype=DND for small explicit lookups
# and reported as unknown otherwise.
EXTENSION_DND_FIELD: Final = "ex_dnd"

# A status lookup for at most this many extensions whose rows carry no DND flag
# asks reqtype=DND per extension; larger lookups never do (the request count of
# a full refresh must not grow with the number of extensions).
DND_LOOKUP_LIMIT: Final = 5

# Extension-record fields that carry credentials. They are dropped at parse
# time, before validation, and never stored or logged. Any field whose name
# contains one of CREDENTIAL_MARKERS is dropped too.
CREDENTIAL_FIELDS: Final = frozenset(
    {
        "password",
        "secret",
        "ex_password",
        "ex_secret",
        "ex_webpassword",
        "ex_lockpin",
        "ex_vmpassword",
        "ex_2fa_param1",
        "ex_2fa_param2",
        "ex_2fa_param3",
    }
)
CREDENTIAL_MARKERS: Final = ("password", "secret", "2fa", "pin", "token")

# Device states (INFO extensions, EXTSTATE, flows) that mean "busy on a call".
ON_CALL_STATES: Final = frozenset({"INUSE", "BUSY", "RINGING", "RINGINUSE", "ONHOLD"})

# Peer statuses (PEERS) that mean the phone is listed but not reachable.
UNREACHABLE_PEER_STATUSES: Final = ("UNREACHABLE", "UNKNOWN", "UNMONITORED")

# DIAL recording= values (seed: "use: yes, no, yeschange or nochange").
RECORDING_CHOICES: Final = ("yes", "no", "yeschange", "nochange")

# INFO&info=cdrs (seed 004 lists the report, not its columns): the emulator and the
# client read ``direction`` ``in``/``out`` and Asterisk's ``disposition``. Only
# ANSWERED counts as answered (NO ANSWER, BUSY, FAILED: the caller reached nobody).
CDR_ANSWERED: Final = "ANSWERED"
CDR_INCOMING: Final = "in"
# The seed does not say which timezone ``start`` is in; we read UTC. A tenant on
# local time sees missed calls from the history late or early by its UTC offset
# (live calls are not affected). Listed in the README's known limitations.
CDR_TIMEZONE: Final = UTC
# A channel group with a single AppDial leg is an originate (DIAL, click-to-dial):
# outgoing, never a missed call, although the phone shows the destination as caller.
ORIGINATE_IS_OUTGOING: Final = True
