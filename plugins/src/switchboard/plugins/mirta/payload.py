"""A decoded proxy API body, and how lists, objects and replies are read from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from switchboard.core.errors import (
    SwitchboardNotFoundError,
    SwitchboardResponseError,
)
from switchboard.core.redaction import redact_text
from switchboard.core.responses import validate
from switchboard.plugins.mirta.const import DISPLAY_NAME, VENDOR
from switchboard.plugins.mirta.models import ActionReply
from switchboard.plugins.mirta.parsing import (
    PipeFormatError,
    drop_positional_keys,
    json_rows,
    parse_pipe_fields,
    parse_pipe_table,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

ModelT = TypeVar("ModelT")
_EXCERPT = 120


@dataclass(frozen=True, slots=True)
class Payload:
    """A decoded proxy API body.

    Attributes:
        reqtype: The request type it answers (for messages).
        empty: The body held no data (0 bytes, ``null`` or the lone ``]``).
        data: The decoded JSON, when the body was JSON.
        text: The body as text, when it was plain.
        content: The raw bytes of a binary answer (recordings).
        is_json: Whether ``data`` holds the answer.
    """

    reqtype: str
    empty: bool
    data: Any = None
    text: str = ""
    content: bytes = b""
    is_json: bool = False

    def not_found(self, what: str) -> SwitchboardNotFoundError:
        """The error for an empty answer where one object was expected."""
        msg = f"{DISPLAY_NAME} does not know {what}."
        return SwitchboardNotFoundError(msg, vendor=VENDOR)

    def unreadable(self, detail: str) -> SwitchboardResponseError:
        """The error for an answer we cannot read (``detail`` holds no values)."""
        msg = f"{DISPLAY_NAME} answered {self.reqtype} with {detail}."
        return SwitchboardResponseError(msg, vendor=VENDOR)

    def rows(self, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The rows of a list answer: none when empty, positional keys dropped."""
        if self.empty:
            return []
        if self.is_json:
            rows = json_rows(self.data)
            if rows is None:
                msg = "JSON that is not a list of rows"
                raise self.unreadable(msg)
            return rows
        try:
            return parse_pipe_table(self.text, columns)
        except PipeFormatError as err:
            msg = f"text we cannot read: {err}"
            raise self.unreadable(msg) from None

    def one(self, what: str) -> dict[str, Any]:
        """The single object of an answer; empty means ``what`` does not exist."""
        if self.empty:
            raise self.not_found(what)
        if self.is_json:
            data = self.data
            if isinstance(data, list) and len(data) == 1:
                data = data[0]
            if not isinstance(data, dict):
                msg = "JSON that is not an object"
                raise self.unreadable(msg)
            return drop_positional_keys(data)
        rows = self.rows()
        if len(rows) != 1:
            msg = f"{len(rows)} rows where one was expected"
            raise self.unreadable(msg)
        return rows[0]

    def reply(self, what: str) -> ActionReply:
        """Read an action reply (``Success|Message|id|``); raise unless it succeeded."""
        if self.empty:
            raise self.not_found(what)
        data: Any
        if self.is_json:
            data = (
                drop_positional_keys(self.data)
                if isinstance(self.data, dict)
                else self.data
            )
        else:
            fields = parse_pipe_fields(self.text)
            data = dict(zip(("response", "message", "id"), fields, strict=False))
        reply = validate(
            ActionReply,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what=f"{self.reqtype} reply",
        )
        if reply.ok:
            return reply
        detail = redact_text(reply.message or reply.response)[:_EXCERPT]
        # The vendor's failure wording is undocumented (M8); "not found" is the
        # one kind worth telling apart.
        if "not found" in detail.lower() or "unknown" in detail.lower():
            msg = f"{DISPLAY_NAME} does not know {what}: {detail}"
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        msg = f"{DISPLAY_NAME} refused {self.reqtype} for {what}: {detail}"
        raise SwitchboardResponseError(msg, vendor=VENDOR)


def validate_rows(
    model: type[ModelT], rows: list[dict[str, Any]], what: str
) -> list[ModelT]:
    """Validate each row as ``model``; errors name the field, never the value."""
    return [
        validate(
            model, row, vendor=VENDOR, display_name=DISPLAY_NAME, what=f"{what} row"
        )
        for row in rows
    ]
