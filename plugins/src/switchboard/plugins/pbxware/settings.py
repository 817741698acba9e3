"""The settings of a PBXware connection."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator

from switchboard.core.plugin import ConnectionSettings
from switchboard.plugins.pbxware.const import (
    API_KEY_MIN_LENGTH,
    API_PATH,
    DEFAULT_SERVER,
    OTIMES_LOOKUP_FIELD,
)
from switchboard.plugins.pbxware.models import OtimesTarget

# How a user names each kind's key in ``office_hours`` (from the lookup field).
_KEY_WORDS = {"id": "id", "number": "number", "ext": "extension"}
# DIDs are enumerated with did.list, so the setting lists only the other kinds.
_CONFIGURABLE = tuple(t for t in OtimesTarget if t is not OtimesTarget.DID)
_KINDS = ", ".join(
    f"{t.value} (by {_KEY_WORDS[OTIMES_LOOKUP_FIELD[t.value]]})" for t in _CONFIGURABLE
)
_OFFICE_HOURS_HELP = (
    "Office hours to control besides the DIDs (DIDs are found automatically): "
    "comma-separated kind:key, e.g. queues:600, ivr:12, erg:12451, servers:2. "
    f"Kinds: {_KINDS}. Leave empty for DIDs only."
)


class PbxwareSettings(ConnectionSettings):
    """How to reach one PBXware tenant.

    Attributes:
        api_key: An API key from PBXware's Admin Settings: API key.
        server: The numeric tenant (server) ID, not the tenant code; 1 outside
            Tenant Mode.
        office_hours: Further Operation Times destinations to list and switch,
            as ``kind:key`` separated by commas (a TOML list works too); stored
            normalised (lower-case kind, no spaces, no repeats).
    """

    api_key: SecretStr = Field(
        description="API key from PBXware's Admin Settings: API key",
    )
    server: str = Field(
        default=DEFAULT_SERVER,
        pattern=r"^[1-9][0-9]*$",
        description="Tenant (server) ID: a number, 1 when Tenant Mode is off",
    )
    # A plain string: the Home Assistant form renders str fields as a text box.
    office_hours: str = Field(default="", description=_OFFICE_HOURS_HELP)

    @field_validator("url")
    @classmethod
    def _drop_api_path(cls, value: str) -> str:
        # People paste the address they see in examples (the manual's "/", or
        # Postman's "/index.php"); the client adds API_PATH itself.
        for suffix in ("/index.php", API_PATH):
            if value.lower().endswith(suffix):
                value = value[: -len(suffix)]
        return value

    @field_validator("api_key")
    @classmethod
    def _check_key_length(cls, value: SecretStr) -> SecretStr:
        # pydantic's own length message reads "items" and quotes nothing useful.
        key = value.get_secret_value().strip()
        if len(key) < API_KEY_MIN_LENGTH:
            msg = (
                f"must be at least {API_KEY_MIN_LENGTH} characters: copy the whole "
                "key from PBXware's Admin Settings: API key"
            )
            raise ValueError(msg)
        # A key pasted with a newline or spaces is the key: send it without them.
        return SecretStr(key)

    @field_validator("office_hours", mode="before")
    @classmethod
    def _join_list(cls, value: Any) -> Any:
        # The TOML config may give a list; the form gives one string.
        if isinstance(value, list | tuple):
            return ",".join(str(item) for item in value)
        return value

    @field_validator("office_hours")
    @classmethod
    def _check_office_hours(cls, value: str) -> str:
        entries: list[str] = []
        for raw in value.split(","):
            entry = raw.strip()
            if not entry:
                continue
            kind, colon, key = entry.partition(":")
            kind, key = kind.strip().lower(), key.strip()
            _check_entry(entry, kind, key, colon=bool(colon))
            normalised = f"{kind}:{key}"
            if normalised not in entries:
                entries.append(normalised)
        return ",".join(entries)

    def office_hours_destinations(self) -> list[tuple[str, str]]:
        """Return the configured ``(kind, key)`` pairs, in the order given."""
        return [
            (kind, key)
            for kind, _, key in (e.partition(":") for e in self.office_hours.split(","))
            if kind
        ]


def _check_entry(entry: str, kind: str, key: str, *, colon: bool) -> None:
    """Refuse an ``office_hours`` entry with a message that says how to fix it."""
    if not colon:
        msg = f"'{entry}' should look like queues:600 (kind:key)"
        raise ValueError(msg)
    if kind == OtimesTarget.DID.value:
        msg = f"'{entry}': DIDs are found automatically, list only other kinds"
        raise ValueError(msg)
    if kind not in {t.value for t in _CONFIGURABLE}:
        msg = f"'{kind}' is not a kind of destination; use one of: {_KINDS}"
        raise ValueError(msg)
    if not key:
        msg = f"'{entry}' has no destination after the colon"
        raise ValueError(msg)
    if any(ch.isspace() or ch in "&#?" for ch in key):
        msg = f"'{entry}' has a space or a character that cannot be a {kind} key"
        raise ValueError(msg)
