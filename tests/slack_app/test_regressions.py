"""Regressions: PBX text in the App Home, long answers in Block Kit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

from switchboard.core.capabilities import Capability
from switchboard.core.commands import Actor, Outcome, Reply, Surface, parse_command
from switchboard.core.commands.grammar import CallCommand
from switchboard.core.commands.render import Renderer
from switchboard.core.config import PolicySettings
from switchboard.core.demo import ADMIN, start_demo
from switchboard.core.models import Call, Extension, ExtensionStatus
from switchboard.core.policy import Policy
from switchboard.slack_app.context import Switchboard
from switchboard.slack_app.directory import SlackDirectory
from switchboard.slack_app.listeners.actions.run_command_action import (
    command_text,
    run_command_action,
)
from switchboard.slack_app.listeners.commands.pbx_command import run_pbx_command
from switchboard.slack_app.listeners.views.blocks import (
    SECTION_TEXT_LIMIT,
    mrkdwn_sections,
)
from switchboard.slack_app.listeners.views.home_builder import build_home_view
from switchboard.slack_app.listeners.views.reply_builder import (
    build_reply_message,
    reply_controls,
)

if TYPE_CHECKING:
    from pathlib import Path

    from slack_bolt.context.respond.async_respond import AsyncRespond

MAX_BLOCKS = 50


def test_home_escapes_what_the_pbx_says() -> None:
    """An extension name or forward target is PBX text: never a mention or a link."""
    status = ExtensionStatus(
        extension=Extension(
            id="x1", number="201", name="<!channel> <https://evil.test|Log in> & co"
        ),
        dnd=False,
        forward_to="<!here>",
    )
    view = build_home_view(status, frozenset(Capability))
    texts = [view["blocks"][1]["text"]["text"]] + [
        field["text"] for field in view["blocks"][1]["fields"]
    ]
    joined = "\n".join(texts)
    assert "<!" not in joined
    assert "<https" not in joined
    assert "&lt;!channel&gt; &lt;https://evil.test|Log in&gt; &amp; co" in joined
    assert "&lt;!here&gt;" in joined


def _status_list(count: int) -> str:
    statuses = [
        {
            "extension": {"number": str(1000 + i), "name": f"Person number {i}"},
            "registered": True,
            "on_call": False,
            "dnd": False,
            "dnd_phones_total": 0,
            "presence": None,
            "forward_to": None,
        }
        for i in range(count)
    ]
    return Renderer().render(
        Surface.SLACK, "status_list", statuses=statuses, pbx="main", vendor="MiRTA"
    )


def test_a_long_table_keeps_its_code_block_in_every_section() -> None:
    """'status all' for 100 extensions: each section is a closed code block."""
    blocks = mrkdwn_sections(_status_list(100))
    assert len(blocks) > 1
    for block in blocks:
        text = block["text"]["text"]
        assert len(text) <= SECTION_TEXT_LIMIT
        assert text.count("```") % 2 == 0, text[:80]
    assert blocks[1]["text"]["text"].startswith("```")


def test_a_huge_answer_stays_within_slacks_block_limit() -> None:
    """Slack refuses a message of more than 50 blocks: the answer would be lost."""
    text = _status_list(3000)
    reply = Reply(Outcome.SUCCESS, text, command=parse_command("status all"))
    message = build_reply_message(reply, "status all")
    assert len(message["blocks"]) <= MAX_BLOCKS
    last = message["blocks"][-1]["text"]["text"]
    assert "too long" in last


def test_no_call_back_button_for_a_withheld_caller() -> None:
    """'anonymous' is no number: a 'Call back anonymous' button could only fail."""
    calls = [
        Call(id="a", from_number="anonymous", to_number="201"),
        Call(id="b", from_number="Unknown caller", to_number="202"),
        Call(id="c", from_number="+45 70 30 50 50", to_number="203"),
    ]
    data = {"calls": [c.model_dump(mode="json") for c in calls]}
    reply = Reply(
        Outcome.SUCCESS,
        "calls",
        data=data,
        command=parse_command("calls"),
        supports=frozenset(Capability),
    )
    buttons = reply_controls(reply)
    assert [b["value"] for b in buttons] == ["call +4570305050"]
    for button in buttons:
        assert isinstance(parse_command(button["value"]), CallCommand)


async def test_a_button_acts_on_the_pbx_it_was_shown_for(tmp_path: Path) -> None:
    """Alice's 'flow night on' is announced in the channel with an Undo button.

    Carol, an admin linked to the other office's PBX, clicks Undo: it must undo
    Alice's switch, not look for a 'night' flow on Carol's own PBX.
    """
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta", "telecomx"]
    ) as demo:
        service = demo.service
        service.policy = Policy(
            PolicySettings(admins=[ADMIN, "UCAROL"], default_region="DK")
        )
        other = next(name for name in demo.config.pbx if name != "mirta")
        carol_ext = (await service.backends.directory(other).extensions())[3]
        await service.link("UCAROL", other, carol_ext.number)
        board = Switchboard(service, SlackDirectory(), "DK")
        alice = Actor(ADMIN, "Alice", Surface.SLACK)

        reply = await service.run("flow night on", alice)
        assert reply.outcome is Outcome.SUCCESS
        assert reply.pbx == "mirta"
        message = build_reply_message(reply, "flow night on")
        [block] = [b for b in message["blocks"] if b["type"] == "actions"]
        [undo] = block["elements"]
        body = {
            "user": {"id": "UCAROL", "username": "carol"},
            "container": {"type": "message", "is_ephemeral": False},
            "actions": [{**undo, "block_id": block["block_id"]}],
        }
        answers: list[dict[str, Any]] = []

        async def respond(**answer: Any) -> WebhookResponse:
            answers.append(answer)
            return WebhookResponse(
                url="http://x", status_code=200, body="ok", headers={}
            )

        await run_command_action(
            board,
            body,
            command_text(body["actions"][0]),
            cast("AsyncRespond", respond),
            AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
        )
        [answer] = answers
        assert "is now off" in answer["text"], answer["text"]
        flows = await service.backends.get("mirta").list_flows()
        assert next(f for f in flows if f.name.casefold() == "night").active is False


async def test_slash_command_text_is_read_the_way_the_user_typed_it(
    tmp_path: Path,
) -> None:
    """Slack sends '&', '<' and '>' as '&amp;', '&lt;', '&gt;': 'flow R&D on' must work."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        demo.emulators["mirta"].state.flows[1].name = "R&D"  # type: ignore[attr-defined]
        board = Switchboard(demo.service, SlackDirectory(), "DK")
        answers: list[dict[str, Any]] = []

        async def respond(**answer: Any) -> WebhookResponse:
            answers.append(answer)
            return WebhookResponse(
                url="http://x", status_code=200, body="ok", headers={}
            )

        command = {"text": "flow R&amp;D on", "user_id": ADMIN, "user_name": "alice"}
        await run_pbx_command(
            board,
            command,
            cast("AsyncRespond", respond),
            AsyncWebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
        )
        [answer] = answers
        assert answer["text"] == "Flow *R&amp;D* is now on."
        flows = await demo.service.backends.get("mirta").list_flows()
        assert next(f for f in flows if f.name == "R&D").active is True
