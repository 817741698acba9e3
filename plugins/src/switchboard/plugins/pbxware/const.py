"""PBXware constants, including every unknown of vendor-apis.md §7 (P1-P8).

Each unknown is ONE named constant holding the working assumption; no other
module repeats its value. Verifying an item against a real PBXware then changes
one line here and one "known limitations" bullet in the README.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

VENDOR: Final = "pbxware"
DISPLAY_NAME: Final = "PBXware"

# P1: neither the Oct-2025 manual nor Bicom's Postman collection has an
# originate / click-to-call action; ARI would be a separate integration.
CLICK_TO_DIAL_SUPPORTED: Final = False

# P2: the manual says otimes.<target>.set "sets the entire state of the
# destination Operation Times", so fields we leave out are probably cleared.
# We read the entry first and re-send every field (read-modify-write).
OTIMES_SET_REPLACES_STATE: Final = True

# Which request field picks ONE destination in otimes.<target>.list. The
# manual (Operation Times, "Request fields"): "id" for "most" destinations,
# "number" "for example with Queues", "ext" "used for DIDs", plus "server" on
# multi-tenant systems. Only those three examples are documented; that
# ivr, dial_group, servers, routes and erg take "id" is inferred from "most"
# (the manual's own list example is erg with id=12451). For a DID we send the
# DID's own ``ext`` from did.list (its destination number: did.list uses the
# same word for its ``ext`` filter) and pick the answer by DID id, because
# several DIDs can share one ext (inference). otimes.<target>.set always takes
# "id" (its only documented destination argument). Third-party client code
# reads DIDs with id=<DID id>: if a real PBXware agrees, change "did" here.
OTIMES_LOOKUP_FIELD: Final[Mapping[str, str]] = MappingProxyType(
    {
        "did": "ext",
        "ivr": "id",
        "dial_group": "id",
        "servers": "id",
        "routes": "id",
        "queues": "number",
        "erg": "id",
    }
)

# P3: the manual only says "Status of the Operation Times, can be: On, Off,
# Inherit". What each means for routing is unverified, so the raw value is
# exposed and never labelled day/night.
OTIMES_STATUS_VALUES: Final = ("on", "off", "inherit")

# P4: the PBXware 7 Event Manager (licensed, off by default) has no documented
# payload schema, so status is polled from monitor.list, never pushed.
EVENTS_SUPPORTED: Final = False

# P5: there is no recording download action; CDR rows only carry a path.
RECORDING_DOWNLOAD_SUPPORTED: Final = False

# P6: the manual allows GET or POST for every action; Bicom's Postman
# collection uses GET for everything, setters included.
SETTER_METHOD: Final = "GET"

# P7: the manual's own requests go to the site root: "GET /?apikey=…&action=
# pbxware.did.list" (Requests) and "http://pbx.local/?apikey=…" (Testing).
# Bicom's Postman collection and third-party clients use "/index.php", the
# script "/" serves. We follow the manual; the emulator answers both paths.
API_PATH: Final = "/"

# P8: ext.es.states.* is in the Oct-2025 manual but not in the Aug-2024 Postman
# collection, so older PBXware may lack it. We try the bulk call first and,
# when PBXware refuses it in-band, fall back to one es.<service>.get/set per
# service for the rest of the session.
USE_BULK_ES_STATES: Final = True

# P9: what PBXware does with ext.es.<service>.edit while the service is
# Unavailable for the extension (get = "no") is not documented: it may store
# the configuration, refuse it, or make the service available. We never send
# it (the backend reads the accessibility first and reports "not available");
# the emulator refuses it with this in-band error, so a test notices if we do.
UNAVAILABLE_SERVICE_EDIT_ERROR: Final = (
    "Enhanced service is not available for this extension."
)

# P10: forward-on-no-answer takes a ring time per destination; the manual's
# example uses "10". When the user names none and the rule had none, we send
# this many seconds (inference).
NO_ANSWER_DEFAULT_TIMEOUT_SECONDS: Final = 20

# -- documented facts (not unknowns), named once -------------------------------

# Reads are GET in every documented example.
READ_METHOD: Final = "GET"

# The in-band error text for a wrong key (manual, "Handling errors").
INVALID_API_KEY_ERROR: Final = "Invalid API key."

# Admin Settings: "Minimum key size is 10 random characters".
API_KEY_MIN_LENGTH: Final = 10

# Outside Tenant Mode the tenant/server ID is 1 (the master tenant).
DEFAULT_SERVER: Final = "1"

# cdr.download: "Default value is 16", "Maximum value you can set is: 1000".
CDR_DEFAULT_LIMIT: Final = 16
CDR_MAX_LIMIT: Final = 1000
# cdr.download "Status" (seed 003, "status": Answered, Unanswered, Busy, Failed). Only
# "Answered" counts as answered: an incoming call that met a busy line or failed
# reached nobody either, so it is reported as missed (the reading that cannot hurt).
CDR_ANSWERED: Final = "Answered"

# The ES states are "yes", "no" and "pin"; the manual does not say what "pin"
# does to a service. We assume "pin" (switchable from the phone with a PIN)
# does not mean the service is on.
ES_PIN_COUNTS_AS_ON: Final = False
