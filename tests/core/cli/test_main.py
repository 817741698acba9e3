"""The CLI: commands with a config file, exit codes, --json, sub-commands, the demo fallback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from switchboard.core.cli import main as cli
from switchboard.core.cli import subcommands
from switchboard.core.cli.main import Subcommand, main, register_subcommand
from switchboard.core.entry_points import forget_loaded
from tests.distributions import install_distribution

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    import pytest

    from .conftest import ConfiguredPbx


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_success_is_exit_0_with_readable_text(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--config", str(configured_pbx.path), "--as", "bob", "dnd", "on"
    )
    assert code == 0
    assert out.startswith(f"DND is on for {configured_pbx.bob}")


def test_json_output_for_scripts(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "--config",
        str(configured_pbx.path),
        "--as",
        "bob",
        "--json",
        "dnd",
        "on",
    )
    assert code == 0
    document = json.loads(out)
    assert document["outcome"] == "success"
    assert document["pbx"] == "office"
    assert document["data"]["status"]["dnd"] is True
    assert document["data"]["command"] == {
        "command": "dnd",
        "enabled": True,
        "extension": None,
        "duration": None,
    }
    assert "dnd" in document["supports"]
    # --json also works after the command words
    code, out, _ = run(
        capsys,
        "--config",
        str(configured_pbx.path),
        "--as",
        "alice",
        "flow",
        "list",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["data"]["flows"]


def test_status_all_is_a_table(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--config", str(configured_pbx.path), "--as", "alice", "status", "all"
    )
    assert code == 0
    header = out.splitlines()[1]
    assert header.split() == [
        "EXT",
        "NAME",
        "REGISTERED",
        "ON",
        "CALL",
        "DND",
        "PRESENCE",
        "FORWARD",
    ]


def test_refused_is_exit_2(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "--config",
        str(configured_pbx.path),
        "--as",
        "bob",
        "flow",
        "night",
        "on",
    )
    assert code == 2
    assert out == ""
    assert "Refused: Only admins can switch flows." in err
    code, _, err = run(
        capsys,
        "--config",
        str(configured_pbx.path),
        "--as",
        "bob",
        "call",
        "+4590123456",
    )
    assert code == 2
    assert "premium-rate" in err


def test_bad_input_is_exit_2_with_json(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--config", str(configured_pbx.path), "--json", "dnd", "maybe"
    )
    assert code == 2
    document = json.loads(out)
    assert document["outcome"] == "refused"
    assert document["data"]["usage"] == ["dnd on|off [EXT] [for DURATION]"]


def test_pbx_failure_is_exit_1(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    configured_pbx.emulator.faults.server_errors = -1
    code, _, err = run(
        capsys, "--config", str(configured_pbx.path), "--as", "bob", "dnd", "on"
    )
    assert code == 1
    assert err.startswith("Failed: ")
    assert "Traceback" not in err


def test_user_defaults_to_the_login_name(
    configured_pbx: ConfiguredPbx,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USER", "alice")
    code, out, _ = run(capsys, "--config", str(configured_pbx.path), "--json", "whoami")
    assert code == 0
    data = json.loads(out)["data"]
    assert (data["user_id"], data["admin"]) == ("alice", True)
    assert data["links"] == [
        {"pbx": "office", "extension": configured_pbx.alice, "linked_by": "config"}
    ]


def test_broken_config_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[pbx.office]\nvendor = 'nope'\n")
    code, _, err = run(capsys, "--config", str(path), "status")
    assert code == 2
    assert str(path) in err
    assert "pbx.office.vendor" in err


def test_no_words_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0
    assert "usage: switchboard" in out
    assert "dnd on|off [EXT] [for DURATION]" in out
    assert "slack" in out


def test_subcommands_can_be_registered(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[argparse.Namespace] = []

    def configure(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=1)

    def execute(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    remove = register_subcommand(Subcommand("hello", "say hello", configure, execute))
    try:
        assert main(["--json", "hello", "--port", "3000"]) == 7
    finally:
        remove()
    assert seen[0].port == 3000
    assert seen[0].json is True


def test_missing_optional_subcommand_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the Slack distribution, 'switchboard slack' says what to install."""
    real = subcommands.load_group

    def without_slack(group: str, expected: type[Any]) -> dict[str, Any]:
        found = real(group, expected)
        found.pop("slack", None)
        return found

    monkeypatch.setattr(subcommands, "load_group", without_slack)
    code, _, err = run(capsys, "slack", "--help")
    assert code == 2
    assert "'switchboard slack' is not installed" in err
    assert "pip install 'switchboard-pbx[slack]'" in err
    assert subcommands.subcommand_help()["slack"] == (
        "(not installed: pip install 'switchboard-pbx[slack]')"
    )


def test_a_distribution_adds_a_subcommand_by_entry_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third party's 'switchboard.cli' entry point becomes 'switchboard NAME'."""
    # Installed after the process scanned its entry points: scan again, before and after.
    forget_loaded()
    install_distribution(
        tmp_path,
        monkeypatch,
        "acme-switchboard-tools",
        entry_points={"switchboard.cli": {"hello": "acme_tools:SUBCOMMAND"}},
        modules={
            "acme_tools": (
                "from switchboard.core.cli.subcommands import Subcommand\n"
                "SUBCOMMAND = Subcommand('hello', 'Say hello.', lambda p: None,"
                " lambda a: print('hello from acme') or 5)\n"
            )
        },
    )
    try:
        assert subcommands.subcommand_help()["hello"] == "Say hello."
        code, out, _ = run(capsys, "hello")
        assert (code, out.strip()) == (5, "hello from acme")
    finally:
        forget_loaded()


def test_without_config_commands_run_on_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.setattr(cli, "DEFAULT_CONFIG", tmp_path / "missing.toml")
    code, out, err = run(capsys, "--json", "whoami")
    assert code == 0
    assert "built-in demo" in err
    assert json.loads(out)["data"]["admin"] is True
