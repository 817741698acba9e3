from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from switchboard.core.errors import SwitchboardConfigError
from switchboard.slack_app.listeners.commands import COMMAND
from switchboard.slack_app.listeners.shortcuts import CALL_NUMBER_CALLBACK
from switchboard.slack_app.manifest import (
    creation_link,
    load_manifest,
    manifest_text,
    manifest_yaml,
)

NEEDED_SCOPES = {
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "usergroups:read",
    "dnd:read",
    "im:history",
}


def test_socket_manifest_declares_everything_the_app_listens_to() -> None:
    manifest = load_manifest()
    features = manifest["features"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert features["shortcuts"] == [
        {
            "name": "Call this number",
            "type": "message",
            "callback_id": CALL_NUMBER_CALLBACK,
            "description": features["shortcuts"][0]["description"],
        }
    ]
    assert features["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) >= NEEDED_SCOPES
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "dnd_updated_user",
        "user_change",
    ]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in features["slash_commands"][0]


def test_manifest_respects_slack_limits() -> None:
    manifest = load_manifest()
    info = manifest["display_information"]
    assert len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert len(info["long_description"]) <= 4000
    assert all(len(s["description"]) <= 150 for s in manifest["features"]["shortcuts"])


def test_http_manifest_points_everything_at_the_events_url() -> None:
    manifest = load_manifest("https://pbx-bot.example.com/")
    url = "https://pbx-bot.example.com/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert yaml.safe_load(manifest_yaml("https://pbx-bot.example.com")) == manifest
    assert load_manifest()["settings"]["socket_mode_enabled"] is True  # not mutated


def test_http_manifest_needs_a_public_https_url() -> None:
    with pytest.raises(SwitchboardConfigError, match="https"):
        load_manifest("http://localhost:3000")


def test_creation_link_carries_the_manifest() -> None:
    link = creation_link()
    query = parse_qs(urlsplit(link).query)
    assert query["new_app"] == ["1"]
    assert yaml.safe_load(query["manifest_yaml"][0]) == load_manifest()
    assert manifest_yaml() == manifest_text()
