"""The TOML configuration: valid files load; every error names the file and field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core import registry
from switchboard.core.config import load_config, parse_config
from switchboard.core.errors import SwitchboardConfigError

from .fakes import fake_plugin

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ENV = {"FAKE_KEY": "the-real-key-0001", "SLACK_BOT": "xoxb-1-2-3"}


@pytest.fixture(autouse=True)
def fake_vendor() -> Iterator[None]:
    remove = registry.register_vendor(fake_plugin("fake"))
    yield
    remove()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "switchboard.toml"
    path.write_text(text)
    return path


GOOD = """
default_pbx = "office"
[pbx.office]
vendor = "fake"
url = "https://pbx.example.com/"
api_key = "${FAKE_KEY}"
[policy]
admins = ["U1"]
allow_international = true
[slack]
bot_token = "${SLACK_BOT}"
[users.alice]
extension = "201"
"""


def test_a_good_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), env=ENV)
    office = config.connection()
    assert office.plugin.name == "fake"
    assert office.settings.url == "https://pbx.example.com"
    assert office.settings.secret_values() == ["the-real-key-0001"]
    assert "the-real-key-0001" not in repr(office.settings)
    assert config.policy.admins == ["U1"]
    assert config.slack.bot_token is not None
    assert config.slack.bot_token.get_secret_value() == "xoxb-1-2-3"
    assert config.users["alice"].extension == "201"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='plain'\n",
            "pbx.office.api_key: is a secret",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${NOPE}'\n",
            "environment variable NOPE is not set",
        ),
        (
            "[pbx.office]\nvendor='nobody'\nurl='https://x'\n",
            "pbx.office.vendor: Unknown PBX vendor 'nobody'",
        ),
        ("[pbx.office]\nurl='https://x'\n", "pbx.office.vendor: is required"),
        (
            "[pbx.office]\nvendor='fake'\nurl='ftp://x'\napi_key='${FAKE_KEY}'\n",
            "pbx.office.url",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\ncolour='red'\n",
            "pbx.office.colour: is not a known setting",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\ntimeout=-1\n",
            "pbx.office.timeout",
        ),
        ("title = 'x'\n", "title: is not a known setting"),
        ("", "pbx: at least one [pbx.NAME] table is required"),
        (
            "default_pbx='home'\n[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n",
            "default_pbx: names 'home'",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n[policy]\ndefault_region='Denmark'\n",
            "policy.default_region",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n[slack]\nsigning_secret='abc'\n",
            "slack.signing_secret: is a secret",
        ),
        (
            "[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n[users.bob]\nextension='1'\npbx='home'\n",
            "users.bob.pbx: names 'home'",
        ),
        (
            "templates_dir='/no/such/dir'\n[pbx.office]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n",
            "templates_dir: /no/such/dir is not a directory",
        ),
    ],
)
def test_errors_name_the_file_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SwitchboardConfigError) as caught:
        load_config(path, env=ENV)
    assert str(path) in caught.value.message
    assert expected in caught.value.message
    assert "the-real-key-0001" not in caught.value.message


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[pbx\n")
    with pytest.raises(SwitchboardConfigError, match="not valid TOML"):
        load_config(path, env=ENV)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SwitchboardConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml", env=ENV)


def test_templates_dir_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    text = "templates_dir='tpl'\n[pbx.o]\nvendor='fake'\nurl='https://x'\napi_key='${FAKE_KEY}'\n"
    config = load_config(write(tmp_path, text), env=ENV)
    assert config.templates_dir == tmp_path / "tpl"


def test_unknown_connection_name() -> None:
    config = parse_config(
        {
            "pbx": {
                "o": {"vendor": "fake", "url": "https://x", "api_key": "${FAKE_KEY}"}
            }
        },
        env=ENV,
    )
    with pytest.raises(SwitchboardConfigError, match="No PBX called 'home'"):
        config.connection("home")


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """A config saved as Latin-1 (a Danish 'ø' in a comment) is refused in words."""
    path = tmp_path / "switchboard.toml"
    path.write_bytes(GOOD.encode() + "# K\xf8benhavn office\n".encode("latin-1"))
    with pytest.raises(SwitchboardConfigError, match="UTF-8") as caught:
        load_config(path, env=ENV)
    assert str(path) in caught.value.message


def test_default_pbx_that_is_not_a_name_is_a_config_error() -> None:
    """default_pbx = ["office"] names the field instead of raising TypeError."""
    raw = {
        "default_pbx": ["office"],
        "pbx": {
            "office": {"vendor": "fake", "url": "https://x", "api_key": "${FAKE_KEY}"}
        },
    }
    with pytest.raises(SwitchboardConfigError, match="default_pbx"):
        parse_config(raw, env=ENV)
