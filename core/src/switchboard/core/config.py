"""The configuration file: PBX connections, policy, Slack and state.

A TOML file names one or more PBX connections; secrets never sit in the file but
in environment variables, referenced as ``"${NAME}"``::

    default_pbx = "office"

    [pbx.office]
    vendor = "pbxware"
    url = "https://pbx.example.com"
    api_key = "${PBXWARE_API_KEY}"
    server = "2"

Every error names the file and the field (``pbx.office.api_key``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.models import Presence  # noqa: TC001 - pydantic needs it at runtime
from switchboard.core.redaction import get_logger
from switchboard.core.registry import get_vendor

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.core.plugin import ConnectionSettings, VendorPlugin

_LOGGER = get_logger(__name__)
# The per-connection switch that lets credentials travel over plain http:// to
# another host (a PBX on a trusted network without TLS).
INSECURE_HTTP_SETTING = "allow_insecure_http"
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_STATE_DIR = (
    Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "switchboard"
)


# Hosts that may be reached over plain http (this machine: tests, a local proxy).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_public_url(url: str) -> str:
    """Return ``url`` without a trailing slash, or raise ValueError saying what is wrong.

    The address where the internet reaches this server: https, or plain http only
    on this machine (a vendor's webhook carries a secret path token).
    """
    try:
        parts = urlsplit(url.strip())
        scheme, host = parts.scheme, (parts.hostname or "").lower()
        rest = parts.query or parts.fragment or parts.username or parts.password
    except ValueError:
        scheme = host = rest = ""
    if (
        not host
        or rest
        or not (scheme == "https" or (scheme == "http" and host in LOOPBACK_HOSTS))
    ):
        msg = (
            "must be the https address where the internet reaches `slack run --http`, "
            "like https://switchboard.example.com (plain http only for 127.0.0.1 or "
            "localhost; no query, fragment or password)"
        )
        raise ValueError(msg)
    return url.strip().rstrip("/")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Codes people write for a region that are not its ISO 3166 code.
REGION_ALIASES = {"UK": "GB", "EN": "GB", "EL": "GR"}


def check_region(value: str) -> str:
    """Return ``value`` as a region code the number rules know (upper case).

    Raises:
        ValueError: Not a region code; the message suggests the right one.
    """
    code = value.strip().upper()
    if code in phonenumbers.SUPPORTED_REGIONS:
        return code
    hint = REGION_ALIASES.get(code)
    msg = f"{value!r} is not a region code"
    msg += (
        f"; did you mean {hint}?"
        if hint
        else " (use the two-letter ISO 3166 code, like DK, GB or US)"
    )
    raise ValueError(msg)


class PolicySettings(_Section):
    """Who may do what, and which numbers may be dialled.

    The ``allow_*`` switches open number ranges that toll fraud favours; each is
    off by default.
    """

    admins: list[str] = Field(
        default_factory=list,
        description="User ids (Slack ids or CLI names) that are admins",
    )
    admin_usergroup: str | None = Field(
        default=None, description="A Slack user group whose members are admins"
    )
    default_region: str = Field(
        default="DK",
        min_length=2,
        max_length=2,
        description="Region for national numbers",
    )
    allow_international: bool = Field(
        default=False, description="Allow dialling other countries"
    )
    allow_personal_numbers: bool = Field(
        default=False,
        description="Allow personal numbers (follow-me numbers charged at a high rate)",
    )
    allow_uan: bool = Field(
        default=False, description="Allow universal access numbers (UAN)"
    )
    allow_voip: bool = Field(
        default=False, description="Allow numbers marked as VoIP ranges"
    )
    allow_satellite: bool = Field(
        default=False,
        description="Allow satellite phones and international networks (+870, +881, +882, +883)",
    )
    dial_limit_per_minute: int = Field(
        default=5, ge=1, le=1000, description="Click-to-dial calls per user and minute"
    )

    @field_validator("default_region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        return check_region(value)


class SlackSettings(_Section):
    """Slack tokens (from the environment) and how to run."""

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    mode: str = Field(default="socket", pattern="^(socket|http)$")
    port: int = Field(default=3000, ge=1, le=65535)
    api_url: str | None = Field(
        default=None,
        description="Slack Web API base URL (GovSlack: https://slack-gov.com/api/); "
        "default: SLACK_API_URL, else https://slack.com/api/",
    )
    response_url_origins: list[str] | None = Field(
        default=None,
        description="Where answers to response URLs may go (scheme://host[:port]); "
        "default: Slack's own (hooks.slack.com, hooks.slack-gov.com)",
    )
    public_url: str | None = Field(
        default=None,
        description="The https address where the internet reaches `slack run --http`; "
        "vendors that push by webhook (Telphin) call it. Default: "
        "SWITCHBOARD_PUBLIC_URL, else none (such vendors are polled)",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return None if value is None else check_public_url(value)

    # Missed calls: the watcher runs inside `slack run` (and `switchboard watch`).
    missed_calls: bool = True
    missed_call_interval: float = Field(default=10.0, ge=1.0, le=3600.0)
    """Seconds between two polls of each PBX (slower when a vendor's quota says so)."""
    status_presence: dict[str, Presence] = Field(default_factory=dict)
    """Slack status (an emoji like ``:palm_tree:`` or a text like ``Vacationing``) ->
    presence, for users who opted in with ``sync presence on`` (vendors with presence)."""


# The only SQLite file whose missing directory Switchboard creates by itself.
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{DEFAULT_STATE_DIR / 'state.db'}"


class StateSettings(_Section):
    """Where user links and the audit log live."""

    database_url: str = Field(default=DEFAULT_DATABASE_URL)


class UserSettings(_Section):
    """A user of the CLI (or a pre-linked Slack user)."""

    extension: str
    pbx: str | None = None


@dataclass(frozen=True)
class PbxConnection:
    """One configured PBX: its name, vendor plugin and validated settings."""

    name: str
    plugin: VendorPlugin[Any]
    settings: ConnectionSettings


@dataclass(frozen=True)
class SwitchboardConfig:
    """The whole configuration."""

    pbx: dict[str, PbxConnection]
    default_pbx: str
    policy: PolicySettings
    slack: SlackSettings
    state: StateSettings
    users: dict[str, UserSettings]
    templates_dir: Path | None = None
    source: Path | None = None

    def connection(self, name: str | None = None) -> PbxConnection:
        """Return the named connection (the default one when ``name`` is None)."""
        key = name or self.default_pbx
        try:
            return self.pbx[key]
        except KeyError:
            known = ", ".join(sorted(self.pbx))
            msg = f"No PBX called {key!r} is configured (configured: {known})."
            raise SwitchboardConfigError(msg) from None


def _fail(path: Path | None, field: str, problem: str) -> SwitchboardConfigError:
    where = f"{path}: " if path else ""
    return SwitchboardConfigError(f"{where}{field}: {problem}")


def _expand(value: Any, path: Path | None, field: str, env: Mapping[str, str]) -> Any:
    """Replace ``${NAME}`` with environment values, recursively."""
    if isinstance(value, dict):
        return {k: _expand(v, path, f"{field}.{k}", env) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, path, f"{field}[{i}]", env) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise _fail(path, field, f"environment variable {name} is not set")
        return env[name]

    return _ENV_RE.sub(substitute, value)


SectionT = TypeVar("SectionT", bound=_Section)


def _section(model: type[SectionT], raw: Any, path: Path | None, name: str) -> SectionT:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _fail(path, name, "must be a table")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise _validation_failure(err, path, name) from None


def _validation_failure(
    err: ValidationError, path: Path | None, prefix: str
) -> SwitchboardConfigError:
    first = err.errors(include_input=False, include_url=False)[0]
    loc = ".".join(str(p) for p in first["loc"])
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "is not a known setting"
    message = message.removeprefix("Value error, ")
    return _fail(path, f"{prefix}.{loc}" if loc else prefix, message)


def _require_env_secrets(
    names: list[str], raw: Mapping[str, Any], path: Path | None, field: str
) -> None:
    """Refuse secrets written into the file: they belong in the environment."""
    for secret in names:
        value = raw.get(secret)
        if isinstance(value, str) and not _ENV_RE.fullmatch(value.strip()):
            raise _fail(
                path,
                f"{field}.{secret}",
                f'is a secret: put it in an environment variable and write {secret} = "${{NAME}}"',
            )


def _connection(
    name: str, raw: Any, path: Path | None, env: Mapping[str, str]
) -> PbxConnection:
    field = f"pbx.{name}"
    if not isinstance(raw, dict):
        raise _fail(path, field, "must be a table")
    vendor = raw.get("vendor")
    if not isinstance(vendor, str):
        raise _fail(
            path, f"{field}.vendor", "is required (pbxware, mirta, telecomx or telphin)"
        )
    try:
        plugin = get_vendor(vendor)
    except SwitchboardConfigError as err:
        raise _fail(path, f"{field}.vendor", err.message) from None
    _require_env_secrets(plugin.settings_model.secret_field_names(), raw, path, field)
    insecure = raw.get(INSECURE_HTTP_SETTING, False)
    if not isinstance(insecure, bool):
        raise _fail(path, f"{field}.{INSECURE_HTTP_SETTING}", "must be true or false")
    own = ("vendor", INSECURE_HTTP_SETTING)
    data = _expand({k: v for k, v in raw.items() if k not in own}, path, field, env)
    try:
        settings = plugin.parse_settings(data)
    except ValidationError as err:
        raise _validation_failure(err, path, field) from None
    _check_transport_security(settings, allowed=insecure, path=path, field=field)
    return PbxConnection(name=name, plugin=plugin, settings=settings)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_http_host(settings: ConnectionSettings) -> str | None:
    """The host the credentials would reach over plain http:// (``None``: no such risk).

    No risk: https://, a loopback address, or a connection without credentials.
    """
    parts = urlsplit(settings.url)
    host = parts.hostname or ""
    if parts.scheme != "http" or _is_loopback(host) or not settings.secret_values():
        return None
    return host


def _check_transport_security(
    settings: ConnectionSettings, *, allowed: bool, path: Path | None, field: str
) -> None:
    """Refuse credentials over plain http:// to another host, unless allowed (then warn)."""
    host = insecure_http_host(settings)
    if host is None:
        return
    if allowed:
        _LOGGER.warning(
            "%s.url: the credentials go to %s over plain http://, unencrypted "
            "(%s = true)",
            field,
            host,
            INSECURE_HTTP_SETTING,
        )
        return
    raise _fail(
        path,
        f"{field}.url",
        f"is http:// to {host}: the credentials would cross the network "
        f"unencrypted. Use https://, or, on a network you trust, set "
        f"{INSECURE_HTTP_SETTING} = true in [{field}]",
    )


def parse_config(  # noqa: C901 - one check per top-level key, in order
    raw: Mapping[str, Any],
    *,
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> SwitchboardConfig:
    """Validate an already-decoded configuration mapping."""
    env = os.environ if env is None else env
    known = {"pbx", "default_pbx", "policy", "slack", "state", "users", "templates_dir"}
    for key in raw:
        if key not in known:
            raise _fail(
                path,
                key,
                f"is not a known setting (expected one of {', '.join(sorted(known))})",
            )
    pbx_raw = raw.get("pbx")
    if not isinstance(pbx_raw, dict) or not pbx_raw:
        raise _fail(path, "pbx", "at least one [pbx.NAME] table is required")
    pbx = {name: _connection(name, value, path, env) for name, value in pbx_raw.items()}
    default = raw.get("default_pbx", next(iter(pbx)))
    if not isinstance(default, str) or default not in pbx:
        raise _fail(
            path, "default_pbx", f"names {default!r}, which is not a [pbx.*] table"
        )
    users_raw = raw.get("users") or {}
    if not isinstance(users_raw, dict):
        raise _fail(path, "users", "must be a table")
    users = {
        name: _section(UserSettings, value, path, f"users.{name}")
        for name, value in users_raw.items()
    }
    for name, user in users.items():
        if user.pbx is not None and user.pbx not in pbx:
            raise _fail(
                path,
                f"users.{name}.pbx",
                f"names {user.pbx!r}, which is not a [pbx.*] table",
            )
    templates = raw.get("templates_dir")
    templates_dir = None
    if templates is not None:
        if not isinstance(templates, str):
            raise _fail(path, "templates_dir", "must be a path")
        templates_dir = Path(templates).expanduser()
        if path is not None and not templates_dir.is_absolute():
            templates_dir = path.parent / templates_dir
        if not templates_dir.is_dir():
            raise _fail(path, "templates_dir", f"{templates_dir} is not a directory")
    return SwitchboardConfig(
        pbx=pbx,
        default_pbx=str(default),
        policy=_section(PolicySettings, raw.get("policy"), path, "policy"),
        slack=_slack(raw.get("slack"), path, env),
        state=_section(
            StateSettings,
            _expand(raw.get("state") or {}, path, "state", env),
            path,
            "state",
        ),
        users=users,
        templates_dir=templates_dir,
        source=path,
    )


def _slack(raw: Any, path: Path | None, env: Mapping[str, str]) -> SlackSettings:
    if isinstance(raw, dict):
        _require_env_secrets(
            ["bot_token", "app_token", "signing_secret"], raw, path, "slack"
        )
        raw = _expand(raw, path, "slack", env)
    return _section(SlackSettings, raw, path, "slack")


def load_config(
    path: Path, *, env: Mapping[str, str] | None = None
) -> SwitchboardConfig:
    """Read and validate a TOML configuration file.

    Raises:
        SwitchboardConfigError: The file is missing, not TOML, or invalid; the
            message names the file and the field.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        msg = f"{path}: cannot read the configuration file ({err.strerror})"
        raise SwitchboardConfigError(msg) from None
    except UnicodeDecodeError:
        # TOML files are UTF-8; an editor's Latin-1 "ø" must not be a traceback.
        msg = f"{path}: not valid UTF-8; save the configuration file as UTF-8"
        raise SwitchboardConfigError(msg) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: not valid TOML ({err})"
        raise SwitchboardConfigError(msg) from None
    return parse_config(raw, path=path, env=env)
