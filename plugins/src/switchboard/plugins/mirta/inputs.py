"""Checks on what callers pass to the MiRTA client, before anything is sent.

Everything lands in a query string, so values are checked against narrow
patterns: a number that smuggles ``&reqtype=HANGUP`` must never reach the PBX.
"""

from __future__ import annotations

import re

from switchboard.core.errors import SwitchboardInvalidInputError
from switchboard.plugins.mirta.const import RECORDING_CHOICES, VENDOR

# Digits with an optional leading +, plus the *, #, - and letters that feature
# codes and "<number>-<tenant>" peer names use.
_NUMBER_RE = re.compile(r"^\+?[0-9A-Za-z*#.\-]{1,40}$")
_VARIABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.:/@\-]{1,128}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
_MAX_SECONDS = 86_400
FLOW_STATES = ("INUSE", "NOT_INUSE", "UNAVAILABLE", "RINGING")


def _invalid(msg: str) -> SwitchboardInvalidInputError:
    return SwitchboardInvalidInputError(msg, vendor=VENDOR)


def check_number(value: str, what: str) -> str:
    """Return a phone, extension or peer number, or refuse it in plain words."""
    value = value.strip()
    if not _NUMBER_RE.match(value):
        msg = f"{what} must be a phone or extension number, e.g. 100 or +4570305050."
        raise _invalid(msg)
    return value


def check_id(value: str | None, what: str) -> str:
    """Return a call id, unique id or channel name."""
    value = (value or "").strip()
    if not _ID_RE.match(value):
        msg = f"That {what} is not valid."
        raise _invalid(msg)
    return value


def check_date(value: str) -> str:
    """Return a ``YYYY-MM-DD[ HH:MM[:SS]]`` date."""
    value = value.strip()
    if not _DATE_RE.match(value):
        msg = "Dates must look like 2026-01-31 (optionally with a time, 2026-01-31 08:00)."
        raise _invalid(msg)
    return value


def check_flow_state(state: str) -> str:
    """Return a SETFLOW state in the vendor's spelling."""
    if state.upper() not in FLOW_STATES:
        msg = f"A flow state must be one of {', '.join(FLOW_STATES)}."
        raise _invalid(msg)
    return state.upper()


def dial_options(  # noqa: PLR0913 - the documented DIAL options, checked together
    *,
    account: str | None,
    sourceclid: str | None,
    destclid: str | None,
    dialtimeout: int | None,
    timeout: int | None,
    recording: str | None,
    autoanswer: bool | None,
    variables: dict[str, str] | None,
) -> list[tuple[str, str]]:
    """Check DIAL's optional parameters and return them as query pairs."""
    params: list[tuple[str, str]] = []
    for name, number in (
        ("account", account),
        ("sourceclid", sourceclid),
        ("destclid", destclid),
    ):
        if number is not None:
            params.append((name, check_number(number, f"The {name}")))
    for name, seconds in (("dialtimeout", dialtimeout), ("timeout", timeout)):
        if seconds is not None:
            if not 1 <= seconds <= _MAX_SECONDS:
                msg = f"{name} must be between 1 and {_MAX_SECONDS} seconds."
                raise _invalid(msg)
            params.append((name, str(seconds)))
    if recording is not None:
        if recording not in RECORDING_CHOICES:
            msg = f"recording must be one of {', '.join(RECORDING_CHOICES)}."
            raise _invalid(msg)
        params.append(("recording", recording))
    if autoanswer is not None:
        params.append(("autoanswer", "yes" if autoanswer else "no"))
    params.extend(channel_variables(variables or {}))
    return params


def channel_variables(variables: dict[str, str]) -> list[tuple[str, str]]:
    """Check DIAL's ``var`` values (the PBX prefixes the names with the tenant)."""
    params = []
    for name, value in variables.items():
        if not _VARIABLE_RE.match(name) or any(c in value for c in "\r\n"):
            msg = f"{name!r} is not a usable channel variable."
            raise _invalid(msg)
        # How several variables are sent is undocumented; one var= each (M8).
        params.append(("var", f"{name}={value}"))
    return params
