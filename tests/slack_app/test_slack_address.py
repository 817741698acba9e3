"""Where Slack is (issue 14, item 5), the small things (item 7), and the real server.

The last tests start ``switchboard --config FILE slack run --http`` as an
operator does, pointed at the fake Slack through ``[slack] api_url`` and
``response_url_origins``, and drive it with signed and unsigned requests.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.config import SlackSettings, parse_config
from switchboard.core.demo import USER
from switchboard.core.emulator import serve
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.registry import get_vendor
from switchboard.slack_app.app import create_app
from switchboard.slack_app.cli import run as run_cli
from switchboard.slack_app.http_server import EVENTS_PATH
from switchboard.slack_app.reply_urls import SLACK_REPLY_ORIGINS
from switchboard.slack_app.settings import DEFAULT_API_URL, resolve_runtime
from tests.slack_app.conftest import VENDOR, http_runtime
from tests.slack_app.server import BOT_TOKEN, slack_server, write_config
from tests.slack_app.signing import SIGNING_SECRET, command_body, signed_headers

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.demo import Demo
    from tests.slack_app.conftest import Rig
    from tests.slack_app.fake_slack import FakeSlack

ENV = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdef", "SLACK_SIGNING_SECRET": "s" * 20}


def _http(
    slack: SlackSettings, env: dict[str, str] | None = None
) -> tuple[str, tuple[str, ...]]:
    runtime = resolve_runtime(slack, mode="http", env={**ENV, **(env or {})})
    return runtime.api_url, runtime.reply_origins


def test_slack_is_slack_com_unless_configured() -> None:
    assert _http(SlackSettings()) == (DEFAULT_API_URL, SLACK_REPLY_ORIGINS)


def test_the_environment_variable_slack_users_know_sets_the_api_address() -> None:
    url, _ = _http(SlackSettings(), {"SLACK_API_URL": "https://slack-gov.com/api"})
    assert url == "https://slack-gov.com/api/"  # slack_sdk needs the slash


def test_the_config_key_wins_over_the_environment() -> None:
    settings = SlackSettings(api_url="https://slack-gov.com/api/")
    url, _ = _http(settings, {"SLACK_API_URL": "https://other.example/api/"})
    assert url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    "url",
    [
        "http://slack.example/api/",
        "slack.com/api",
        "ftp://slack.com/api/",
        "https://slack.com/api/?x=1",
    ],
)
def test_the_token_never_travels_in_clear_text_to_another_host(url: str) -> None:
    with pytest.raises(SwitchboardConfigError, match="api_url must be the https"):
        _http(SlackSettings(api_url=url))
    with pytest.raises(SwitchboardConfigError, match="SLACK_API_URL must be"):
        _http(SlackSettings(), {"SLACK_API_URL": url})


def test_plain_http_is_allowed_on_this_machine_for_tests() -> None:
    url, _ = _http(SlackSettings(api_url="http://127.0.0.1:8080/api"))
    assert url == "http://127.0.0.1:8080/api/"


def test_response_url_origins_are_a_setting() -> None:
    config = parse_config(
        {
            "pbx": {
                "x": {
                    "vendor": "mirta",
                    "url": "https://pbx.example",
                    "api_key": "${K}",
                    "tenant": "T",
                }
            },
            "slack": {
                "api_url": "https://slack-gov.com/api/",
                "response_url_origins": ["https://hooks.slack-gov.com"],
            },
        },
        env={"K": "key-1234567890"},
    )
    url, origins = _http(config.slack)
    assert url == "https://slack-gov.com/api/"
    assert origins == ("https://hooks.slack-gov.com",)
    with pytest.raises(SwitchboardConfigError, match="response_url_origins"):
        _http(SlackSettings(response_url_origins=["hooks.slack.com"]))


async def test_check_http_does_not_ask_for_an_app_token(
    tmp_path: Path,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plugin = get_vendor(VENDOR)
    async with serve(plugin.emulator_factory()) as pbx_url:
        path = tmp_path / "switchboard.toml"
        env = write_config(
            path,
            plugin,
            pbx_url,
            slack={"api_url": f"{fake_slack.base_url}/api/"},
            users={},
            admins=[],
        )
        for name, value in {
            **env,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
        import argparse  # noqa: PLC0415

        args = argparse.Namespace(config=path, slack_action="check", http=True)
        code = await asyncio.to_thread(run_cli, args)
        out = capsys.readouterr().out
        assert code == 0, out
        assert "http mode is ready" in out
        [auth] = fake_slack.api_calls("auth.test")
        assert auth.authorization == f"Bearer {BOT_TOKEN}"
        # Without --http, Socket Mode still asks for the app-level token.
        args = argparse.Namespace(config=path, slack_action="check", http=False)
        assert await asyncio.to_thread(run_cli, args) != 0
        assert "SLACK_APP_TOKEN" in capsys.readouterr().err


# -- item 7 ------------------------------------------------------------------------


async def test_help_heading_ends_its_line(rig: Rig) -> None:
    await rig.command("help")
    [answer] = await rig.slack.wait_for("respond/cmd")
    first, second = answer.body["text"].split("\n")[:2]
    assert first.startswith("*Switchboard commands*")
    assert second.startswith("`/pbx help")


async def test_a_user_linked_by_email_may_link_again(rig: Rig) -> None:
    statuses = await rig.backend.get_statuses()
    linked = {
        link.extension
        for link in [
            await rig.demo.service.linked_extension(u) for u in ("alice", USER)
        ]
        if link is not None
    }
    mine = next(
        s.extension
        for s in statuses
        if s.extension.number not in linked and s.extension.email
    )
    assert mine.email is not None
    rig.slack.emails["U0EMAIL1"] = mine.email.upper()  # e-mails compare without case
    await rig.command("status", user="U0EMAIL1", key="first")
    await rig.slack.wait_for("respond/first")
    link = await rig.demo.service.linked_extension("U0EMAIL1")
    assert link is not None
    assert link.extension == mine.number

    await rig.command(f"link {mine.number}", user="U0EMAIL1", key="again")
    [answer] = await rig.slack.wait_for("respond/again")
    assert "Only admins" not in answer.body["text"]
    assert mine.number in answer.body["text"]
    # Someone else's extension still needs an admin.
    other = next(s.extension for s in statuses if s.extension.number != mine.number)
    await rig.command(f"link {other.number}", user="U0EMAIL1", key="other")
    [refused] = await rig.slack.wait_for("respond/other")
    assert "Only admins" in refused.body["text"]


async def test_bolt_does_not_warn_about_an_unused_token(
    demo: Demo,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # Bolt reads it by itself
    with caplog.at_level(logging.DEBUG):
        app = await create_app(
            demo.config, http_runtime(fake_slack.base_url), service=demo.service
        )
        await app.aclose()
    assert "will be unused" not in caplog.text


# -- the real server, as an operator starts it -------------------------------------


async def test_the_real_http_server_serves_signed_and_refuses_unsigned(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    plugin = get_vendor(VENDOR)
    emulator = plugin.emulator_factory()
    async with serve(emulator) as pbx_url:
        backend = plugin.create_backend(plugin.demo_settings(pbx_url))
        try:
            statuses = await backend.get_statuses()
        finally:
            await backend.aclose()
        mine = next(s for s in statuses if s.dnd is False)
        path = tmp_path / "switchboard.toml"
        env = write_config(
            path,
            plugin,
            pbx_url,
            slack={
                "api_url": f"{fake_slack.base_url}/api/",
                "response_url_origins": [fake_slack.base_url],
                # No missed-call watcher: its polls would blur "nothing reached
                # the PBX" for the unsigned requests.
                "missed_calls": False,
            },
            users={USER: mine.extension.number},
            admins=[],
        )
        async with (
            slack_server(path, env, tmp_path / "server.log") as server,
            httpx.AsyncClient(timeout=10) as http,
        ):
            started = list(fake_slack.calls)
            pbx_before = emulator.request_count()
            # Unsigned, malformed: a plain 401, nothing goes out.
            body = command_body(
                "dnd on", user=USER, response_url=fake_slack.response_url("x")
            )
            unsigned = await http.post(
                f"{server.url}{EVENTS_PATH}",
                content=body,
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "x-slack-request-timestamp": "abc",
                    "x-slack-signature": "v0=deadbeef",
                },
            )
            wrong_type = await http.post(
                f"{server.url}{EVENTS_PATH}",
                content=body,
                headers=signed_headers(body, content_type="text/plain"),
            )
            await asyncio.sleep(0.3)
            assert unsigned.status_code == 401
            assert wrong_type.status_code == 415
            assert fake_slack.calls == started
            assert emulator.request_count() == pbx_before

            # Signed: DND goes on and the answer reaches the response URL.
            signed = await http.post(
                f"{server.url}{EVENTS_PATH}", content=body, headers=signed_headers(body)
            )
            assert signed.status_code == 200
            [answer] = await fake_slack.wait_for("respond/x", within=10)
            assert "DND" in answer.body["text"]
        log = server.log_text()
    assert server.process.returncode == 0
    assert [c.method for c in started] == ["auth.test"]
    assert started[0].authorization == f"Bearer {BOT_TOKEN}"
    assert "Traceback" not in log
    assert "will be unused" not in log
    assert BOT_TOKEN not in log
    assert SIGNING_SECRET not in log
    assert "Refused a request to /slack/events (HTTP 401)" in log
    assert "Refused a request to /slack/events (HTTP 415)" in log
