"""The Operation Times and CDR answers of the PBXware emulator.

Kept apart from :mod:`switchboard.plugins.pbxware.emulator` so that each module stays small.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from switchboard.plugins.pbxware.const import (
    CDR_DEFAULT_LIMIT,
    CDR_MAX_LIMIT,
    OTIMES_STATUS_VALUES,
)
from switchboard.plugins.pbxware.emulator_state import Refusal
from switchboard.plugins.pbxware.quirks import parse_cdr_date

if TYPE_CHECKING:
    from switchboard.core.emulator import Request
    from switchboard.plugins.pbxware.emulator_state import EmulatedCdr

_CDR_STATUS_CODES = {"8": "Answered", "4": "Unanswered", "2": "Busy", "1": "Failed"}
# Each rule list of an Operation Times entry: field name -> PHP array parameter.
_OTIMES_ARRAYS = {
    "closed_dates": (
        ("description", "closed_dates_desc"),
        ("destination", "closed_dates_dest"),
        ("date_from", "closed_dates_date_from"),
        ("date_to", "closed_dates_date_to"),
        ("time_from", "closed_dates_time_from"),
        ("time_to", "closed_dates_time_to"),
    ),
    "custom_destinations": (
        ("destination", "custom_destinations_dest"),
        ("is_open_range", "custom_destinations_is_open"),
        ("days", "custom_destinations_days"),
        ("time_from", "custom_destinations_time_from"),
        ("time_to", "custom_destinations_time_to"),
    ),
    "open_days": (
        ("description", "open_days_desc"),
        ("days", "open_days"),
        ("time_from", "open_days_time_from"),
        ("time_to", "open_days_time_to"),
    ),
}


def operation_times_from(request: Request) -> dict[str, Any]:
    """Build a whole Operation Times entry from an ``otimes.*.set`` request.

    The manual: set "the entire state", so whatever is not sent is cleared.
    """
    status = (request.param("status") or "").lower()
    if status not in OTIMES_STATUS_VALUES:
        msg = "Invalid Operation Times status."
        raise Refusal(msg)
    is_vm = request.param("default_dest_is_vm") or "no"
    if is_vm not in {"yes", "no"}:
        msg = "default_dest_is_vm must be yes or no."
        raise Refusal(msg)
    entry: dict[str, Any] = {
        "status": status,
        "greeting": request.param("greeting") or "",
        "default_dest_ext": request.param("default_dest_ext") or "",
        "default_dest_is_vm": is_vm,
    }
    for name, columns in _OTIMES_ARRAYS.items():
        values = {field: request.params(param) for field, param in columns}
        lengths = {len(v) for v in values.values()}
        if len(lengths) > 1:
            msg = f"The {name.replace('_', ' ')} arrays must have the same length."
            raise Refusal(msg)
        count = lengths.pop()
        entry[name] = [
            {field: values[field][index] for field in values} for index in range(count)
        ]
    for closed in entry["closed_dates"]:
        for day in (closed["date_from"], closed["date_to"]):
            try:
                datetime.strptime(day, "%Y-%m-%d")  # noqa: DTZ007 - a date only
            except ValueError:
                msg = "Closed dates must follow the yyyy-mm-dd format."
                raise Refusal(msg) from None
    return entry


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        msg = "page and limit must be positive numbers."
        raise Refusal(msg)
    return int(text)


def cdr_page(
    cdrs: list[EmulatedCdr], request: Request, *, billing_mode: bool
) -> dict[str, Any]:
    """Answer ``cdr.download``: filter by date, extension and status, then page."""
    try:
        start = parse_cdr_date(request.param("start") or "")
        end = parse_cdr_date(request.param("end") or "")
    except ValueError:
        msg = "Start and end dates are required. Format is: mmm-dd-YYYY"
        raise Refusal(msg) from None
    if request.param("trunk") and request.param("ext"):
        msg = "You cannot supply trunk and ext at the same time!"
        raise Refusal(msg)
    page = _positive(request.param("page") or "1")
    limit = min(
        _positive(request.param("limit") or str(CDR_DEFAULT_LIMIT)), CDR_MAX_LIMIT
    )
    first = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()
    last = (
        datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    ).timestamp()
    numbers = [n for n in (request.param("ext") or "").split(",") if n]
    status = _CDR_STATUS_CODES.get(request.param("status") or "")
    rows = [
        cdr
        for cdr in cdrs
        if first <= cdr.started < last
        and (not numbers or any(f"({n})" in cdr.caller for n in numbers))
        and (status is None or cdr.status == status)
    ]
    chunk = rows[(page - 1) * limit : page * limit]
    return {
        "success": "Success.",
        "next_page": len(rows) > page * limit,
        "limit": limit,
        "records": len(chunk),
        "header": _cdr_header(billing_mode=billing_mode),
        "csv": [_cdr_row(cdr, billing_mode=billing_mode) for cdr in chunk],
    }


def _cdr_header(*, billing_mode: bool) -> list[str]:
    # Billing columns exist only in billing mode, which is why clients must
    # map columns by name.
    billing = ["Rating Duration", "Rating Cost"] if billing_mode else []
    return [
        "From",
        "To",
        "Date/Time",
        "Total Duration",
        *billing,
        "Status",
        "Unique ID",
        "Recording Path",
        "Recording Available",
        "Location Type",
        "MOS",
    ]


def _cdr_row(cdr: EmulatedCdr, *, billing_mode: bool) -> list[Any]:
    billing = (
        [str(cdr.duration), f"{cdr.duration / 60 * 0.25:.5f}"] if billing_mode else []
    )
    path = f"/recordings/{cdr.uniqueid}.mp3" if cdr.recorded else ""
    return [
        cdr.caller,
        cdr.callee,
        str(cdr.started),
        str(cdr.duration),
        *billing,
        cdr.status,
        cdr.uniqueid,
        path,
        "True" if cdr.recorded else "False",
        cdr.location,
        cdr.mos,
    ]
