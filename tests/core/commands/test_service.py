"""The service: refusals with their sentences, PBX failures, rendering, the public API."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.core.capabilities import Capability
from switchboard.core.commands import (
    COMMANDS,
    Actor,
    CommandService,
    Outcome,
    Reply,
    Surface,
)
from switchboard.core.demo import ADMIN, USER, start_demo
from switchboard.core.errors import SwitchboardAuthError

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.demo import Demo


def first_pbx_with(demo: Demo, capability: Capability) -> str:
    return next(
        name
        for name in demo.config.pbx
        if demo.service.backends.get(name).supports(capability)
    )


def first_pbx_without(demo: Demo, capability: Capability) -> str:
    return next(
        name
        for name in demo.config.pbx
        if not demo.service.backends.get(name).supports(capability)
    )


# -- policy refusals -------------------------------------------------------------------


async def test_a_user_acts_only_on_their_own_extension(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.DND)
    alice = await demo.service.linked_extension(ADMIN, pbx)
    bob = await demo.service.linked_extension(USER, pbx)
    assert alice is not None
    assert bob is not None
    reply = await demo.run(f"dnd on {alice.extension}", USER, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert reply.text == (
        f"Refused: You can only switch DND on your own extension ({bob.extension}); "
        "admins can switch DND on any."
    )
    assert (
        await demo.run(f"dnd on {bob.extension}", USER, pbx)
    ).outcome is Outcome.SUCCESS
    # the admin may act on anyone's extension
    assert (
        await demo.run(f"dnd on {bob.extension}", ADMIN, pbx)
    ).outcome is Outcome.SUCCESS


async def test_only_admins_switch_flows_and_office_hours(demo: Demo) -> None:
    flows = first_pbx_with(demo, Capability.FLOWS)
    reply = await demo.run("flow night on", USER, flows)
    assert reply.outcome is Outcome.REFUSED
    assert "Only admins can switch flows." in reply.text
    assert (await demo.run("flow list", USER, flows)).outcome is Outcome.SUCCESS
    hours = first_pbx_with(demo, Capability.OFFICE_HOURS)
    reply = await demo.run("hours off", USER, hours)
    assert "Only admins can override office hours." in reply.text


async def test_unlinked_users_are_told_how_to_get_linked(demo: Demo) -> None:
    reply = await demo.service.run("dnd on", Actor("mallory"))
    assert reply.outcome is Outcome.REFUSED
    assert "You are not linked to an extension on" in reply.text
    assert "link EXT @you" in reply.text


async def test_only_admins_see_every_extension(demo: Demo) -> None:
    reply = await demo.run("status all", USER)
    assert reply.outcome is Outcome.REFUSED
    assert "Only admins can see every extension." in reply.text
    assert (await demo.run("status all", ADMIN)).data["statuses"]


async def test_dial_destinations_are_checked(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.DIAL)
    cases = {
        "call +4590123456": "+4590123456 is a premium-rate number",
        "call +12025550123": "+12025550123 is an international number (US)",
        "call 9999": "There is no extension 9999 on",
        "call 112": "112 is an emergency number",
        "call +4512": "+4512 is not a valid phone number",
        "call pizza": "'pizza' is not a phone number",
    }
    for text, reason in cases.items():
        reply = await demo.run(text, USER, pbx)
        assert reply.outcome is Outcome.REFUSED, text
        assert reason in reply.text
    assert (await demo.run("call +4570305050", USER, pbx)).outcome is Outcome.SUCCESS


async def test_forward_destinations_are_checked_too(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.FORWARD)
    reply = await demo.run("forward +4590123456", USER, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert "premium-rate" in reply.text


async def test_dial_rate_limit(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.DIAL)
    limit = demo.config.policy.dial_limit_per_minute
    for _ in range(limit):
        assert (
            await demo.run("call +4570305050", USER, pbx)
        ).outcome is Outcome.SUCCESS
    reply = await demo.run("call +4570305050", USER, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert f"You can place {limit} calls a minute; try again in" in reply.text
    # another user is not affected
    assert (await demo.run("call +4570305050", ADMIN, pbx)).outcome is Outcome.SUCCESS


async def test_unsupported_capability_is_explained_before_anything_else(
    demo: Demo,
) -> None:
    pbx = first_pbx_without(demo, Capability.DIAL)
    backend = demo.service.backends.get(pbx)
    emulator = demo.emulators[pbx]
    before = len(emulator.requests)
    reply = await demo.run("call +4570305050", ADMIN, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert reply.text == f"Refused: {backend.unsupported(Capability.DIAL).message}"
    assert len(emulator.requests) == before  # the PBX was not even asked
    assert Capability.DIAL not in reply.supports


async def test_help_marks_what_the_pbx_cannot_do(demo: Demo) -> None:
    pbx = first_pbx_without(demo, Capability.DIAL)
    vendor = demo.service.backends.get(pbx).display_name
    reply = await demo.run("help", ADMIN, pbx)
    assert reply.outcome is Outcome.HELP
    assert f"[not on {vendor}]" in reply.text
    assert {c["name"] for c in reply.data["commands"]} == set(COMMANDS)
    detail = await demo.run("help call", ADMIN, pbx)
    assert f"{vendor} cannot do this." in detail.text
    assert "switchboard call +4570305050" in detail.text


async def test_bad_input_is_refused_with_usage(demo: Demo) -> None:
    reply = await demo.run("dnd maybe")
    assert reply.outcome is Outcome.REFUSED
    assert reply.command is None
    assert "Did you mean 'on'?" not in reply.text  # not close enough to suggest
    assert "Usage: switchboard dnd on|off [EXT] [for DURATION]" in reply.text
    reply = await demo.run("stauts")
    assert "Did you mean 'status'?" in reply.text


async def test_unknown_pbx_is_refused(demo: Demo) -> None:
    reply = await demo.run("status", ADMIN, "nowhere")
    assert reply.outcome is Outcome.REFUSED
    assert "No PBX called 'nowhere' is configured" in reply.text


async def test_flow_name_suggestion(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.FLOWS)
    name = (await demo.service.backends.get(pbx).list_flows())[0].name
    reply = await demo.run(f"flow {name[:-1]}x on", ADMIN, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert f"Did you mean '{name}'?" in reply.text


async def test_non_admin_calls_are_their_own(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.LIVE_CALLS)
    everyone = await demo.run("calls", ADMIN, pbx)
    mine = await demo.run("calls", USER, pbx)
    assert everyone.data["scope"] == "all"
    assert mine.data["scope"] != "all"
    assert len(mine.data["calls"]) <= len(everyone.data["calls"])


# -- PBX failures ------------------------------------------------------------------------


async def test_pbx_down_is_a_failure_with_a_sentence(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.DND)
    demo.emulators[pbx].faults.server_errors = -1
    reply = await demo.run("dnd on", USER, pbx)
    assert reply.outcome is Outcome.FAILED
    assert reply.text.startswith("Failed: ")
    assert "Traceback" not in reply.text


async def test_bad_credentials_tell_the_admin_what_to_do(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.DND)
    demo.emulators[pbx].faults.bad_credentials = True
    reply = await demo.run("dnd on", USER, pbx)
    assert reply.outcome is Outcome.FAILED
    assert "An admin needs to check the PBX credentials" in reply.text
    secrets = demo.config.connection(pbx).settings.secret_values()
    assert all(secret not in reply.text for secret in secrets)


async def test_unexpected_errors_are_logged_and_answered_politely(
    demo: Demo, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    pbx = first_pbx_with(demo, Capability.DND)
    backend = demo.service.backends.get(pbx)

    async def broken(*args: object, **kwargs: object) -> None:
        msg = "a bug"
        raise ZeroDivisionError(msg)

    monkeypatch.setattr(backend, "set_dnd", broken)
    reply = await demo.run("dnd on", USER, pbx)
    assert reply.outcome is Outcome.FAILED
    assert "Something went wrong on our side while running 'dnd'" in reply.text
    assert "ZeroDivisionError" in caplog.text  # the traceback is in the log
    assert "ZeroDivisionError" not in reply.text


# -- rendering -----------------------------------------------------------------------------


async def test_slack_surface_gets_mrkdwn_with_escaped_values(demo: Demo) -> None:
    slack_user = Actor("U999", "Eve", Surface.SLACK)
    reply = await demo.service.run("<!channel> & co", slack_user)
    assert reply.outcome is Outcome.REFUSED
    assert "<!channel>" not in reply.text
    assert "&lt;!channel&gt;" in reply.text
    help_reply = await demo.service.run("help", slack_user)
    assert "`/pbx status [EXT]`" in help_reply.text


async def test_operator_templates_override_the_builtin_ones(tmp_path: Path) -> None:
    from dataclasses import replace  # noqa: PLC0415

    override = tmp_path / "templates"
    (override / "plain").mkdir(parents=True)
    (override / "plain" / "dnd.j2").write_text(
        "DND {{ 'ON' if enabled else 'OFF' }} by {{ actor }}"
    )
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        config = replace(demo.config, templates_dir=override)
        service = await CommandService.create(
            config, http_client=demo.service.backends._client
        )
        try:
            own = await demo.service.linked_extension(ADMIN)
            assert own is not None
            await service.link(ADMIN, "mirta", own.extension)
            reply = await service.run("dnd on", demo.users[ADMIN])
            assert reply.text == "DND ON by Alice (admin)"
            # templates that were not overridden still come from the built-in set
            assert (await service.run("whoami", demo.users[ADMIN])).text.startswith(
                "You are"
            )
        finally:
            await service.aclose()


# -- the public API used by the Slack app ----------------------------------------------------


async def test_extension_status_for_app_home(demo: Demo) -> None:
    status, supports = await demo.service.extension_status(demo.users[ADMIN])
    assert status is not None
    assert Capability.STATUS in supports
    nobody, _ = await demo.service.extension_status(Actor("nobody"))
    assert nobody is None


async def test_extension_status_raises_why_the_pbx_failed(demo: Demo) -> None:
    """The App Home must be able to say why: the error is not swallowed."""
    for emulator in demo.emulators.values():
        emulator.faults.bad_credentials = True
    with pytest.raises(SwitchboardAuthError):
        await demo.service.extension_status(demo.users[ADMIN])


async def test_link_by_email(demo: Demo) -> None:
    pbx = next(iter(demo.config.pbx))
    extensions = await demo.service.backends.directory(pbx).extensions()
    target = next(e for e in extensions if e.email)
    actor = Actor("U42", "Newcomer", Surface.SLACK, email=target.email.upper())  # type: ignore[union-attr]
    assert await demo.service.link_by_email(actor)
    link = await demo.service.linked_extension("U42")
    assert link is not None
    assert link.extension == target.number
    assert not await demo.service.link_by_email(
        Actor("U43", email="nobody@nowhere.test")
    )


async def test_self_link_needs_matching_email_or_admin(demo: Demo) -> None:
    pbx = next(iter(demo.config.pbx))
    extensions = await demo.service.backends.directory(pbx).extensions()
    target = next(e for e in extensions if e.email)
    stranger = Actor("U50", "Stranger", Surface.SLACK, email="someone@else.test")
    reply = await demo.service.run(f"link {target.number}", stranger)
    assert reply.outcome is Outcome.REFUSED
    assert "Only admins can link you to extension" in reply.text
    owner = Actor("U51", "Owner", Surface.SLACK, email=target.email)
    assert (
        await demo.service.run(f"link {target.number}", owner)
    ).outcome is Outcome.SUCCESS
    reply = await demo.service.run(f"link {target.number} @U52", owner)
    assert "Only admins can link other people." in reply.text


async def test_link_unlink_api(demo: Demo) -> None:
    pbx = next(iter(demo.config.pbx))
    number = (await demo.service.backends.directory(pbx).extensions())[5].number
    link = await demo.service.link("U77", pbx, number)
    assert link.extension == number
    assert (await demo.service.linked_extension("U77")) == link
    assert await demo.service.unlink("U77") == 1
    assert await demo.service.linked_extension("U77") is None
    assert demo.service.is_admin(demo.users[ADMIN])
    assert not demo.service.is_admin(demo.users[USER])


async def test_reply_data_is_json_and_complete(demo: Demo) -> None:
    import json  # noqa: PLC0415

    reply = await demo.run("status")
    assert isinstance(reply, Reply)
    document = json.loads(json.dumps(reply.data))
    assert document["command"] == {
        "command": "status",
        "extension": None,
        "everyone": False,
    }
    assert document["status"]["extension"]["number"] == reply.status.extension.number  # type: ignore[union-attr]


# -- never raises --------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        *COMMANDS,
        "on",
        "off",
        "for",
        "2h",
        "from",
        "all",
        "list",
        "+4570305050",
        "100",
        "101",
        "201",
        "@bob",
        "<@U1|x>",
        "night",
        "Day",
        "inherit",
        "start",
        "pause",
        "work",
        "0",
        "\x00",
    ]
)


def test_service_run_never_raises(tmp_path: Path) -> None:
    """No input makes service.run raise; every answer is a rendered Reply."""
    with asyncio.Runner() as runner:
        manager = start_demo(state_dir=tmp_path, loopback=False)
        demo = runner.run(manager.__aenter__())
        try:

            @given(
                text=st.one_of(
                    st.text(max_size=40), st.lists(WORDS, max_size=5).map(" ".join)
                ),
                user=st.sampled_from([ADMIN, USER, "stranger"]),
                pbx=st.sampled_from([None, *demo.config.pbx, "nowhere"]),
            )
            @settings(
                max_examples=250, deadline=None, suppress_health_check=list(HealthCheck)
            )
            def check(text: str, user: str, pbx: str | None) -> None:
                actor = demo.users.get(user, Actor(user))
                reply = runner.run(demo.service.run(text, actor, pbx=pbx))
                assert isinstance(reply, Reply)
                assert reply.text
                assert reply.outcome is not Outcome.FAILED, reply.text

            logging.getLogger("switchboard.core").setLevel(logging.CRITICAL)
            check()
        finally:
            logging.getLogger("switchboard.core").setLevel(logging.NOTSET)
            runner.run(manager.__aexit__(None, None, None))
