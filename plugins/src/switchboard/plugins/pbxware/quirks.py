"""Parsers for PBXware's wire quirks, used by the models' validators.

PBXware encodes flags as strings in at least four ways ("true"/"false",
"yes"/"no", "0"/"1", and "True" in CDRs) and sends lists as JSON objects keyed
by internal id, or as ``[]`` when the list is empty. Each quirk is parsed by
exactly one function here, explicitly: ``bool("false")`` is True, so nothing
may fall back to Python truthiness. Error messages never quote the value (it
could be anything the PBX sent).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator


def _flag(true: str, false: str) -> BeforeValidator:
    """Build a validator accepting exactly ``true``/``false`` (any case) or a bool."""

    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            if text == true:
                return True
            if text == false:
                return False
        msg = f"expected '{true}' or '{false}'"
        raise ValueError(msg)

    return BeforeValidator(parse)


def _zero_one(value: Any) -> bool:
    # "0"/"1" flags sometimes arrive as JSON numbers; 2 or "yes" are errors.
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    msg = "expected '0' or '1'"
    raise ValueError(msg)


TrueFalse = Annotated[bool, _flag("true", "false")]
"""monitor.list ``dnd``/``on_call``, CDR "Recording Available" ("True")."""

YesNo = Annotated[bool, _flag("yes", "no")]
"""Operation Times ``default_dest_is_vm`` and ``is_open_range``."""

ZeroOne = Annotated[bool, BeforeValidator(_zero_one)]
"""Configuration flags: ``smuser``, ``play``, ``cid``, ``recordcalls``."""


def keyed_by_id(value: Any) -> Any:
    """Turn ``{"<id>": {...}, ...}`` (or ``[]``) into ``[{"id": "<id>", ...}, ...]``.

    Lists come as JSON objects keyed by internal id; PHP's ``json_encode`` turns
    an empty array into ``[]``. A non-empty JSON array is left alone so that the
    list validation reports it as the wrong shape.
    """
    if value is None or value == []:
        return []
    if isinstance(value, dict):
        return [
            {**item, "id": str(key)} if isinstance(item, dict) else item
            for key, item in value.items()
        ]
    return value


def empty_list_as_dict(value: Any) -> Any:
    """Read ``[]`` as an empty object (PHP cannot tell them apart)."""
    return {} if value == [] else value


def comma_list(value: Any) -> Any:
    """Split ``"4,6"`` into ``["4", "6"]``; ``""`` and ``null`` are the empty list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def blank_as_none(value: Any) -> Any:
    """Read ``""`` as ``None`` for numbers that PBXware sends as strings."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def pick_only_item(value: Any) -> Any:
    """Unwrap ``{"<id>": {...}}`` (a one-item keyed list) into its item, with ``id``."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, item),) = value.items()
        if isinstance(item, dict):
            return {**item, "id": str(key)}
    return value


# English month abbreviations, fixed: strftime("%b") follows the process locale.
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def format_cdr_date(day: date) -> str:
    """Format a CDR filter date the PBXware way: ``Feb-01-2009`` (mmm-dd-YYYY)."""
    return f"{_MONTHS[day.month - 1]}-{day.day:02d}-{day.year:04d}"


def parse_cdr_date(text: str) -> date:
    """Parse ``Feb-01-2009``; raises ValueError for anything else."""
    month, _, rest = text.strip().partition("-")
    day, _, year = rest.partition("-")
    if month.title() not in _MONTHS or not day.isdigit() or not year.isdigit():
        msg = "expected a date like Feb-01-2009"
        raise ValueError(msg)
    return date(int(year), _MONTHS.index(month.title()) + 1, int(day))
