"""TelecomX constants, including every unknown of vendor-apis.md §7 (T1-T7).

Each unknown is ONE named constant holding the working assumption; no other
module repeats the literal. Verifying an item against a real account changes
one line here and one bullet in the README's known limitations.
"""

from __future__ import annotations

import re
from typing import Final

VENDOR: Final = "telecomx"
DISPLAY_NAME: Final = "TelecomX"
DEFAULT_URL: Final = "https://api.telecomx.dk"

# T1: how the token travels on ordinary requests is not documented. The wiki's
# callbacks (`/pbx/recording/{id}/auth?token=…`) take it as a `token` query
# parameter, so we assume every call does (inference). `token` is also one of
# the parameter names switchboard.core.redaction blanks in every URL.
TOKEN_QUERY_PARAM: Final = "token"  # noqa: S105 - a parameter name, not a secret

# T2: the presence field of `POST /employee/{id}` (and of the employee records
# of `/pbx/app/employees`) is not documented. We assume `presence` with the
# values below (inferred from the extension fields onPresenceOffWork, …). The
# emulator follows this constant, so the tests cannot tell whether the guess is
# right: setting presence is listed as unverified in the known limitations.
PRESENCE_FIELD: Final = "presence"
PRESENCE_VALUES: Final = ("WORK", "OFF_WORK", "HOLIDAY", "BUSY")

# T3: the JSON shape of error bodies is not documented. The wiki lists a short
# code per status (`404 not_found`, `422 device`); we read it from this field
# and always fall back to the HTTP status.
ERROR_MESSAGE_FIELD: Final = "message"

# T4: the audio servers' download URL is not documented.
RECORDING_DOWNLOAD_URL: Final[str | None] = None

# T5: no documented call writes a time router (office hours), creates a
# call-notify webhook or lists extensions; extensions are enumerated through
# `/pbx/app/employees`, office hours are not offered.
TIMEROUTER_WRITE_SUPPORTED: Final = False

# T6: the Engine.IO version of the realtime (socket.io) server is unknown, so
# status is polled.
REALTIME_ENABLED: Final = False

# T7: rate limits are not documented; a 429 is handled by core's generic
# table (Retry-After honoured). No constant needed beyond this note.

# Login tokens live 15 minutes (`expiresInMinutes`, -1 = persistent). We log in
# again this many seconds before the PBX would reject the token.
TOKEN_RENEW_MARGIN_SECONDS: Final = 60.0
PERSISTENT_TOKEN_MINUTES: Final = -1

# Short codes that mean "the token itself is bad" (reauth), as opposed to
# `access_denied` ("this account may not do that"). `validateToken` answers 403
# for an invalid token, so a 403 carrying one of these is a credential problem
# too (inference).
TOKEN_ERROR_CODES: Final = frozenset(
    {"invalid_token", "token_expired", "unauthorized", "login_failed"}
)

# Every TelecomX id is a MongoDB ObjectId: 24 hex characters.
OBJECT_ID_RE: Final = re.compile(r"^[0-9a-fA-F]{24}$")

# Switch names: optional `SHARED:` or `<employee id>:` prefix, then at most 50
# characters of [a-zA-Z0-9_-] (api:pbx:switch:set).
SWITCH_NAME_RE: Final = re.compile(
    r"^(?:(?:SHARED|[0-9a-fA-F]{24}):)?[A-Za-z0-9_-]{1,50}$"
)

# Numbers for redirect/dial targets: an optional +, then digits (local
# extensions are short numbers, E.164 numbers up to 15 digits).
NUMBER_RE: Final = re.compile(r"^\+?[0-9]{2,20}$")

# `noAnswer.timeout` range in seconds (001_d475557f66c1db1c.txt).
NO_ANSWER_TIMEOUT_MIN: Final = 5
NO_ANSWER_TIMEOUT_MAX: Final = 60

# Forwarding rules (`forward busy|noanswer`) set `busy`/`noAnswer` ext and int
# actions to NUMBER (001_d475557f66c1db1c.txt). What the extension did before
# is not kept by the PBX, so `off` puts back the documented defaults ("Default
# NOTHING" for no answer, "BUSY (default)" for busy), and only on the sides
# that forward to a number: a voicemail or goto set in the portal stays.
NO_ANSWER_OFF_ACTION: Final = "NOTHING"
BUSY_OFF_ACTION: Final = "BUSY"
