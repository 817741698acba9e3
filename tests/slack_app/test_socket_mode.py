"""Socket Mode end to end: the app connects to the fake Slack's WebSocket."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from pydantic import SecretStr

from switchboard.core.demo import USER
from switchboard.slack_app.app import create_app
from switchboard.slack_app.socket_mode import connect_socket_mode
from tests.slack_app.conftest import BOT_TOKEN, http_runtime

if TYPE_CHECKING:
    from switchboard.core.demo import Demo
    from tests.slack_app.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-A0000001-test-socket-token"


async def test_slash_command_over_socket_mode(
    demo: Demo, fake_slack: FakeSlack
) -> None:
    runtime = dataclasses.replace(
        http_runtime(fake_slack.base_url),
        mode="socket",
        app_token=SecretStr(APP_TOKEN),
        signing_secret=None,
    )
    app = await create_app(
        demo.config,
        runtime,
        service=demo.service,
    )
    handler = await connect_socket_mode(app.bolt, APP_TOKEN)
    try:
        [opened] = fake_slack.api_calls("apps.connections.open")
        assert (
            opened.authorization == f"Bearer {APP_TOKEN}"
        )  # the app token, not the bot token
        await fake_slack.wait_for("socket/connected")
        envelope = {
            "envelope_id": "env-1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "team_id": "T0000001",
                "channel_id": "C0000001",
                "user_id": USER,
                "user_name": "bob",
                "command": "/pbx",
                "text": "dnd on",
                "api_app_id": "A0000001",
                "response_url": fake_slack.response_url("socket"),
                "trigger_id": "T.socket",
            },
        }
        await fake_slack.socket.send_json(envelope)  # type: ignore[union-attr]

        [ack] = await fake_slack.wait_for("socket/ack")
        assert ack.body["envelope_id"] == "env-1"
        [answer] = await fake_slack.wait_for("respond/socket")
        assert "DND" in answer.body["text"]
        assert BOT_TOKEN not in str(answer.body)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await app.aclose()
    backend = demo.service.backends.get(next(iter(demo.config.pbx)))
    link = await demo.service.linked_extension(USER)
    assert link is not None
    status = await backend.get_status((await backend.find_extension(link.extension)).id)
    assert status.dnd is True
