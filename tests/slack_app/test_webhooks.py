"""Telphin's webhooks reach ``slack run --http`` (issue 17): any worker, one leader registers.

Telphin's emulator is served on loopback and really POSTs to the URL the leader
registered; the app is the real ``switchboard slack run --http`` started as an
operator does (:mod:`tests.slack_app.server`), with ``[slack] public_url`` pointing
at it and a polling interval of an hour: a missed call that arrives within a second
came through the webhook, not the poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from switchboard.core.commands.state import StateStore
from switchboard.core.commands.webhook_relay import WEBHOOK_PATH, token_hash
from switchboard.core.config import SlackSettings, load_config
from switchboard.core.emulator import serve
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.registry import get_vendor
from switchboard.slack_app.http_server import EVENTS_PATH
from switchboard.slack_app.settings import PUBLIC_URL_ENV, resolve_runtime
from tests.slack_app.server import (
    SlackServer,
    free_port,
    slack_server,
    stop_server,
    write_config,
)
from tests.slack_app.signing import SIGNING_SECRET, command_body, signed_headers
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.plugins.telphin.emulator import TelphinEmulator
    from tests.slack_app.fake_slack import FakeSlack

WITHIN = 1.0
USER_ID = "U0TELPHIN1"
CALLER = "+74951234567"
FORM = {"content-type": "application/x-www-form-urlencoded"}
ENV = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdef", "SLACK_SIGNING_SECRET": "s" * 20}


# -- the setting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://switchboard.example.com/", "https://switchboard.example.com"),
        ("https://example.com/office", "https://example.com/office"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
    ],
)
def test_public_url_is_https_or_loopback(url: str, expected: str) -> None:
    assert SlackSettings(public_url=url).public_url == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://switchboard.example.com",
        "switchboard.example.com",
        "https://example.com/?x=1",
        "https://user:pw@example.com",
    ],
)
def test_a_bad_public_url_is_refused_naming_the_file(tmp_path: Path, url: str) -> None:
    path = tmp_path / "office.toml"
    path.write_text(
        '[pbx.x]\nvendor = "mirta"\nurl = "https://pbx.example"\n'
        'api_key = "${K}"\ntenant = "T"\n\n'
        f'[slack]\npublic_url = "{url}"\n',
        encoding="utf-8",
    )
    with pytest.raises(SwitchboardConfigError) as caught:
        load_config(path, env={"K": "key-1234567890"})
    assert str(path) in caught.value.message
    assert "slack.public_url: must be the https address" in caught.value.message
    with pytest.raises(SwitchboardConfigError, match=PUBLIC_URL_ENV):
        resolve_runtime(SlackSettings(), mode="http", env={**ENV, PUBLIC_URL_ENV: url})


def test_the_environment_gives_the_public_url_unless_the_file_does() -> None:
    env = {**ENV, PUBLIC_URL_ENV: "https://env.example/"}
    assert resolve_runtime(SlackSettings(), mode="http", env=env).public_url == (
        "https://env.example"
    )
    file = SlackSettings(public_url="https://file.example")
    assert resolve_runtime(file, mode="http", env=env).public_url == (
        "https://file.example"
    )
    assert resolve_runtime(SlackSettings(), mode="http", env=ENV).public_url is None


# -- the real server ------------------------------------------------------------------


class Office:
    """A Telphin emulator on loopback and what the servers need to use it."""

    def __init__(self, emulator: TelphinEmulator, url: str, number: str) -> None:
        self.emulator = emulator
        self.url = url
        self.number = number

    def registered(self) -> list[dict[str, Any]]:
        return list(self.emulator.webhooks.phone_events.values())

    def token(self) -> str:
        """The secret token of the current registrations (the test reads the vendor)."""
        tokens = {
            str(urlsplit(e["url"]).path).rsplit("/", 1)[1] for e in self.registered()
        }
        [token] = tokens
        return token


@contextlib.asynccontextmanager
async def telphin_office() -> AsyncIterator[Office]:
    plugin = get_vendor("telphin")
    emulator = plugin.emulator_factory()
    async with serve(emulator) as url:
        backend = plugin.create_backend(plugin.demo_settings(url))
        try:
            extensions = await backend.list_extensions()
        finally:
            await backend.aclose()
        yield Office(emulator, url, extensions[0].number)  # type: ignore[arg-type]


def office_config(
    tmp_path: Path, office: Office, fake_slack: FakeSlack, public_url: str | None
) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "office.toml"
    slack: dict[str, Any] = {
        "api_url": f"{fake_slack.base_url}/api/",
        "response_url_origins": [fake_slack.base_url],
        # An hour between polls: what arrives within a second was pushed.
        "missed_call_interval": 3600.0,
    }
    if public_url is not None:
        slack["public_url"] = public_url
    env = write_config(
        path,
        get_vendor("telphin"),
        office.url,
        slack=slack,
        users={USER_ID: office.number},
        admins=[],
    )
    return path, env


def missed_call_dms(fake_slack: FakeSlack) -> list[dict[str, Any]]:
    return [
        m
        for m in fake_slack.dm_messages
        if (m.get("metadata") or {}).get("event_type") == "switchboard_missed_call"
    ]


async def miss_a_call(
    office: Office, fake_slack: FakeSlack, server: SlackServer, caller: str = CALLER
) -> float:
    """Ring and hang up; return how long the DM took after the hang-up."""
    before = len(missed_call_dms(fake_slack))
    delivered = len(office.emulator.webhooks.delivered)
    call_id = office.emulator.ring(office.number, caller)
    # The dial-in webhook makes the leader read the ringing call.
    await until(lambda: len(office.emulator.webhooks.delivered) > delivered, 5)
    await asyncio.sleep(0.8)
    office.emulator.hang_up(call_id)
    try:
        return await until(lambda: len(missed_call_dms(fake_slack)) > before, WITHIN)
    except TimeoutError:
        pytest.fail(f"no missed-call DM within {WITHIN}s:\n{server.log_text()}")


async def stored_deliveries(tmp_path: Path) -> int:
    store = await StateStore.open(f"sqlite+aiosqlite:///{tmp_path / 'state.db'}")
    try:
        return await store.webhook_delivery_count()
    finally:
        await store.aclose()


async def test_a_missed_call_reaches_slack_through_the_webhook_within_a_second(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    async with telphin_office() as office:
        path, env = office_config(tmp_path, office, fake_slack, public_url)
        async with (
            slack_server(path, env, tmp_path / "server.log", port=port) as server,
            httpx.AsyncClient(timeout=10) as http,
        ):
            await until(lambda: bool(office.registered()), 10)
            token = office.token()
            hook = f"{public_url}{WEBHOOK_PATH}/office/"
            assert all(e["url"] == hook + token for e in office.registered())
            took = await miss_a_call(office, fake_slack, server)
            assert took < WITHIN
            [dm] = missed_call_dms(fake_slack)
            assert dm["channel"] == f"D{USER_ID}"

            # Telphin delivers every call twice: still one DM (another caller,
            # whose calls are not grouped with the first).
            office.emulator.webhooks.repeat = 2
            await miss_a_call(office, fake_slack, server, "+74957654321")
            await asyncio.sleep(0.5)
            assert len(missed_call_dms(fake_slack)) == 2
            hangups = [
                f
                for _, f in office.emulator.webhooks.delivered
                if f["EventType"] == "hangup"
            ]
            assert hangups[-1] == hangups[-2]  # delivered twice indeed

            # Refused, nothing stored: a wrong token, an unknown PBX, an event type
            # we did not register, a Slack-signed request on the webhook path.
            fields = {"EventType": "hangup", "CallID": "1"}
            refused = [
                await http.post(hook + "x" * len(token), data=fields),
                await http.post(
                    f"{public_url}{WEBHOOK_PATH}/elsewhere/{token}", data=fields
                ),
                await http.post(
                    hook + token, data={**fields, "EventType": "voicemail"}
                ),
                await http.post(hook + token, data={"CallID": "1"}),
            ]
            body = command_body(
                "dnd on", user=USER_ID, response_url=fake_slack.response_url("x")
            )
            slack_signed = await http.post(
                hook + token, content=body, headers=signed_headers(body)
            )
            assert [r.status_code for r in refused] == [404, 404, 404, 404]
            assert slack_signed.status_code == 404
            assert fake_slack.api_calls("respond/x") == []
            assert await stored_deliveries(tmp_path) == 0
            # Not a Slack request either way: the Slack path still wants a signature.
            as_slack = await http.post(f"{public_url}{EVENTS_PATH}", data=fields)
            assert as_slack.status_code == 401
            # Bounded, form-encoded only.
            huge = await http.post(hook + token, data={"EventType": "x" * 20_000})
            as_json = await http.post(hook + token, json=fields)
            assert (huge.status_code, as_json.status_code) == (413, 415)
            assert await stored_deliveries(tmp_path) == 0
        # Stopped: nothing of ours is left at the vendor.
        assert office.registered() == []
    log = server.log_text()
    assert server.process.returncode == 0
    assert "Traceback" not in log
    assert token not in log
    assert token_hash(token) not in log
    assert f"Telphin's webhooks (office) are received at {hook}<token>" in log
    assert SIGNING_SECRET not in log


async def test_without_a_public_url_telphin_is_polled_and_says_so(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with telphin_office() as office:
        path, env = office_config(tmp_path, office, fake_slack, None)
        async with slack_server(path, env, tmp_path / "server.log") as server:
            await asyncio.sleep(1.0)
            assert office.registered() == []
            # No route either: the path is Slack-less and token-less.
            async with httpx.AsyncClient(timeout=10) as http:
                answer = await http.post(
                    f"{server.url}{WEBHOOK_PATH}/office/abc", data={"EventType": "x"}
                )
            assert answer.status_code == 404
    log = server.log_text()
    assert (
        log.count(
            "Telphin's calls are polled: set [slack] public_url to receive its webhooks"
        )
        == 1
    )


async def test_a_delivery_to_the_worker_that_does_not_lead_is_told_once(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Two workers on one state database; Telphin calls the one that did not register."""
    follower_port = free_port()
    public_url = f"http://127.0.0.1:{follower_port}"
    async with telphin_office() as office:
        path, env = office_config(tmp_path, office, fake_slack, public_url)
        async with slack_server(path, env, tmp_path / "leader.log") as leader:
            # The first worker leads (and registers); only then the second starts.
            await until(lambda: bool(office.registered()), 10)
            token = office.token()
            async with slack_server(
                path, env, tmp_path / "follower.log", port=follower_port
            ) as follower:
                await asyncio.sleep(0.5)
                # The second worker registered nothing of its own.
                assert office.token() == token
                await miss_a_call(office, fake_slack, follower)
                await asyncio.sleep(0.5)
                assert len(missed_call_dms(fake_slack)) == 1
                # The follower received them (the leader's port is another).
                assert all(
                    url.startswith(public_url)
                    for url, _ in office.emulator.webhooks.delivered
                )
                assert await stored_deliveries(tmp_path) == 0
                await stop_server(leader)
                # The leader stopped: its registrations are gone with it.
                assert office.registered() == []
    for server in (leader, follower):
        log = server.log_text()
        assert "Traceback" not in log
        assert token not in log


async def test_socket_mode_says_telphin_is_polled(
    tmp_path: Path, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    from switchboard.core.commands import CommandService  # noqa: PLC0415
    from switchboard.slack_app.app import say_how_pushed, webhook_relay  # noqa: PLC0415

    async with telphin_office() as office:
        path, env = office_config(tmp_path, office, fake_slack, "https://x.example")
        config = load_config(path, env=env)
        runtime = resolve_runtime(
            config.slack, mode="socket", env={**ENV, "SLACK_APP_TOKEN": "xapp-1-2"}
        )
        service = await CommandService.create(config)
        try:
            assert webhook_relay(runtime, service) is None
            with caplog.at_level(logging.INFO):
                say_how_pushed(service, runtime, None)
        finally:
            await service.aclose()
    assert "Telphin's calls are polled: Socket Mode receives no webhooks" in caplog.text
    assert SIGNING_SECRET not in caplog.text
