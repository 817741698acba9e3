"""The Slack rig: the real Bolt app on a loopback port, a fake Slack, real emulators.

* the command service and its vendor emulator come from the built-in demo
  (``switchboard.core.demo.start_demo``, in-process through ``httpx.ASGITransport``);
* Slack's Web API and every ``response_url`` are a loopback aiohttp server
  (:mod:`tests.slack_app.fake_slack`) that records every call;
* the app under test is :func:`switchboard.slack_app.app.create_app` served by
  :func:`switchboard.slack_app.http_server.serve_http`, so requests pass Bolt's real
  signature verification.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from switchboard.core.commands import CommandService
from switchboard.core.demo import ADMIN, USER, Demo, demo_config, start_demo
from switchboard.core.registry import get_vendor
from switchboard.slack_app.app import create_app
from switchboard.slack_app.http_server import EVENTS_PATH, serve_http
from switchboard.slack_app.reply_urls import normalise_origins
from switchboard.slack_app.settings import SlackRuntime
from tests.slack_app.fake_slack import FakeSlack, serve_fake_slack
from tests.slack_app.signing import (
    SIGNING_SECRET,
    command_body,
    event_body,
    interactive_body,
    signed_headers,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.core.backend import PbxBackend
    from switchboard.core.config import SwitchboardConfig
    from switchboard.core.emulator import Emulator
    from switchboard.core.models import ExtensionStatus
    from switchboard.slack_app.app import SlackApp

VENDOR = "telecomx"  # supports DND, presence, forwarding, dialling, recording, flows
BOT_TOKEN = "xoxb-test-0000-secret-token"


def http_runtime(slack_url: str = "http://127.0.0.1:9") -> SlackRuntime:
    """HTTP mode against the fake Slack at ``slack_url`` (Web API and answers)."""
    return SlackRuntime(
        mode="http",
        bot_token=SecretStr(BOT_TOKEN),
        signing_secret=SecretStr(SIGNING_SECRET),
        port=0,
        host="127.0.0.1",
        api_url=f"{slack_url}/api/",
        reply_origins=normalise_origins([slack_url]),
    )


@dataclass
class Rig:
    """Everything an end-to-end test touches."""

    demo: Demo
    slack: FakeSlack
    app: SlackApp
    url: str
    http: httpx.AsyncClient

    @property
    def pbx(self) -> str:
        return next(iter(self.demo.config.pbx))

    @property
    def emulator(self) -> Emulator:
        return self.demo.emulators[self.pbx]

    @property
    def backend(self) -> PbxBackend:
        return self.demo.service.backends.get(self.pbx)

    async def status_of(self, user: str) -> ExtensionStatus:
        """Read the user's extension afresh from the emulator."""
        link = await self.demo.service.linked_extension(user)
        assert link is not None
        extension = await self.backend.find_extension(link.extension)
        return await self.backend.get_status(extension.id)

    async def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> tuple[httpx.Response, float]:
        """POST a signed request; return the response and how long it took."""
        headers = signed_headers(
            body, secret=secret, timestamp=timestamp, content_type=content_type
        )
        started = time.perf_counter()
        response = await self.http.post(
            f"{self.url}{EVENTS_PATH}", content=body, headers=headers
        )
        return response, time.perf_counter() - started

    async def command(
        self, text: str, user: str = USER, key: str = "cmd"
    ) -> httpx.Response:
        body = command_body(text, user=user, response_url=self.slack.response_url(key))
        response, _ = await self.post(body)
        return response

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        response, _ = await self.post(interactive_body(payload))
        return response

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        response, _ = await self.post(
            event_body(event), content_type="application/json"
        )
        return response


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with serve_fake_slack() as fake:
        yield fake


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=[VENDOR]
    ) as running:
        yield running


async def start_rig(
    demo: Demo, fake: FakeSlack, config: SwitchboardConfig | None = None
) -> AsyncIterator[Rig]:
    app = await create_app(
        config or demo.config, http_runtime(fake.base_url), service=demo.service
    )
    async with (
        serve_http(app.bolt, SIGNING_SECRET, "127.0.0.1", 0) as url,
        httpx.AsyncClient(timeout=10) as http,
    ):
        yield Rig(demo, fake, app, url, http)
    await app.aclose()  # waits for answers still in flight


@pytest.fixture
async def rig(demo: Demo, fake_slack: FakeSlack) -> AsyncIterator[Rig]:
    async for built in start_rig(demo, fake_slack):
        yield built


@pytest.fixture
async def group_rig(demo: Demo, fake_slack: FakeSlack) -> AsyncIterator[Rig]:
    """A rig whose admins also come from the Slack user group S0ADMINS."""
    policy = demo.config.policy.model_copy(update={"admin_usergroup": "S0ADMINS"})
    config = dataclasses.replace(demo.config, policy=policy)
    async for built in start_rig(demo, fake_slack, config):
        yield built


@pytest.fixture
async def impatient_rig(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[Rig]:
    """A rig whose PBX connection gives up after 0.3 s, without retries."""
    emulator = get_vendor(VENDOR).emulator_factory()
    url = "http://pbx.emulator.test"
    config = demo_config({VENDOR: url}, tmp_path)
    connection = config.pbx[VENDOR]
    settings = connection.settings.model_copy(update={"timeout": 0.3, "max_retries": 0})
    config = dataclasses.replace(
        config, pbx={VENDOR: dataclasses.replace(connection, settings=settings)}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator)) as client:
        service = await CommandService.create(config, http_client=client)
        try:
            statuses = await service.backends.get(VENDOR).get_statuses()
            await service.link(
                USER, VENDOR, statuses[0].extension.number, linked_by="test"
            )
            demo = Demo(config, service, {VENDOR: emulator}, {VENDOR: url})
            async for built in start_rig(demo, fake_slack):
                yield built
        finally:
            await service.aclose()


__all__ = ["ADMIN", "USER", "Rig"]
