"""`/pbx service` and `/pbx forward busy|noanswer|unavailable`: signed requests, real app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core.demo import ADMIN, USER, start_demo
from tests.slack_app.conftest import start_rig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.core.demo import Demo
    from switchboard.plugins.pbxware.emulator import PbxwareEmulator
    from switchboard.plugins.telecomx.emulator import TelecomXEmulator
    from tests.slack_app.conftest import Rig
    from tests.slack_app.fake_slack import FakeSlack


@pytest.fixture
async def pbxware_rig(tmp_path: Path, fake_slack: FakeSlack) -> AsyncIterator[Rig]:
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["pbxware"]
    ) as demo:
        async for built in start_rig(demo, fake_slack):
            yield built


async def answer(rig: Rig, text: str, user: str, key: str) -> str:
    await rig.command(text, user=user, key=key)
    [reply] = await rig.slack.wait_for(f"respond/{key}")
    assert reply.body["response_type"] == "ephemeral"
    text_out: str = reply.body["text"]
    return text_out


async def own_number(demo: Demo, user: str) -> str:
    link = await demo.service.linked_extension(user)
    assert link is not None
    return link.extension


async def test_service_is_for_admins_in_slack(pbxware_rig: Rig) -> None:
    emulator: PbxwareEmulator = pbxware_rig.emulator  # type: ignore[assignment]
    bob = await own_number(pbxware_rig.demo, USER)
    refused = await answer(pbxware_rig, f"service followme pin {bob}", USER, "bob")
    assert refused == (
        ":no_entry_sign: Only admins can see and change the services of extensions."
    )
    assert emulator.extension_by_number(bob).es["followme"] == "yes"
    done = await answer(pbxware_rig, f"service followme pin {bob}", ADMIN, "alice")
    assert done == f":gear: *Follow Me* is now *PIN required* for extension *{bob}*."
    assert emulator.extension_by_number(bob).es["followme"] == "pin"
    listing = await answer(pbxware_rig, f"service list {bob}", ADMIN, "list")
    assert "• Follow Me (`followme`): PIN required" in listing
    assert "• Call Filters &amp; Blocking (`callfilters`): Unavailable" in listing


async def test_pbxware_forward_rules_from_slack(pbxware_rig: Rig) -> None:
    emulator: PbxwareEmulator = pbxware_rig.emulator  # type: ignore[assignment]
    bob = await own_number(pbxware_rig.demo, USER)
    said = await answer(pbxware_rig, "forward unavailable +4570305050", USER, "fwd")
    assert "are forwarded when unavailable to *+4570305050*" in said
    fwd = emulator.extension_by_number(bob).callfwd
    assert "line unavailable" in fwd["enabled"]
    assert fwd["destinations"]["line unavailable"] == ["+4570305050"]
    status = await answer(pbxware_rig, "status", USER, "status")
    assert "• Forwarding: when unavailable to +4570305050" in status


async def test_telecomx_forward_on_busy_and_its_refusals(rig: Rig) -> None:
    emulator: TelecomXEmulator = rig.emulator  # type: ignore[assignment]
    said = await answer(rig, "forward busy +4570305050", USER, "busy")
    assert "are forwarded when busy to *+4570305050*" in said
    bob = await own_number(rig.demo, USER)
    ext = next(e for e in emulator.tenant.extensions.values() if e["number"] == bob)
    assert (ext["busy"]["extAction"], ext["busy"]["extNumber"]) == (
        "NUMBER",
        "+4570305050",
    )
    refused = await answer(rig, "forward unavailable +4570305050", USER, "unav")
    assert refused == (
        ":no_entry_sign: TelecomX cannot forward calls on 'unavailable'; it can "
        "forward all calls or on: busy, noanswer."
    )
    no_features = await answer(rig, "service list", ADMIN, "svc")
    assert (
        no_features == ":no_entry_sign: TelecomX cannot manage per-extension features."
    )
