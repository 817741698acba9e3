"""Telphin (Ringme platform) constants, including every unknown from vendor-apis.md §7.

Each §7 unknown (L1-L6) is one named constant holding the working assumption;
no other module repeats the literal, so verifying an item against a real
account changes one line here and one bullet in the README's known limitations.
"""

from __future__ import annotations

from typing import Final

VENDOR: Final = "telphin"
DISPLAY_NAME: Final = "Telphin"

# L1: which host is current (apiproxy vs altapi) and the hosts of white-label
# Ringme operators are unknown. The public clients use apiproxy; others need a
# custom URL. Known limitation: "Other Ringme-based operators need a custom host."
DEFAULT_BASE_URL: Final = "https://apiproxy.telphin.ru"

# L2: the token lifetime when the token answer has no ``expires_in`` (the
# go-sdk fixture has none). One hour; a shorter real lifetime only costs one
# 401 and one renewal, because every 401 renews the token once.
TOKEN_FALLBACK_TTL_S: Final = 3600.0

# L3: Telphin has no DND or presence primitive. DND is offered only when the
# user names a call status to use for it (setting ``dnd_call_status``); this is
# the default of that setting. Known limitation: "Telphin has no native DND;
# switchboard can only switch call statuses."
DND_CALL_STATUS_NAME: Final[str | None] = None

# L4: live recording start/stop does not exist; only ``record_enabled`` for
# future calls. Known limitation: "Telphin recordings are on/off per phone, not
# per call."
LIVE_RECORDING_SUPPORTED: Final = False

# L5: flows / day-night and office hours are not documented. Known limitation:
# "Day/night switching is not available for Telphin."
FLOWS_SUPPORTED: Final = False

# L6: the method of the "Call Interruption" request is undocumented: hanging up
# calls is not used, so there is no constant to hold.

# -- API shape (documented) ----------------------------------------------------

API_PREFIX: Final = "/api/ver1.0"
TOKEN_PATH: Final = "/oauth/token"  # noqa: S105 - a URL path, not a password
# Renew a token this long before ``expires_in`` runs out (the go-sdk's
# RequestNewTokenBeforeExpiresIn); short-lived tokens renew at half-life.
TOKEN_RENEW_EARLY_S: Final = 60.0
# Ringme's rules page makes this header mandatory on every request.
ACCEPT_ENCODING: Final = "gzip"

# The quota error's ``status`` value (Ringme API rules page).
RATE_LIMIT_STATUS: Final = "rate_limit_exceeded"
# 403 ``status`` values that mean "valid credentials, action not allowed".
PERMISSION_STATUSES: Final = frozenset(
    {"access_denied", "user_access_type_deny", "app_access_type_deny"}
)
# The hourly quota resets at most an hour away: never wait that out inside a
# request, raise the rate-limit error at once (vendor-apis.md §4.4).
RATE_LIMIT_MAX_WAIT_S: Final = 0.0

# -- working assumptions that are not §7 items ----------------------------------

# The largest ``per_page`` the list endpoints accept is not documented; 100 is
# a size every public client uses without complaint.
PAGE_SIZE: Final = 100
# A server that answered full pages forever would loop the client forever:
# stop after this many (100,000 extensions).
MAX_PAGES: Final = 1000
# The client resource answers ``GET /client/@me/`` with at least ``id``; its
# other fields are read tolerantly (used only for the account name).
CLIENT_PATH: Final = "/client/@me/"
# How many phone settings are read at once when statuses of named extensions
# are asked for (each is one request against the hourly quota).
PHONE_READ_CONCURRENCY: Final = 8

# Webhooks. Registered client-wide (vendor reference "Webhooks (client-wide)";
# Telphin page "Global events of all telephone terminals in PBX",
# https://ucom4b.atlassian.net/wiki/spaces/RACD/pages/247824385): ``POST
# /client/{client_id}/phone_events/`` with ``{url, event_type, method}`` adds an
# event to every phone extension of the PBX, present and future; ``GET`` lists
# them. The PBX then calls the URL with form-encoded fields (in the body for POST).
PHONE_EVENTS_PATH: Final = "/client/@me/phone_events/"
# Inference: the page we have does not show how one is removed. By analogy with
# the per-extension resource (``DELETE /extension/{id}/event/{id}``, vendor
# reference "Webhooks (per extension)") it is this. Wrong, the removal fails,
# is logged, and the next setup removes the leftover (its URL starts with ours).
# README, known limitations: "the removal of a client-wide webhook is inferred".
PHONE_EVENT_DELETE_PATH: Final = "/client/@me/phone_events/{event_id}"
WEBHOOK_METHOD: Final = "POST"
# Call events carry their type in ``EventType`` (vendor reference "Webhooks (per
# extension)"; the client-wide page: the same types, the same fields).
WEBHOOK_TYPE_FIELD: Final = "EventType"
# The call events we register. Ambiguous: the reference does not say what
# ``EventType`` a callback carries; we read it as the registered type's name.
# Anything else is refused, which at worst loses a push the safety poll heals.
WEBHOOK_CALL_EVENTS: Final = ("dial-in", "dial-out", "answer", "hangup")
# The client-wide-only event: an extension's call status (our DND) changed. Its
# callback names its type in ``event_type`` (lowercase), always
# ``call-status-change``, beside ``old_status_id``, ``new_status_id``,
# ``extension_id``, ``change_dt``, ``client_id`` and ``extension_name`` (page
# 247824385).
WEBHOOK_STATUS_EVENT: Final = "extension-call-status"
WEBHOOK_STATUS_TYPE_FIELD: Final = "event_type"
WEBHOOK_STATUS_CHANGE: Final = "call-status-change"
