"""Broken configurations: a clear message naming the file and field, never a traceback."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from switchboard.core.cli.main import main
from switchboard.core.commands import CommandService
from switchboard.core.config import load_config, parse_config
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.policy import DialRefusedError, Policy, Refusal

if TYPE_CHECKING:
    from pathlib import Path

ENV = {"SB_KEY": "k" * 32}


def _write(tmp_path: Path, *, state: str = "", policy: str = "", pbx: str = "") -> Path:
    path = tmp_path / "office.toml"
    path.write_text(
        "[pbx.office]\n"
        'vendor = "pbxware"\n'
        'url = "https://pbx.example.test"\n'
        'api_key = "${SB_KEY}"\n'
        f"{pbx}\n"
        f"[policy]\n{policy}\n"
        f"[state]\n{state}\n"
    )
    return path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+asyncpg://u:pw@db.example.test:abc/sb", "cannot use it"),
        ("sqlite+aiosqlite:///{tmp}/missing/dir/state.db", "does not exist"),
        ("sqlite+aiosqlite:///{tmp}", "is a directory"),
    ],
)
async def test_database_url_errors_name_the_file_and_the_field(
    tmp_path: Path, url: str, expected: str
) -> None:
    path = _write(tmp_path, state=f'database_url = "{url.format(tmp=tmp_path)}"')
    config = load_config(path, env=ENV)
    with pytest.raises(SwitchboardConfigError) as info:
        await CommandService.create(config)
    assert str(info.value).startswith(f"{path}: state.database_url: ")
    assert expected in str(info.value)
    assert "pw@" not in str(info.value)


async def test_a_parent_directory_nobody_asked_for_is_not_created(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/not/asked/state.db"
    with pytest.raises(SwitchboardConfigError):
        await CommandService.create(
            load_config(_write(tmp_path, state=f'database_url = "{url}"'), env=ENV)
        )
    assert not (tmp_path / "not").exists()


def test_a_directory_as_database_is_one_clear_message(tmp_path: Path) -> None:
    """No 'Event loop is closed' from aiosqlite's thread after the message (runs 4 times)."""
    path = _write(tmp_path, state=f'database_url = "sqlite:///{tmp_path}"')
    for _ in range(4):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "switchboard.core.cli",
                "--config",
                str(path),
                "status",
            ],
            capture_output=True,
            text=True,
            env={"SB_KEY": ENV["SB_KEY"], "PATH": "/usr/bin:/bin"},
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert "is a directory" in done.stderr
        assert "Traceback" not in done.stderr
        assert "Event loop is closed" not in done.stderr


def test_a_non_numeric_port_is_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SB_KEY", ENV["SB_KEY"])
    path = _write(tmp_path, state='database_url = "postgresql://u:p@h:port/db"')
    assert main(["--config", str(path), "status"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: state.database_url" in err


@pytest.mark.parametrize(
    ("region", "hint"), [("UK", "did you mean GB?"), ("XX", "ISO 3166")]
)
def test_a_wrong_region_code_is_refused_with_a_hint(
    tmp_path: Path, region: str, hint: str
) -> None:
    path = _write(tmp_path, policy=f'default_region = "{region}"')
    with pytest.raises(SwitchboardConfigError) as info:
        load_config(path, env=ENV)
    assert str(info.value).startswith(f"{path}: policy.default_region: '{region}'")
    assert hint in str(info.value)
    assert "Value error" not in str(info.value)


def test_region_codes_are_read_in_any_case(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, policy='default_region = "gb"'), env=ENV)
    assert config.policy.default_region == "GB"


def _pbx(url: str, extra: dict[str, object] | None = None) -> dict[str, object]:
    return {
        "pbx": {
            "office": {
                "vendor": "pbxware",
                "url": url,
                "api_key": "${SB_KEY}",
                **(extra or {}),
            }
        }
    }


def test_credentials_over_plain_http_to_another_host_are_refused() -> None:
    with pytest.raises(SwitchboardConfigError) as info:
        parse_config(_pbx("http://pbx.example.test"), env=ENV)
    assert "pbx.office.url" in str(info.value)
    assert "allow_insecure_http = true" in str(info.value)


def test_plain_http_when_allowed_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    config = parse_config(
        _pbx("http://10.0.0.5", {"allow_insecure_http": True}), env=ENV
    )
    assert config.connection().settings.url == "http://10.0.0.5"
    assert "unencrypted" in caplog.text
    assert ENV["SB_KEY"] not in caplog.text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://localhost",
        "http://[::1]:80",
        "https://pbx.example.test",
    ],
)
def test_loopback_and_https_need_no_switch(url: str) -> None:
    assert parse_config(_pbx(url), env=ENV).connection().settings.url == url.rstrip("/")


def test_the_switch_must_be_a_boolean() -> None:
    with pytest.raises(
        SwitchboardConfigError, match="allow_insecure_http: must be true or false"
    ):
        parse_config(_pbx("http://10.0.0.5", {"allow_insecure_http": "yes"}), env=ENV)


# -- toll-fraud defaults -----------------------------------------------------------


def _policy(**settings: object) -> Policy:
    raw = {
        **_pbx("https://pbx.example.test"),
        "policy": {"default_region": "GB", **settings},
    }
    return Policy(parse_config(raw, env=ENV).policy)


@pytest.mark.parametrize(
    ("number", "reason", "switch"),
    [
        ("+447012345678", Refusal.PERSONAL_NUMBER, "allow_personal_numbers"),
        ("+445512345678", Refusal.UAN, "allow_uan"),
        ("+445612345678", Refusal.VOIP, "allow_voip"),
        ("+881612345678", Refusal.SATELLITE, "allow_satellite"),
        ("+870772001899", Refusal.SATELLITE, "allow_satellite"),
    ],
)
def test_costly_ranges_are_refused_unless_switched_on(
    number: str, reason: Refusal, switch: str
) -> None:
    with pytest.raises(DialRefusedError) as info:
        _policy(allow_international=True).check_destination(number)
    assert info.value.reason is reason
    assert f"policy.{switch}" in info.value.message
    allowed = _policy(allow_international=True, **{switch: True})
    assert allowed.check_destination(number).number == number


def test_short_numbers_go_out_only_as_known_extensions() -> None:
    policy = _policy()
    assert policy.check_destination("201", internal_numbers={"201"}).internal
    for unknown in (None, {"202"}):
        with pytest.raises(DialRefusedError) as info:
            policy.check_destination("118118", internal_numbers=unknown)
        assert info.value.reason is Refusal.NO_EXTENSION


def test_emergency_numbers_are_recognised_in_a_valid_region() -> None:
    with pytest.raises(DialRefusedError) as info:
        _policy().check_destination("112", internal_numbers={"112"})
    assert info.value.reason is Refusal.EMERGENCY
