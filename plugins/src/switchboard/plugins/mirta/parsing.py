"""Decoding MiRTA proxy API bodies: the pipe format and the PHP row quirks.

The proxy API answers in two formats. ``format=json`` gives JSON; the default
``plain`` gives pipe-delimited text: a header line (``Number|Name|Tech|State|
Username|Password``) and one line per row, sometimes with a trailing ``|``. For
some request types (SIMPLECDRS, DIDS) the header is not followed by a newline,
so the first row starts on the header line (vendor-apis.md §2.4). JSON rows from
PHP may carry every value twice, under its name and under ``"0"``..``"n"``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from switchboard.plugins.mirta.const import CREDENTIAL_FIELDS, CREDENTIAL_MARKERS

if TYPE_CHECKING:
    from collections.abc import Sequence


class PipeFormatError(ValueError):
    """The text is not a pipe table we can read (the message holds no values)."""


def split_pipe_line(line: str) -> list[str]:
    """Split one pipe-delimited line into stripped fields."""
    return [field.strip() for field in line.split("|")]


def _lines(text: str) -> list[str]:
    return [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def parse_pipe_fields(text: str) -> list[str]:
    """Return the fields of a one-line reply (``Success|Message|id|``).

    The trailing empty field a terminating ``|`` produces is dropped.
    """
    lines = _lines(text)
    if not lines:
        return []
    fields = split_pipe_line(lines[0])
    if len(fields) > 1 and fields[-1] == "":
        fields.pop()
    return fields


def _split_header(
    first: list[str], columns: Sequence[str] | None
) -> tuple[list[str], list[str]] | None:
    """Split a first line that starts with the expected ``columns``.

    Returns the header and whatever follows it on the same line (the first row
    when the vendor forgot the newline), or ``None`` when the line does not
    start with the expected header.
    """
    if not columns:
        return None
    names = [c.lower() for c in columns]
    width = len(names)
    if len(first) < width:
        return None
    if [f.lower() for f in first[: width - 1]] != names[:-1]:
        return None
    last = first[width - 1]
    if not last.lower().startswith(names[-1]):
        return None
    # "Destination4570305050": the header's last name glued to the first value.
    glued = last[len(names[-1]) :].strip()
    rest = ([glued] if glued else []) + first[width:]
    return list(columns), rest


def _row_chunks(fields: list[str], width: int) -> list[list[str]]:
    """Cut one line's fields into rows of ``width`` fields (tolerantly)."""
    if fields and fields[-1] == "" and len(fields) % width == 1:
        fields = fields[:-1]  # a terminating "|", not an empty last column
    if not fields:
        return []
    if len(fields) < width:
        return [fields + [""] * (width - len(fields))]
    if len(fields) % width:
        msg = f"a row has {len(fields)} fields where the header has {width}"
        raise PipeFormatError(msg)
    return [fields[i : i + width] for i in range(0, len(fields), width)]


def parse_pipe_table(
    text: str, columns: Sequence[str] | None = None
) -> list[dict[str, str]]:
    """Parse a pipe table into rows keyed by the lower-cased header names.

    Args:
        text: The body.
        columns: The header the caller expects, if known. Only used to repair a
            header that is not followed by a newline; a different header is
            read as it is.

    Raises:
        PipeFormatError: The text is not a pipe table.
    """
    lines = _lines(text)
    if not lines:
        return []
    first = split_pipe_line(lines[0])
    data = [split_pipe_line(line) for line in lines[1:]]
    known = _split_header(first, columns)
    if known is not None:
        header, rest = known
        if rest:
            data.insert(0, rest)
    else:
        header = first[:-1] if len(first) > 1 and first[-1] == "" else first
        if data and len(header) > len(data[0]):
            # The rows tell the real width; a longer header line carries a row.
            width = len(data[0]) - (1 if data[0][-1] == "" else 0)
            if 0 < width < len(header):
                data.insert(0, header[width:])
                header = header[:width]
    if len(header) < 2 or any(not name for name in header):
        msg = "the first line is not a pipe-delimited header"
        raise PipeFormatError(msg)
    keys = [name.lower() for name in header]
    rows: list[dict[str, str]] = []
    for fields in data:
        rows.extend(
            dict(zip(keys, chunk, strict=True))
            for chunk in _row_chunks(fields, len(keys))
        )
    return rows


def drop_positional_keys(row: dict[str, Any]) -> dict[str, Any]:
    """Drop PHP's positional duplicates (``"0"``..``"n"``) from a JSON row."""
    return {key: value for key, value in row.items() if not key.isdigit()}


@lru_cache(maxsize=2048)  # the same 148 field names repeat on every row
def is_credential_field(name: str) -> bool:
    """Tell whether a field of an extension record carries a credential."""
    lowered = name.lower()
    return lowered in CREDENTIAL_FIELDS or any(m in lowered for m in CREDENTIAL_MARKERS)


def drop_credentials(row: dict[str, Any]) -> dict[str, Any]:
    """Drop every credential field (SIP and web passwords, 2FA, PINs)."""
    return {key: value for key, value in row.items() if not is_credential_field(key)}


def json_rows(data: Any) -> list[dict[str, Any]] | None:
    """Return the rows of a JSON list answer, or ``None`` when it is not one.

    Lists come as arrays, and sometimes as an object keyed by id whose values
    are the rows (an observed INFO extensions capture had that shape).
    """
    if data is None:
        return []
    if isinstance(data, list):
        items: list[Any] = data
    elif (
        isinstance(data, dict)
        and data
        and all(isinstance(v, dict) for v in data.values())
    ):
        items = list(data.values())
    else:
        return None
    if not all(isinstance(item, dict) for item in items):
        return None
    return [drop_positional_keys(item) for item in items]
