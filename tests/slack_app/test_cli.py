"""``switchboard slack ...`` through the real CLI entry point."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import pytest
import yaml

from switchboard.core.cli.main import main
from switchboard.slack_app.cli import register

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def no_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SWITCHBOARD_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        "switchboard.core.cli.main.DEFAULT_CONFIG", tmp_path / "missing.toml"
    )


def test_manifest_prints_the_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_http_manifest_and_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--http-url", "https://sb.example.com"]) == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    assert (
        manifest["settings"]["interactivity"]["request_url"]
        == "https://sb.example.com/slack/events"
    )
    assert main(["slack", "manifest", "--link"]) == 0
    assert capsys.readouterr().out.startswith(
        "https://api.slack.com/apps?new_app=1&manifest_yaml="
    )


def test_bad_manifest_url_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--http-url", "ftp://nope"]) == 2
    assert "https://" in capsys.readouterr().err


def test_run_without_tokens_fails_fast_and_says_where_to_put_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["slack", "run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err
    assert "demo" not in err  # nothing was started
    assert "Traceback" not in err


def test_run_http_without_signing_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    assert main(["slack", "run", "--http", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in err
    assert "xoxb-cli-test" not in err


def test_check_without_configuration_validates_the_tokens(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-cli-test")
    assert main(["slack", "check"]) == 0
    assert "socket mode" in capsys.readouterr().out


def test_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["slack"])
    assert exit_info.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_register_adds_slack_to_a_subparser_set() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["slack", "run", "--http", "--port", "8080"])
    assert (args.slack_action, args.http, args.port) == ("run", True, 8080)
    assert callable(args.handler)


CONFIG = """
[pbx.office]
vendor = "telecomx"
url = "https://api.telecomx.dk"
api_token = "${TX_TOKEN}"

[slack]
mode = "socket"
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TX_TOKEN", "tx-test-token-123456")
    path = tmp_path / "office.toml"
    path.write_text(CONFIG)
    return path


def test_workers_need_a_configuration_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "run", "--http", "--workers", "2"]) == 2
    assert "configuration file" in capsys.readouterr().err


def test_workers_need_http_mode(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config_file), "slack", "run", "--workers", "2"]) == 2
    assert "--http" in capsys.readouterr().err


def test_workers_check_tokens_before_starting(
    config_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    args = ["--config", str(config_file), "slack", "run", "--http", "--workers", "2"]
    assert main(args) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "cli-test-secret")
    assert main([*args, "--port", "0"]) == 2
    assert "fixed --port" in capsys.readouterr().err


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["slack", "run", "--http", "--workers", "0"])
    assert "1 or more" in capsys.readouterr().err
