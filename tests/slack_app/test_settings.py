from __future__ import annotations

import pytest

from switchboard.core.config import SlackSettings
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.redaction import redact_text
from switchboard.slack_app.settings import resolve_runtime

ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdef",
    "SLACK_APP_TOKEN": "xapp-1-A1-3333-abcdef",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
}


def test_socket_mode_is_the_default_and_reads_the_environment() -> None:
    runtime = resolve_runtime(SlackSettings(), env=ENV)
    assert runtime.mode == "socket"
    assert runtime.app_token is not None
    assert runtime.app_token.get_secret_value() == ENV["SLACK_APP_TOKEN"]
    assert runtime.port == 3000


def test_tokens_never_show_in_reprs_and_are_redacted_from_logs() -> None:
    runtime = resolve_runtime(SlackSettings(), env=ENV)
    for secret in ENV.values():
        assert secret not in repr(runtime)
        assert secret not in redact_text(f"request failed with {secret}")


def test_http_mode_needs_the_signing_secret_not_the_app_token() -> None:
    env = {k: v for k, v in ENV.items() if k != "SLACK_APP_TOKEN"}
    runtime = resolve_runtime(SlackSettings(mode="http", port=8080), env=env)
    assert runtime.mode == "http"
    assert runtime.port == 8080
    with pytest.raises(SwitchboardConfigError, match="SLACK_SIGNING_SECRET") as err:
        resolve_runtime(
            SlackSettings(),
            mode="http",
            env={"SLACK_BOT_TOKEN": ENV["SLACK_BOT_TOKEN"]},
        )
    assert "Basic Information" in err.value.message


def test_command_line_overrides_the_file() -> None:
    runtime = resolve_runtime(
        SlackSettings(mode="socket", port=3000), mode="http", port=9000, env=ENV
    )
    assert (runtime.mode, runtime.port) == ("http", 9000)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "must start with xoxb-"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            "must start with xapp-",
        ),
    ],
)
def test_missing_or_wrong_tokens_fail_fast_with_directions(
    env: dict[str, str], expected: str
) -> None:
    with pytest.raises(SwitchboardConfigError, match=expected) as err:
        resolve_runtime(SlackSettings(), env=env)
    assert "xoxp-user-token" not in err.value.message
