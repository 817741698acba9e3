"""Answers go to Slack only: a ``response_url`` must point at one of Slack's origins.

A ``response_url`` (and any URL kept from a payload, such as the one saved in
a modal's private metadata) comes from the request body. Even in a correctly
signed request it is used only when its scheme, host and port are one of the
allowed origins, so the app can never be made to POST somewhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

# Slack's response URLs live on hooks.slack.com; GovSlack's on hooks.slack-gov.com.
# Operators (and tests) change the list with ``[slack] response_url_origins``.
SLACK_REPLY_ORIGINS = ("https://hooks.slack.com", "https://hooks.slack-gov.com")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, normalised; None if it has none.

    URLs carrying a user name or password are refused outright: nothing Slack
    sends has one, and they are the usual way to disguise a host.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host or "@" in parts.netloc:
        return None
    shown = f"[{host}]" if ":" in host else host
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


def normalise_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """Normalise configured origins.

    Raises:
        ValueError: One is not ``scheme://host[:port]`` (no path, no query).
    """
    result = []
    for origin in origins:
        parts = urlsplit(origin.strip())
        normal = origin_of(origin)
        if normal is None or parts.path not in {"", "/"} or parts.query:
            msg = f"{origin!r} is not an origin like https://hooks.slack.com"
            raise ValueError(msg)
        result.append(normal)
    return tuple(result)


def allowed_reply_url(url: str | None, origins: Iterable[str]) -> bool:
    """Whether ``url`` points at one of ``origins`` (normalised origins)."""
    if not url:
        return False
    return origin_of(url) in set(origins)
