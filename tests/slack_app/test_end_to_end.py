"""Signed HTTP requests into the running app; a fake Slack records every answer."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from switchboard.core.demo import ADMIN, USER
from tests.slack_app.conftest import BOT_TOKEN
from tests.slack_app.signing import (
    SIGNING_SECRET,
    command_body,
    number_pick_submission,
)

if TYPE_CHECKING:
    import pytest

    from tests.slack_app.conftest import Rig


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """Button label -> command value."""
    return {
        e["text"]["text"]: e["value"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }


def _dnd_said(text: str) -> str:
    """'on' or 'off', from the rendered "DND is ... on/off ..." sentence."""
    assert "DND is" in text, text
    sentence = text.split("DND is", 1)[1]
    return "on" if sentence.split("(")[0].rstrip(" .").endswith("on") else "off"


def _text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


async def test_pbx_dnd_on_acks_fast_changes_the_pbx_and_answers(rig: Rig) -> None:
    assert (await rig.status_of(USER)).dnd is False
    before = rig.emulator.request_count()
    body = command_body("dnd on", user=USER, response_url=rig.slack.response_url())

    response, elapsed = await rig.post(body)

    assert response.status_code == 200
    assert response.text == ""  # an empty ack: the answer comes through response_url
    assert elapsed < 1.0
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert answer.body["response_type"] == "ephemeral"
    assert _dnd_said(answer.body["text"]) == "on"
    assert _buttons(answer.body["blocks"])["Turn DND off"] == "dnd off"
    assert rig.emulator.request_count() > before
    assert (await rig.status_of(USER)).dnd is True
    # The bot token went to Slack's API, never into a message.
    assert (
        rig.slack.api_calls("auth.test")[0].authorization
        == "Bearer xoxb-test-0000-secret-token"
    )
    assert "xoxb" not in json.dumps(answer.body)


async def test_answers_reuse_one_pooled_connection_to_slack(rig: Rig) -> None:
    await rig.command("status", key="one")
    [first] = await rig.slack.wait_for("respond/one")
    await rig.command("status", key="two")
    [second] = await rig.slack.wait_for("respond/two")
    assert first.peer
    assert first.peer == second.peer  # keep-alive: no new connection per answer


async def test_ack_does_not_wait_for_a_slow_pbx(rig: Rig) -> None:
    await rig.command("status")  # warm up: auth.test, extension directory
    await rig.slack.wait_for("respond/cmd")
    rig.emulator.faults.latency = 1.0
    body = command_body(
        "dnd on", user=USER, response_url=rig.slack.response_url("slow")
    )

    started = time.perf_counter()
    response, elapsed = await rig.post(body)
    await rig.slack.wait_for("respond/slow")
    answered = time.perf_counter() - started

    assert response.status_code == 200
    assert elapsed < 0.5
    assert answered >= 1.0  # the PBX work happened after the ack


async def test_button_click_runs_its_command_and_replaces_the_message(rig: Rig) -> None:
    await rig.command("dnd on")
    [first] = await rig.slack.wait_for("respond/cmd")
    value = _buttons(first.body["blocks"])["Turn DND off"]
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "user": {"id": USER, "username": "bob", "name": "bob", "team_id": "T0000001"},
        "api_app_id": "A0000001",
        "token": "legacy-unused",
        "container": {
            "type": "message",
            "message_ts": "1.2",
            "channel_id": "C0000001",
            "is_ephemeral": True,
        },
        "trigger_id": "T.2",
        "channel": {"id": "C0000001", "name": "general"},
        "response_url": rig.slack.response_url("click"),
        "actions": [
            {
                "action_id": "pbx_run:dnd",
                "block_id": "reply-0",
                "text": {"type": "plain_text", "text": "Turn DND off"},
                "value": value,
                "type": "button",
                "action_ts": "1.3",
            }
        ],
    }

    response = await rig.interact(payload)

    assert response.status_code == 200
    [answer] = await rig.slack.wait_for("respond/click")
    assert answer.body["replace_original"] is True
    assert _dnd_said(answer.body["text"]) == "off"
    assert "Turn DND on" in _buttons(answer.body["blocks"])
    assert (await rig.status_of(USER)).dnd is False


async def test_presence_menu_choice_runs_the_chosen_command(rig: Rig) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "user": {"id": USER, "username": "bob", "name": "bob"},
        "api_app_id": "A0000001",
        "token": "legacy-unused",
        "container": {
            "type": "message",
            "message_ts": "1.2",
            "channel_id": "C0000001",
            "is_ephemeral": True,
        },
        "response_url": rig.slack.response_url("menu"),
        "actions": [
            {
                "action_id": "pbx_select:presence",
                "block_id": "reply-0",
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "On holiday"},
                    "value": "presence holiday",
                },
                "action_ts": "1.3",
            }
        ],
    }
    assert (await rig.interact(payload)).status_code == 200
    await rig.slack.wait_for("respond/menu")
    assert (await rig.status_of(USER)).presence == "holiday"


async def test_app_home_shows_the_extension_and_its_buttons_work(rig: Rig) -> None:
    response = await rig.event(
        {
            "type": "app_home_opened",
            "user": USER,
            "channel": "D0000001",
            "tab": "home",
            "event_ts": "1.1",
        }
    )
    assert response.status_code == 200
    [published] = await rig.slack.wait_for("views.publish")
    assert published.body["user_id"] == USER
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    status = await rig.status_of(USER)
    assert f"ext. {status.extension.number}" in _text(view["blocks"])
    assert _buttons(view["blocks"])["Turn DND on"] == "dnd on"

    click = {
        "type": "block_actions",
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "user": {"id": USER, "username": "bob", "name": "bob"},
        "api_app_id": "A0000001",
        "token": "legacy-unused",
        "container": {"type": "view", "view_id": "V0000001"},
        "view": {"id": "V0000001", "type": "home", "blocks": view["blocks"]},
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
    calls = await rig.slack.wait_for("views.publish", count=2)
    refreshed = calls[1].body["view"]
    refreshed = json.loads(refreshed) if isinstance(refreshed, str) else refreshed
    assert _dnd_said(_text(refreshed["blocks"])) == "on"  # the notice
    assert "Turn DND off" in _buttons(refreshed["blocks"])  # the new state
    assert (await rig.status_of(USER)).dnd is True


async def test_app_home_for_an_unlinked_user_explains_linking(rig: Rig) -> None:
    await rig.event(
        {
            "type": "app_home_opened",
            "user": "U0NOBODY",
            "tab": "home",
            "event_ts": "1.1",
        }
    )
    [published] = await rig.slack.wait_for("views.publish")
    assert "not linked" in json.dumps(published.body)
    assert rig.slack.api_calls("users.info")[0].body["user"] == "U0NOBODY"


async def test_app_home_says_when_the_pbx_cannot_be_read(rig: Rig) -> None:
    rig.emulator.faults.server_errors = -1
    await rig.event(
        {"type": "app_home_opened", "user": USER, "tab": "home", "event_ts": "1.1"}
    )
    [published] = await rig.slack.wait_for("views.publish")
    text = json.dumps(published.body)
    assert "Could not read your extension. The PBX" in text
    assert "not linked" not in text
    assert "pbx_home_refresh" in text


async def test_app_home_says_the_pbx_refused_our_credentials(rig: Rig) -> None:
    """Not a vague "try again": bad credentials need an admin, and it says so."""
    rig.emulator.faults.bad_credentials = True
    await rig.event(
        {"type": "app_home_opened", "user": USER, "tab": "home", "event_ts": "1.1"}
    )
    [published] = await rig.slack.wait_for("views.publish")
    text = json.dumps(published.body)
    assert "The PBX refused our credentials" in text
    assert "admin" in text
    assert "pbx_home_refresh" in text


def _shortcut(rig: Rig, text: str) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "pbx_call_number",
        "trigger_id": "T.shortcut",
        "response_url": rig.slack.response_url("shortcut"),
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "channel": {"id": "C0000001", "name": "general"},
        "user": {"id": USER, "username": "bob", "name": "bob"},
        "message": {"type": "message", "text": text, "user": "U0OTHER", "ts": "1.1"},
        "message_ts": "1.1",
        "token": "legacy-unused",
        "action_ts": "1.4",
    }


async def test_shortcut_with_one_number_dials_it(rig: Rig) -> None:
    before = rig.emulator.request_count("/call")
    response = await rig.interact(_shortcut(rig, "Ring kunden på 70 30 50 50 i dag"))
    assert response.status_code == 200
    [answer] = await rig.slack.wait_for("respond/shortcut")
    assert "+4570305050" in answer.body["text"]
    assert answer.body["response_type"] == "ephemeral"
    assert rig.emulator.request_count("/call") == before + 1
    assert rig.slack.api_calls("views.open") == []


async def test_shortcut_with_several_numbers_asks_then_dials_the_choice(
    rig: Rig,
) -> None:
    text = "Reception +45 70 30 50 50, or Peter on 33 12 34 56"
    assert (await rig.interact(_shortcut(rig, text))).status_code == 200
    [opened] = await rig.slack.wait_for("views.open")
    assert opened.body["trigger_id"] == "T.shortcut"
    view = opened.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    options = view["blocks"][0]["element"]["options"]
    assert [o["value"] for o in options] == ["+4570305050", "+4533123456"]
    assert rig.emulator.request_count("/call") == 0  # nothing dialled yet

    submission = {
        "type": "view_submission",
        "team": {"id": "T0000001", "domain": "switchboard-test"},
        "user": {"id": USER, "username": "bob", "name": "bob"},
        "api_app_id": "A0000001",
        "token": "legacy-unused",
        "trigger_id": "T.submit",
        "view": {
            **view,
            "id": "V0000002",
            "state": {
                "values": {
                    "number": {
                        "number_choice": {
                            "type": "radio_buttons",
                            "selected_option": options[1],
                        }
                    }
                }
            },
        },
    }
    response = await rig.interact(submission)
    assert response.status_code == 200
    assert response.text == ""  # the modal closes
    [answer] = await rig.slack.wait_for("respond/shortcut")
    assert "+4533123456" in answer.body["text"]
    assert rig.emulator.request_count("/call") == 1


async def test_submitting_the_picker_without_a_choice_keeps_it_open(rig: Rig) -> None:
    submission = {
        "type": "view_submission",
        "team": {"id": "T0000001"},
        "user": {"id": USER, "name": "bob"},
        "api_app_id": "A0000001",
        "view": {
            "id": "V3",
            "type": "modal",
            "callback_id": "pbx_call_number_pick",
            "private_metadata": "{}",
            "state": {"values": {}},
        },
    }
    response = await rig.interact(submission)
    assert response.status_code == 200
    assert response.json() == {
        "response_action": "errors",
        "errors": {"number": "Choose a number."},
    }


async def test_shortcut_without_numbers_says_so(rig: Rig) -> None:
    await rig.interact(_shortcut(rig, "See you at 10:30 on the 3rd floor"))
    [answer] = await rig.slack.wait_for("respond/shortcut")
    assert "found no phone number" in answer.body["text"]


async def _nothing_happens(rig: Rig, **post: Any) -> None:
    before_pbx = rig.emulator.request_count()
    body = command_body("dnd on", user=USER, response_url=rig.slack.response_url())
    response, _ = await rig.post(body, **post)
    assert response.status_code == 401
    assert response.json()["error"].startswith(
        ("missing, malformed", "Slack timestamp")
    )
    await asyncio.sleep(0.2)  # give a wrongly started listener time to show itself
    assert rig.emulator.request_count() == before_pbx
    assert rig.slack.calls == []
    assert rig.app.board.pending == 0
    assert (await rig.status_of(USER)).dnd is False


async def test_forged_signature_is_rejected_and_changes_nothing(rig: Rig) -> None:
    await _nothing_happens(rig, secret="not-the-signing-secret")


async def test_stale_timestamp_is_rejected_and_changes_nothing(rig: Rig) -> None:
    await _nothing_happens(rig, timestamp=int(time.time()) - 6 * 60)


async def test_unlinked_user_is_linked_by_email(rig: Rig) -> None:
    statuses = await rig.backend.get_statuses()
    links = [await rig.demo.service.linked_extension(u) for u in (ADMIN, USER)]
    linked = {link.extension for link in links if link is not None}
    target = next(
        s.extension
        for s in statuses
        if s.extension.email and s.extension.number not in linked
    )
    rig.slack.emails["U0CAROL"] = target.email.upper()  # type: ignore[union-attr]

    await rig.command("status", user="U0CAROL")

    [answer] = await rig.slack.wait_for("respond/cmd")
    assert target.number in answer.body["text"]
    link = await rig.demo.service.linked_extension("U0CAROL")
    assert link is not None
    assert link.extension == target.number
    assert link.linked_by == "email"
    # Linked now: the next command needs no Slack look-up.
    await rig.command("status", user="U0CAROL", key="again")
    await rig.slack.wait_for("respond/again")
    assert len(rig.slack.api_calls("users.info")) == 1


async def test_unknown_email_is_not_linked_and_told_how(rig: Rig) -> None:
    rig.slack.emails["U0DAVE"] = "dave@elsewhere.example"
    await rig.command("dnd on", user="U0DAVE")
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert answer.body["response_type"] == "ephemeral"
    assert "link" in answer.body["text"].lower()
    assert await rig.demo.service.linked_extension("U0DAVE") is None


async def test_flow_switch_needs_an_admin(rig: Rig) -> None:
    flows = await rig.backend.list_flows()
    await rig.command(
        f"flow {flows[0].id} {'off' if flows[0].active else 'on'}", user=USER
    )
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert "Only admins" in answer.body["text"]
    assert answer.body["response_type"] == "ephemeral"
    assert (await rig.backend.list_flows())[0].active == flows[0].active


async def test_admin_user_group_members_may_switch_flows(group_rig: Rig) -> None:
    rig = group_rig
    rig.slack.usergroups["S0ADMINS"] = [USER]
    flows = await rig.backend.list_flows()
    wanted = "off" if flows[0].active else "on"

    await rig.command(f"flow {flows[0].id} {wanted}", user=USER)

    [answer] = await rig.slack.wait_for("respond/cmd")
    assert answer.body["response_type"] == "in_channel"  # office-wide: announced
    assert (await rig.backend.list_flows())[0].active is (wanted == "on")
    assert "Undo (turn" in next(iter(_buttons(answer.body["blocks"])))
    assert (
        rig.slack.api_calls("usergroups.users.list")[0].body["usergroup"] == "S0ADMINS"
    )


async def test_refused_credentials_are_explained_in_plain_words(rig: Rig) -> None:
    await rig.command("status")
    await rig.slack.wait_for("respond/cmd")
    rig.emulator.faults.bad_credentials = True
    await rig.command("dnd on", key="denied")
    [answer] = await rig.slack.wait_for("respond/denied")
    text = answer.body["text"]
    assert "credentials" in text
    assert "admin" in text
    assert "Traceback" not in text
    assert _buttons(answer.body["blocks"]) == {"Try again": "dnd on"}


async def test_no_secret_reaches_the_logs(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = [
        BOT_TOKEN,
        SIGNING_SECRET,
        *rig.demo.config.connection().settings.secret_values(),
    ]
    with caplog.at_level(logging.DEBUG):
        await rig.command("status")
        await rig.slack.wait_for("respond/cmd")
        rig.emulator.faults.bad_credentials = True
        await rig.command("dnd on", key="denied")
        await rig.slack.wait_for("respond/denied")
        await rig.post("x=1", secret="forged")
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert logged  # something was logged at DEBUG
    for secret in secrets:
        assert secret not in logged
    for call in rig.slack.calls:
        for secret in secrets[1:]:
            assert secret not in json.dumps(call.body)


async def test_bad_input_gets_help_not_a_traceback(rig: Rig) -> None:
    await rig.command("dnd maybe")
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert "Traceback" not in answer.body["text"]
    assert "dnd on" in answer.body["text"]
    assert answer.body["response_type"] == "ephemeral"


async def test_pbx_timeout_is_explained_with_the_wait_and_a_retry(
    impatient_rig: Rig,
) -> None:
    rig = impatient_rig
    rig.emulator.faults.hangs = -1
    rig.emulator.faults.hang_seconds = 2.0
    await rig.command("dnd on")
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert "did not answer within 0.3 s" in answer.body["text"]
    # The DND write is not one the client repeats blindly: the answer says the
    # outcome is unknown and how to check, and offers no "Try again" (issue 15).
    assert "outcome is unknown" in answer.body["text"]
    assert "/pbx status" in answer.body["text"]
    assert _buttons(answer.body["blocks"]) == {}
    rig.emulator.faults.hangs = 0
    # Having checked, the user switches it on again (a DND button's value).
    retry = {
        "type": "block_actions",
        "team": {"id": "T0000001"},
        "user": {"id": USER, "name": "bob"},
        "api_app_id": "A0000001",
        "container": {"type": "message", "message_ts": "1.2", "is_ephemeral": True},
        "response_url": rig.slack.response_url("retry"),
        "actions": [
            {
                "action_id": "pbx_run:retry",
                "value": "dnd on",
                "type": "button",
                "block_id": "reply-0",
                "action_ts": "1",
            }
        ],
    }
    await rig.interact(retry)
    [after] = await rig.slack.wait_for("respond/retry")
    assert _dnd_said(after.body["text"]) == "on"
    assert (await rig.status_of(USER)).dnd is True


async def test_unsupported_capability_names_the_vendor(rig: Rig) -> None:
    await rig.command("hours off", user=ADMIN)
    [answer] = await rig.slack.wait_for("respond/cmd")
    assert "TelecomX" in answer.body["text"]
    assert answer.body["response_type"] == "ephemeral"
    assert _buttons(answer.body["blocks"]) == {}


async def test_admin_links_a_mentioned_user(rig: Rig) -> None:
    statuses = await rig.backend.get_statuses()
    links = [await rig.demo.service.linked_extension(u) for u in (ADMIN, USER)]
    taken = {link.extension for link in links if link is not None}
    free = next(s.extension.number for s in statuses if s.extension.number not in taken)

    await rig.command(f"link {free} <@U0NEWBIE|newbie>", user=ADMIN)

    [answer] = await rig.slack.wait_for("respond/cmd")
    assert free in answer.body["text"]
    link = await rig.demo.service.linked_extension("U0NEWBIE")
    assert link is not None
    assert link.extension == free


async def test_odd_payloads_get_answers_not_tracebacks(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        assert (await rig.command("")).status_code == 200
        [help_answer] = await rig.slack.wait_for("respond/cmd")
        assert "/pbx" in help_answer.body["text"]
        bare_click = {  # no user, no value, no response_url
            "type": "block_actions",
            "team": {"id": "T0000001"},
            "api_app_id": "A0000001",
            "actions": [{"action_id": "pbx_run:x", "type": "button"}],
        }
        assert (await rig.interact(bare_click)).status_code == 200
        submission = number_pick_submission(USER, "{not json", "+4570305050")
        assert (await rig.interact(submission)).status_code == 200
        # No response URL to use: the answer arrives as a direct message.
        [dm] = await rig.slack.wait_for("chat.postMessage")
        # im:write: the DM channel comes from conversations.open.
        [opened] = rig.slack.api_calls("conversations.open")
        assert opened.body["users"] == USER
        assert dm.body["channel"] == f"D{USER}"
        assert "+4570305050" in json.dumps(dm.body)
        await rig.app.board.drain()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
