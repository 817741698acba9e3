"""``switchboard watch`` refusals, and the watcher ``slack run`` starts (``watching``)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from typing import TYPE_CHECKING

import pytest

from switchboard.core.cli.output import EXIT_REFUSED
from switchboard.core.config import SlackSettings
from switchboard.core.demo import USER, start_demo
from switchboard.core.emulator import RingsPhones, ring_out
from switchboard.slack_app import watch_cli
from switchboard.slack_app.missed_calls import watching
from tests.slack_app.conftest import start_rig

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.demo import Demo
    from tests.slack_app.fake_slack import FakeSlack


def test_watch_needs_a_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.setattr(watch_cli, "find_config", lambda _explicit: None)
    assert watch_cli.run(argparse.Namespace(config=None)) == EXIT_REFUSED
    assert "needs a configuration file" in capsys.readouterr().err


def test_watch_needs_the_bot_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "office.toml"
    config.write_text(
        'default_pbx = "office"\n[pbx.office]\nvendor = "mirta"\n'
        'url = "http://127.0.0.1:9"\napi_key = "${MIRTA_KEY}"\ntenant = "ACME"\n'
    )
    monkeypatch.setenv("MIRTA_KEY", "k" * 32)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert watch_cli.run(argparse.Namespace(config=config)) == EXIT_REFUSED
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


@pytest.fixture
async def mirta_demo(tmp_path: Path) -> Demo:

    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        yield demo  # type: ignore[misc]


@pytest.mark.parametrize("enabled", [True, False])
async def test_slack_run_watches_unless_switched_off(
    mirta_demo: Demo, fake_slack: FakeSlack, *, enabled: bool
) -> None:
    """``slack run`` wraps its serving in ``watching``; ``missed_calls = false`` stops it."""
    slack = SlackSettings(missed_calls=enabled, missed_call_interval=1.0)
    mirta_demo.service.config = dataclasses.replace(
        mirta_demo.service.config, slack=slack
    )
    emulator = mirta_demo.emulators["mirta"]
    assert isinstance(emulator, RingsPhones)
    link = await mirta_demo.service.linked_extension(USER)
    assert link is not None
    async for rig in start_rig(mirta_demo, fake_slack):
        async with watching(rig.app.board, rig.app.bolt.client):
            await asyncio.sleep(1.3)  # the first poll: the baseline
            ring_out(emulator, link.extension, "+4533123456")
            await asyncio.sleep(2.5)
        posted = rig.slack.api_calls("chat.postMessage")
        assert len(posted) == (1 if enabled else 0)
