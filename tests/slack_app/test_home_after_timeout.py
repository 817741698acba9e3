"""A change clicked on the App Home that times out is never shown as done."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from switchboard.core.demo import USER

if TYPE_CHECKING:
    from tests.slack_app.conftest import Rig


async def test_a_timed_out_click_on_the_home_tab_says_the_outcome_is_unknown(
    impatient_rig: Rig,
) -> None:
    rig = impatient_rig
    # The PBX switches DND on, then answers after the 0.3 s the connection waits.
    rig.emulator.faults.answer_latency = 1.0
    click = {
        "type": "block_actions",
        "team": {"id": "T0000001"},
        "user": {"id": USER, "username": "bob", "name": "bob"},
        "api_app_id": "A0000001",
        "container": {"type": "view", "view_id": "V0000001"},
        "view": {"id": "V0000001", "type": "home", "blocks": []},
        "actions": [
            {
                "action_id": "pbx_run:dnd",
                "block_id": "home-controls-0",
                "value": "dnd on",
                "type": "button",
                "action_ts": "1.2",
            }
        ],
    }
    assert (await rig.interact(click)).status_code == 200
    [published] = await rig.slack.wait_for("views.publish")
    view = published.body["view"]
    text = json.dumps(json.loads(view) if isinstance(view, str) else view)
    assert "outcome is unknown" in text
    assert "/pbx status" in text
    assert "DND is on" not in text
    assert "Try again" not in text
    rig.emulator.faults.answer_latency = 0.0
    # The PBX acted (TelecomX switched the first phone before the timeout): "done"
    # would be wrong, and so would "failed".
    assert (await rig.status_of(USER)).dnd_phones_on >= 1
    entries = await rig.demo.service.store.audit_entries(1)
    assert (entries[0].action, entries[0].outcome) == ("dnd on", "unknown")
