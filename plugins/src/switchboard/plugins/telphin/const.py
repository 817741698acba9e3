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

# Webhooks (vendor reference §4.5, "Webhooks (per extension)"): registered per
# extension with ``{url, method, event_type}``; the PBX then calls the URL with
# form-encoded fields (in the body for POST), among them ``EventType``.
WEBHOOK_METHOD: Final = "POST"
WEBHOOK_TYPE_FIELD: Final = "EventType"
# The call events we register. Ambiguous: the reference does not say what
# ``EventType`` a callback carries; we read it as the registered type's name.
# Anything else is refused, which at worst loses a push the safety poll heals.
WEBHOOK_CALL_EVENTS: Final = ("dial-in", "dial-out", "answer", "hangup")
