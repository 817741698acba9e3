"""Start-up: fail fast on bad settings, check the token, serve health checks."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.commands import Actor, Surface
from switchboard.core.errors import SwitchboardConfigError
from switchboard.slack_app.app import check_bot_token, create_app, run
from switchboard.slack_app.http_server import HEALTH_PATH, serve_http
from tests.slack_app.conftest import http_runtime
from tests.slack_app.signing import SIGNING_SECRET

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.demo import Demo
    from tests.slack_app.fake_slack import FakeSlack


async def test_run_fails_fast_before_opening_anything(
    demo: Demo, tmp_path: Path
) -> None:
    state = demo.config.state.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{tmp_path / 'never.db'}"}
    )
    config = dataclasses.replace(demo.config, state=state)
    with pytest.raises(SwitchboardConfigError, match="SLACK_BOT_TOKEN"):
        await run(config, env={})
    with pytest.raises(SwitchboardConfigError, match="SLACK_APP_TOKEN"):
        await run(config, env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert not (tmp_path / "never.db").exists()


async def test_token_check_names_slacks_refusal(
    demo: Demo, fake_slack: FakeSlack
) -> None:
    app = await create_app(
        demo.config,
        http_runtime(fake_slack.base_url),
        service=demo.service,
    )
    assert await check_bot_token(app.bolt) == "Switchboard Test"
    fake_slack.failing.add("auth.test")
    with pytest.raises(
        SwitchboardConfigError, match=r"refused the bot token \(internal_error\)"
    ):
        await check_bot_token(app.bolt)
    await app.aclose()


async def test_unreachable_slack_is_a_clear_start_up_error(demo: Demo) -> None:
    app = await create_app(
        demo.config,
        http_runtime(),
        service=demo.service,
    )
    with pytest.raises(SwitchboardConfigError, match="Cannot reach Slack"):
        await check_bot_token(app.bolt)
    await app.aclose()


async def test_health_check_answers_without_slack_or_pbx(
    demo: Demo, fake_slack: FakeSlack
) -> None:
    app = await create_app(
        demo.config,
        http_runtime(fake_slack.base_url),
        service=demo.service,
    )
    before = demo.emulators[next(iter(demo.emulators))].request_count()
    async with (
        serve_http(app.bolt, SIGNING_SECRET, "127.0.0.1", 0) as url,
        httpx.AsyncClient() as http,
    ):
        response = await http.get(f"{url}{HEALTH_PATH}")
        unsigned = await http.post(
            f"{url}/slack/events", content="command=%2Fpbx&text=dnd+on"
        )
    assert response.status_code == 200
    assert unsigned.status_code == 401
    assert fake_slack.calls == []
    assert demo.emulators[next(iter(demo.emulators))].request_count() == before
    await app.aclose()


async def test_group_admins_plug_into_the_policy(
    demo: Demo, fake_slack: FakeSlack
) -> None:
    policy = demo.config.policy.model_copy(update={"admin_usergroup": "S0ADMINS"})
    config = dataclasses.replace(demo.config, policy=policy)
    app = await create_app(
        config,
        http_runtime(fake_slack.base_url),
        service=demo.service,
    )
    groupie = Actor("U0GROUPIE", surface=Surface.SLACK)
    assert not demo.service.is_admin(groupie)
    fake_slack.usergroups["S0ADMINS"] = ["U0GROUPIE"]
    await app.board.actor(app.bolt.client, "U0GROUPIE")  # refreshes the group
    assert demo.service.is_admin(groupie)
    assert demo.service.is_admin(Actor("alice"))  # policy.admins still count
    assert not demo.service.is_admin(Actor("bob"))
    await app.aclose()
