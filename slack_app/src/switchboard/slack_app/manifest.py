"""The Slack app manifest shipped with Switchboard, for one-step app creation.

``manifest.yaml`` is written for Socket Mode (no public URL). For HTTP mode the
same manifest gets the request URL on the slash command, the events and
interactivity, and Socket Mode switched off.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from switchboard.core.errors import SwitchboardConfigError
from switchboard.slack_app.http_server import EVENTS_PATH

NEW_APP_URL = "https://api.slack.com/apps?new_app=1"


def manifest_text() -> str:
    """The shipped ``manifest.yaml``, comments included."""
    return (
        resources.files("switchboard.slack_app")
        .joinpath("manifest.yaml")
        .read_text("utf-8")
    )


@cache
def _socket_manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(manifest_text())
    if not isinstance(loaded, dict):  # pragma: no cover - the file ships with us
        msg = "slack_app/manifest.yaml is not a mapping"
        raise TypeError(msg)
    return loaded


def load_manifest(http_base_url: str | None = None) -> dict[str, Any]:
    """Return the manifest; with ``http_base_url``, the HTTP-mode variant.

    Args:
        http_base_url: The public base URL of an HTTP-mode deployment
            (``https://switchboard.example.com``); ``/slack/events`` is appended.

    Raises:
        SwitchboardConfigError: The URL is not an https URL with a host.
    """
    manifest = copy.deepcopy(_socket_manifest())
    if http_base_url is None:
        return manifest
    parts = urlsplit(http_base_url)
    if parts.scheme != "https" or not parts.netloc:
        msg = "Slack needs a public https:// URL for HTTP mode, like https://switchboard.example.com"
        raise SwitchboardConfigError(msg)
    url = http_base_url.rstrip("/") + EVENTS_PATH
    for command in manifest["features"]["slash_commands"]:
        command["url"] = url
    settings = manifest["settings"]
    settings["event_subscriptions"]["request_url"] = url
    settings["interactivity"]["request_url"] = url
    settings["socket_mode_enabled"] = False
    return manifest


def manifest_yaml(http_base_url: str | None = None) -> str:
    """The manifest as YAML: the shipped file for Socket Mode, generated for HTTP."""
    if http_base_url is None:
        return manifest_text()
    return yaml.safe_dump(
        load_manifest(http_base_url), sort_keys=False, allow_unicode=True
    )


def creation_link(http_base_url: str | None = None) -> str:
    """A link that opens Slack's "create app" page with the manifest filled in."""
    compact = yaml.safe_dump(
        load_manifest(http_base_url), sort_keys=False, allow_unicode=True
    )
    return f"{NEW_APP_URL}&manifest_yaml={quote(compact)}"
