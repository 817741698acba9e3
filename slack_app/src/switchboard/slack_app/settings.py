"""The Slack settings the app needs at start-up, checked before anything runs.

Tokens come from the ``[slack]`` section of the configuration (which itself
insists on ``"${ENV}"`` references) or, when the section leaves them out, from
the environment variables Slack's own tools use (``SLACK_BOT_TOKEN``,
``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``). A missing token is reported
before the app is built, in a sentence that says where to put it.

Where Slack is comes from ``[slack] api_url``, else ``SLACK_API_URL`` (the name
Slack's CLI and its docs use for another Web API address, e.g. GovSlack's),
else ``https://slack.com/api/``. Where answers may go comes from
``[slack] response_url_origins``, else Slack's own hosts. Where the internet
reaches an HTTP-mode server (for vendors that push by webhook) comes from
``[slack] public_url``, else ``SWITCHBOARD_PUBLIC_URL``, else nowhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import SecretStr

from switchboard.core.config import LOOPBACK_HOSTS, check_public_url
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.redaction import register_secret
from switchboard.slack_app.reply_urls import SLACK_REPLY_ORIGINS, normalise_origins

if TYPE_CHECKING:
    from collections.abc import Mapping

    from switchboard.core.config import SlackSettings

Mode = Literal["socket", "http"]

# Names of environment variables, not secrets.
BOT_TOKEN_ENV = "SLACK_BOT_TOKEN"  # noqa: S105
APP_TOKEN_ENV = "SLACK_APP_TOKEN"  # noqa: S105
SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET"  # noqa: S105
API_URL_ENV = "SLACK_API_URL"
PUBLIC_URL_ENV = "SWITCHBOARD_PUBLIC_URL"
DEFAULT_API_URL = "https://slack.com/api/"
# The bot token travels with every Web API call: plain http only to this machine.
PLAIN_HTTP_HOSTS = LOOPBACK_HOSTS

_BOT = "bot token"
_APP = "app-level token"
_SECRET = "signing secret"  # noqa: S105 - the name of the thing, not its value
# What is missing -> (environment variable, [slack] key, where to find it).
_HINTS: dict[str, tuple[str, str, str]] = {
    _BOT: (
        BOT_TOKEN_ENV,
        "bot_token",
        "Copy it from your Slack app's OAuth & Permissions page (it starts with xoxb-).",
    ),
    _APP: (
        APP_TOKEN_ENV,
        "app_token",
        (
            "Socket Mode needs one: Basic Information > App-Level Tokens, "
            "scope connections:write (it starts with xapp-). Or run in HTTP mode with --http."
        ),
    ),
    _SECRET: (
        SIGNING_SECRET_ENV,
        "signing_secret",
        (
            "HTTP mode needs it to check that requests come from Slack: "
            "Basic Information > App Credentials."
        ),
    ),
}


@dataclass(frozen=True)
class SlackRuntime:
    """Everything needed to start the Slack app, validated.

    Attributes:
        mode: ``socket`` (WebSocket to Slack, no public URL) or ``http``.
        bot_token: The ``xoxb-`` token used for every Web API call.
        app_token: The ``xapp-`` token (Socket Mode only).
        signing_secret: Verifies that HTTP requests come from Slack (HTTP mode).
        port: Where HTTP mode listens.
        host: Which address HTTP mode binds.
        api_url: The Web API base URL, ending in ``/``.
        reply_origins: Where answers to response URLs may go.
        public_url: Where the internet reaches this HTTP-mode server (no trailing
            slash), for vendors that push by webhook; ``None``: they are polled.
    """

    mode: Mode
    bot_token: SecretStr
    app_token: SecretStr | None = field(default=None)
    signing_secret: SecretStr | None = field(default=None)
    port: int = 3000
    host: str = "0.0.0.0"  # noqa: S104 - a Slack endpoint sits behind a load balancer
    api_url: str = DEFAULT_API_URL
    reply_origins: tuple[str, ...] = SLACK_REPLY_ORIGINS
    public_url: str | None = None


def _pick(
    configured: SecretStr | None, env_name: str, env: Mapping[str, str]
) -> SecretStr | None:
    if configured is not None and configured.get_secret_value():
        return configured
    value = env.get(env_name, "").strip()
    return SecretStr(value) if value else None


def resolve_bot_token(
    slack: SlackSettings, env: Mapping[str, str] | None = None
) -> SecretStr:
    """Return the bot token (``[slack] bot_token`` or ``SLACK_BOT_TOKEN``), checked.

    Raises:
        SwitchboardConfigError: It is missing or is no ``xoxb-`` token.
    """
    bot = _pick(slack.bot_token, BOT_TOKEN_ENV, os.environ if env is None else env)
    if bot is None:
        raise _missing(_BOT)
    if not bot.get_secret_value().startswith("xoxb-"):
        msg = f"The Slack bot token ({BOT_TOKEN_ENV}) must start with xoxb-."
        raise SwitchboardConfigError(msg)
    register_secret(bot.get_secret_value())
    return bot


def _missing(what: str) -> SwitchboardConfigError:
    env_name, config_key, why = _HINTS[what]
    return SwitchboardConfigError(
        f"The Slack {what} is missing: set the environment variable {env_name} "
        f'(or write {config_key} = "${{{env_name}}}" in the [slack] section). {why}'
    )


def resolve_api_url(slack: SlackSettings, env: Mapping[str, str]) -> str:
    """The Web API base URL: ``[slack] api_url``, ``SLACK_API_URL``, or Slack's.

    Raises:
        SwitchboardConfigError: It is not an https URL (http only on this machine).
    """
    where = "[slack] api_url" if slack.api_url else API_URL_ENV
    url = (slack.api_url or env.get(API_URL_ENV, "")).strip() or DEFAULT_API_URL
    try:
        parts = urlsplit(url)
        scheme, host, query = parts.scheme, (parts.hostname or "").lower(), parts.query
    except ValueError:
        scheme = host = query = ""
    plain_ok = scheme == "http" and host in PLAIN_HTTP_HOSTS
    if not host or query or not (scheme == "https" or plain_ok):
        msg = (
            f"{where} must be the https address of Slack's Web API, like "
            f"{DEFAULT_API_URL} (plain http only for 127.0.0.1 or localhost)."
        )
        raise SwitchboardConfigError(msg)
    # slack_sdk joins method names onto the base URL, which must end in "/".
    return url if url.endswith("/") else f"{url}/"


def resolve_reply_origins(slack: SlackSettings) -> tuple[str, ...]:
    """``[slack] response_url_origins``, normalised; Slack's own when unset.

    Raises:
        SwitchboardConfigError: An entry is not ``scheme://host[:port]``.
    """
    if slack.response_url_origins is None:
        return SLACK_REPLY_ORIGINS
    try:
        return normalise_origins(slack.response_url_origins)
    except ValueError as err:
        msg = f"[slack] response_url_origins: {err}."
        raise SwitchboardConfigError(msg) from None


def resolve_public_url(slack: SlackSettings, env: Mapping[str, str]) -> str | None:
    """``[slack] public_url`` (checked when the file was read), else ``SWITCHBOARD_PUBLIC_URL``.

    Raises:
        SwitchboardConfigError: The environment variable is no https address.
    """
    if slack.public_url:
        return slack.public_url
    value = env.get(PUBLIC_URL_ENV, "").strip()
    if not value:
        return None
    try:
        return check_public_url(value)
    except ValueError as err:
        msg = f"The environment variable {PUBLIC_URL_ENV} {err}."
        raise SwitchboardConfigError(msg) from None


def resolve_runtime(
    slack: SlackSettings,
    *,
    mode: Mode | None = None,
    port: int | None = None,
    host: str | None = None,
    env: Mapping[str, str] | None = None,
) -> SlackRuntime:
    """Combine the ``[slack]`` section, command-line overrides and the environment.

    Raises:
        SwitchboardConfigError: A token the chosen mode needs is missing or has
            the wrong shape; the message says which one and where to put it.
    """
    env = os.environ if env is None else env
    chosen: Mode = mode or ("http" if slack.mode == "http" else "socket")
    bot = resolve_bot_token(slack, env)
    app_token = _pick(slack.app_token, APP_TOKEN_ENV, env)
    secret = _pick(slack.signing_secret, SIGNING_SECRET_ENV, env)
    if chosen == "socket":
        if app_token is None:
            raise _missing(_APP)
        if not app_token.get_secret_value().startswith("xapp-"):
            msg = f"The Slack app-level token ({APP_TOKEN_ENV}) must start with xapp-."
            raise SwitchboardConfigError(msg)
    elif secret is None:
        raise _missing(_SECRET)
    for value in (bot, app_token, secret):
        if value is not None:
            register_secret(value.get_secret_value())
    return SlackRuntime(
        mode=chosen,
        bot_token=bot,
        app_token=app_token,
        signing_secret=secret,
        port=port if port is not None else slack.port,
        host=host or "0.0.0.0",  # noqa: S104 - see SlackRuntime.host
        api_url=resolve_api_url(slack, env),
        reply_origins=resolve_reply_origins(slack),
        public_url=resolve_public_url(slack, env),
    )
