"""Slack DND drives PBX DND, and Slack status presence, for users who opted in (signed events)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING, Any

from switchboard.core.config import SlackSettings
from switchboard.core.demo import ADMIN, USER
from switchboard.core.models import Presence
from switchboard.slack_app.listeners.events.dnd_updated_user import slack_dnd_active
from switchboard.slack_app.listeners.events.user_change import mapped_presence

if TYPE_CHECKING:
    from tests.slack_app.conftest import Rig


def dnd_event(user: str, *, on: bool) -> dict[str, Any]:
    now = int(time.time())
    status = (
        {
            "dnd_enabled": True,
            "next_dnd_start_ts": now - 5,
            "next_dnd_end_ts": now + 3600,
        }
        if on
        else {"dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1}
    )
    return {"type": "dnd_updated_user", "user": user, "dnd_status": status}


async def settle(rig: Rig) -> None:
    """Wait until the app has done what the last event asked (its background work)."""
    for _ in range(100):
        if rig.app.board.pending == 0:
            return
        await asyncio.sleep(0.02)


async def snooze(rig: Rig, user: str, *, on: bool) -> None:
    response = await rig.event(dnd_event(user, on=on))
    assert response.status_code == 200
    await asyncio.sleep(0.05)
    await settle(rig)


async def opt_in(rig: Rig) -> None:
    await rig.command("sync dnd on", key="sync")
    [answer] = await rig.slack.wait_for("respond/sync")
    assert "When you snooze Slack notifications" in answer.body["text"]


def test_slack_dnd_window() -> None:
    now = 1_000_000.0
    assert slack_dnd_active(
        {"dnd_enabled": True, "next_dnd_start_ts": now - 1, "next_dnd_end_ts": now + 1},
        now,
    )
    assert not slack_dnd_active(
        {
            "dnd_enabled": True,
            "next_dnd_start_ts": now + 60,
            "next_dnd_end_ts": now + 120,
        },
        now,
    )
    assert not slack_dnd_active({"dnd_enabled": False}, now)
    assert slack_dnd_active({"snooze_enabled": True}, now)


async def test_slack_dnd_on_and_off_switch_pbx_dnd_on_and_back(rig: Rig) -> None:
    await opt_in(rig)
    assert (await rig.status_of(USER)).dnd is False

    await snooze(rig, USER, on=True)
    assert (await rig.status_of(USER)).dnd is True
    await snooze(rig, USER, on=True)  # repeated: nothing more happens
    assert (await rig.status_of(USER)).dnd is True

    await snooze(rig, USER, on=False)
    assert (await rig.status_of(USER)).dnd is False
    audit = [
        e.action
        for e in await rig.demo.service.store.audit_entries()
        if e.user_id == USER
    ]
    assert audit[-2:] == ["dnd on", "dnd off"]  # audited like typed commands


async def test_a_manual_pbx_change_in_between_wins(rig: Rig) -> None:
    await opt_in(rig)
    link = await rig.demo.service.linked_extension(USER)
    assert link is not None
    extension = await rig.backend.find_extension(link.extension)
    await rig.backend.set_dnd(extension.id, enabled=True)  # DND was on before

    await snooze(rig, USER, on=True)
    assert (await rig.status_of(USER)).dnd is True
    await rig.backend.set_dnd(extension.id, enabled=False)  # by hand, on the PBX
    await snooze(rig, USER, on=False)

    # Going back would mean "on" (what it was); the hand's "off" wins.
    assert (await rig.status_of(USER)).dnd is False


async def test_users_who_did_not_opt_in_change_nothing(rig: Rig) -> None:
    before_user = (await rig.status_of(USER)).dnd
    before_admin = (await rig.status_of(ADMIN)).dnd
    audit_before = len(await rig.demo.service.store.audit_entries())

    await snooze(rig, USER, on=True)
    await snooze(rig, ADMIN, on=True)
    await snooze(rig, "U0NOBODY1", on=True)

    assert (await rig.status_of(USER)).dnd is before_user
    assert (await rig.status_of(ADMIN)).dnd is before_admin
    assert len(await rig.demo.service.store.audit_entries()) == audit_before


def status_event(user: str, emoji: str, text: str) -> dict[str, Any]:
    return {
        "type": "user_change",
        "user": {"id": user, "profile": {"status_emoji": emoji, "status_text": text}},
    }


async def status(rig: Rig, user: str, emoji: str = "", text: str = "") -> None:
    response = await rig.event(status_event(user, emoji, text))
    assert response.status_code == 200
    await asyncio.sleep(0.05)
    await settle(rig)


def map_statuses(rig: Rig) -> None:
    """The admin's mapping, ``[slack] status_presence``."""
    slack = SlackSettings(
        status_presence={":palm_tree:": Presence.HOLIDAY, "In a meeting": Presence.BUSY}
    )
    rig.demo.service.config = dataclasses.replace(rig.demo.service.config, slack=slack)


def test_a_status_maps_by_emoji_then_text() -> None:
    mapping = {":Palm_Tree:": Presence.HOLIDAY, "in a meeting": Presence.BUSY}
    assert mapped_presence({"status_emoji": ":palm_tree:"}, mapping) is Presence.HOLIDAY
    assert mapped_presence({"status_text": "In a Meeting "}, mapping) is Presence.BUSY
    assert (
        mapped_presence({"status_emoji": ":coffee:", "status_text": "x"}, mapping)
        is None
    )


async def test_a_mapped_slack_status_sets_presence_and_clearing_sets_it_back(
    rig: Rig,
) -> None:
    map_statuses(rig)
    await rig.command("sync presence on", key="presence")
    [answer] = await rig.slack.wait_for("respond/presence")
    assert "Slack status now sets the presence" in answer.body["text"]
    before = (await rig.status_of(USER)).presence
    assert before is not Presence.HOLIDAY

    await status(rig, USER, ":palm_tree:", "Vacationing")
    assert (await rig.status_of(USER)).presence is Presence.HOLIDAY
    await status(rig, USER, "", "In a meeting")
    assert (await rig.status_of(USER)).presence is Presence.BUSY
    await status(rig, USER)  # cleared

    assert (await rig.status_of(USER)).presence is before
    # Users who did not opt in: nothing.
    admin_before = (await rig.status_of(ADMIN)).presence
    await status(rig, ADMIN, ":palm_tree:")
    assert (await rig.status_of(ADMIN)).presence is admin_before
