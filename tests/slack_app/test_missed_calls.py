"""Missed calls end to end: an emulator's call rings out, the user gets one DM, Call back dials.

The real Bolt app serves signed HTTP requests; the fake Slack records every Web API
call; the watcher is the one ``slack run`` starts (one round at a time, here, so
the test decides when the PBX is polled). MiRTA keeps a call history and can dial.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from pathlib import Path  # noqa: TC003 - pytest resolves fixture annotations
from typing import TYPE_CHECKING, Any

import pytest

from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.config import SlackSettings
from switchboard.core.demo import ADMIN, USER, Demo, start_demo
from switchboard.core.emulator import RingsPhones, ring_out
from switchboard.slack_app.missed_calls import (
    SlackMissedCallSender,
    missed_call_watcher,
)
from switchboard.slack_app.watch_cli import watch
from tests.slack_app.conftest import BOT_TOKEN, Rig, start_rig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.core.commands.state import MissedCallNote
    from tests.slack_app.fake_slack import Call, FakeSlack

CALLER = "+4533123456"
PREMIUM = "+4590123456"  # a Danish premium-rate number: calling back is refused


@pytest.fixture(params=["mirta", "telecomx"])
async def dial_demo(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Demo]:
    """A demo PBX that can dial: MiRTA (call history) and TelecomX (live calls only)."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=[request.param]
    ) as running:
        yield running


@pytest.fixture
async def missed_rig(dial_demo: Demo, fake_slack: FakeSlack) -> AsyncIterator[Rig]:
    async for built in start_rig(dial_demo, fake_slack):
        yield built


def watcher_of(rig: Rig) -> CallWatcher:
    return missed_call_watcher(rig.app.board, rig.app.bolt.client)


async def own_number(rig: Rig, user: str = USER) -> str:
    link = await rig.demo.service.linked_extension(user)
    assert link is not None
    return link.extension


def ringer(rig: Rig) -> RingsPhones:
    assert isinstance(rig.emulator, RingsPhones)
    return rig.emulator


async def miss_a_call(rig: Rig, watcher: CallWatcher, caller: str = CALLER) -> None:
    """Ring the user's phone, let it ring out, and let the watcher poll in between."""
    call_id = ringer(rig).ring(
        await own_number(rig), caller, caller_name="Ada Lovelace"
    )
    await watcher.poll_once(rig.pbx)
    ringer(rig).hang_up(call_id)
    await watcher.poll_once(rig.pbx)


def dms(rig: Rig) -> list[Call]:
    return [
        c
        for c in rig.slack.api_calls("chat.postMessage")
        if c.body["channel"].startswith("D")
    ]


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        e["text"]["text"]: {**e, "block_id": b["block_id"]}
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


def click(rig: Rig, dm: Call, label: str, key: str) -> dict[str, Any]:
    button = buttons(dm.body["blocks"])[label]
    return {
        "type": "block_actions",
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "user": {"id": USER, "username": "bob", "name": "bob", "team_id": "T0000001"},
        "api_app_id": "A0000001",
        "token": "legacy-unused",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": dm.body["channel"],
            "is_ephemeral": False,
        },
        "trigger_id": "T.9",
        "channel": {"id": dm.body["channel"], "name": "directmessage"},
        "response_url": rig.slack.response_url(key),
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": button["block_id"],
                "text": button["text"],
                "value": button["value"],
                "type": "button",
                "action_ts": "1.3",
            }
        ],
    }


def dials(rig: Rig) -> int:
    return sum(
        1
        for r in rig.emulator.requests
        if r.param("reqtype") == "DIAL" or r.path.endswith("/pbx/app/action/call")
    )


async def test_a_missed_call_gives_one_dm_and_call_back_dials(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)  # the baseline: calls already going on

    await miss_a_call(rig, watcher)
    await watcher.poll_once(rig.pbx)  # polled again: nothing new

    [dm] = dms(rig)
    assert rig.slack.api_calls("conversations.open")[0].body["users"] == USER
    text = json.dumps(dm.body["blocks"])
    assert "33 12 34 56" in text  # formatted for the user's region (Denmark)
    assert "Missed call from" in dm.body["text"]
    assert buttons(dm.body["blocks"])["Call back"]["value"] == f"call {CALLER}"
    assert "Done" in buttons(dm.body["blocks"])

    before = dials(rig)
    response = await rig.interact(click(rig, dm, "Call back", "callback"))
    assert response.status_code == 200
    [answer] = await rig.slack.wait_for("respond/callback")
    assert dials(rig) == before + 1  # the click placed the call in the emulator
    assert "33123456" in json.dumps(answer.body).replace(" ", "")

    await rig.interact(click(rig, dm, "Done", "done"))
    [update] = await rig.slack.wait_for("chat.update")
    assert update.body["ts"] == "1700000000.000001"
    assert "Done" in json.dumps(update.body["blocks"])
    assert "Call back" not in json.dumps(update.body["blocks"])


async def test_calling_back_a_premium_rate_number_is_refused(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)
    await miss_a_call(rig, watcher, PREMIUM)
    [dm] = dms(rig)
    before = dials(rig)

    await rig.interact(click(rig, dm, "Call back", "premium"))

    [answer] = await rig.slack.wait_for("respond/premium")
    assert "premium" in json.dumps(answer.body).lower()
    assert dials(rig) == before  # nothing was dialled


async def test_missed_calls_from_one_caller_update_one_message(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)
    await miss_a_call(rig, watcher)
    await miss_a_call(rig, watcher)
    await miss_a_call(rig, watcher, "+4533999999")

    assert len(dms(rig)) == 2  # one per caller
    [update] = rig.slack.api_calls("chat.update")
    assert "2 times" in update.body["text"]
    # The first caller's message (the fake Slack numbers its DMs 1, 2, ...).
    assert update.body["ts"] == "1700000000.000001"
    assert update.body["channel"] == f"D{USER}"


async def test_notify_missed_off_is_audited_and_stops_the_dms(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)

    await rig.command("notify missed off", key="off")
    [answer] = await rig.slack.wait_for("respond/off")
    assert "No more missed-call messages" in answer.body["text"]
    await miss_a_call(rig, watcher)

    assert dms(rig) == []
    audit = await rig.demo.service.store.audit_entries()
    assert any(
        e.action == "notify missed off" and e.user_id == USER and e.outcome == "success"
        for e in audit
    )


async def test_the_app_home_lists_the_last_missed_calls(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)
    await miss_a_call(rig, watcher)

    await rig.event({"type": "app_home_opened", "user": USER, "tab": "home"})

    [published] = await rig.slack.wait_for("views.publish")
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    text = json.dumps(view)
    assert "Last missed calls" in text
    assert "33 12 34 56" in text


async def test_a_call_to_someone_else_tells_only_them(missed_rig: Rig) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)
    admin_number = await own_number(rig, ADMIN)
    call_id = ringer(rig).ring(admin_number, CALLER)
    await watcher.poll_once(rig.pbx)
    ringer(rig).hang_up(call_id)
    await watcher.poll_once(rig.pbx)

    assert [c.body["channel"] for c in dms(rig)] == [f"D{ADMIN}"]


async def test_a_call_between_two_polls_reaches_the_user_where_there_is_history(
    missed_rig: Rig,
) -> None:
    rig = missed_rig
    watcher = watcher_of(rig)
    await watcher.poll_once(rig.pbx)

    ring_out(ringer(rig), await own_number(rig), CALLER)
    await watcher.poll_once(rig.pbx)

    history = rig.backend.supports(
        __import__(
            "switchboard.core.capabilities", fromlist=["Capability"]
        ).Capability.CALL_HISTORY
    )
    assert len(dms(rig)) == (1 if history else 0)


async def test_switchboard_watch_sends_missed_calls_on_its_own(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """``switchboard watch``: no Slack listener, only the bot token; the DM arrives."""
    async with start_demo(state_dir=tmp_path, loopback=True, vendors=["mirta"]) as demo:
        config = dataclasses.replace(
            demo.config, slack=SlackSettings(missed_call_interval=1.0)
        )
        task = asyncio.create_task(
            watch(
                config,
                env={
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_API_URL": f"{fake_slack.base_url}/api/",
                },
            )
        )
        try:
            await fake_slack.wait_for("auth.test")
            await asyncio.sleep(1.5)  # the first poll: the baseline
            link = await demo.service.linked_extension(USER)
            assert link is not None
            emulator = demo.emulators["mirta"]
            assert isinstance(emulator, RingsPhones)
            ring_out(emulator, link.extension, CALLER)
            [dm] = await fake_slack.wait_for("chat.postMessage", within=10)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert dm.body["channel"] == f"D{USER}"
    assert "33 12 34 56" in dm.body["text"]


class DyingSender(SlackMissedCallSender):
    """A worker killed right before, or right after, posting the DM."""

    def __init__(self, rig: Rig, *, posts: bool) -> None:
        super().__init__(rig.app.bolt.client, "DK")
        self.posts = posts

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        if self.posts:
            await super().send(notes, previous)
        msg = "killed"
        raise RuntimeError(msg)


@pytest.mark.parametrize(
    "posted", [False, True], ids=["before-posting", "after-posting"]
)
async def test_the_next_leader_finishes_what_a_dying_one_recorded(
    missed_rig: Rig, *, posted: bool
) -> None:
    """Recorded, then killed: the next leader sends it once (or finds it was sent)."""
    rig = missed_rig
    dying = CallWatcher(rig.demo.service, DyingSender(rig, posts=posted))
    await dying.poll_once(rig.pbx)
    call_id = ringer(rig).ring(await own_number(rig), CALLER)
    await dying.poll_once(rig.pbx)
    ringer(rig).hang_up(call_id)
    with pytest.raises(RuntimeError, match="killed"):
        await dying.poll_once(rig.pbx)
    assert len(dms(rig)) == (1 if posted else 0)
    # Its lease runs out; another worker takes over.
    await rig.demo.service.store.release_lease(f"watch:{rig.pbx}", dying.holder)

    await watcher_of(rig).poll_once(rig.pbx)

    [dm] = dms(rig)
    assert buttons(dm.body["blocks"])["Call back"]["value"] == f"call {CALLER}"
    assert await rig.demo.service.store.unsent_missed_calls(rig.pbx) == []
    [note] = await rig.demo.service.store.recent_missed_calls(USER)
    assert note.ts == "1700000000.000001"
