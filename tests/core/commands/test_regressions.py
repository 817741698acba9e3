"""Regressions: Slack escaping, dialling policy, audit of every change."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from switchboard.core.commands import (
    Actor,
    CommandService,
    Outcome,
    Surface,
    parse_command,
)
from switchboard.core.commands.grammar import CallCommand
from switchboard.core.commands.render import Renderer
from switchboard.core.config import PolicySettings
from switchboard.core.demo import ADMIN, start_demo
from switchboard.core.errors import SwitchboardPolicyError
from switchboard.core.policy import Policy

if TYPE_CHECKING:
    from pathlib import Path


# -- Slack escaping ---------------------------------------------------------------------


def test_slack_values_inside_macros_are_escaped_exactly_once() -> None:
    """A name like 'R&D' must read 'R&D' in Slack, not 'R&amp;D' (double escape)."""
    status = {
        "extension": {"number": "201", "name": "R&D <!channel>"},
        "registered": True,
        "on_call": False,
        "dnd": True,
        "dnd_phones_total": 0,
        "presence": None,
        "forward_to": None,
    }
    text = Renderer().render(
        Surface.SLACK, "dnd", status=status, duration_seconds=None, pbx="main"
    )
    assert text == "DND is :no_bell: on for *201* (R&amp;D &lt;!channel&gt;)."
    listing = Renderer().render(
        Surface.SLACK, "status", status=status, pbx="main", vendor="MiRTA"
    )
    assert "(R&amp;D &lt;!channel&gt;)" in listing
    assert "&amp;amp;" not in listing
    assert "&amp;lt;" not in listing


# -- dialling policy --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "number", "country"),
    [
        # Jamaica and the Bahamas share +1 with the US: the classic "one ring" scam.
        ("US", "+18765230123", "JM"),
        ("US", "+12423456789", "BS"),
        # Guernsey shares +44 with the UK but is charged as abroad.
        ("GB", "+441481256789", "GG"),
    ],
)
def test_a_shared_country_code_does_not_make_a_number_national(
    region: str, number: str, country: str
) -> None:
    policy = Policy(PolicySettings(default_region=region))
    with pytest.raises(SwitchboardPolicyError) as caught:
        policy.check_destination(number)
    assert f"is an international number ({country})" in caught.value.message
    allowed = Policy(PolicySettings(default_region=region, allow_international=True))
    assert allowed.check_destination(number).number == number


def test_national_numbers_still_pass_in_a_shared_country_code() -> None:
    policy = Policy(PolicySettings(default_region="US"))
    assert policy.check_destination("+12025550123").number == "+12025550123"
    assert policy.check_destination("2025550123").number == "+12025550123"


# -- audit ------------------------------------------------------------------------------


async def test_a_change_is_audited_even_when_its_answer_cannot_be_rendered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """DND was switched: the audit log says so and the user is told it worked.

    An operator's broken template must not hide a change that happened (the
    user would retry a dial) nor drop it from the audit log.
    """
    override = tmp_path / "templates"
    (override / "plain").mkdir(parents=True)
    (override / "plain" / "dnd.j2").write_text("DND {{ no_such_value }}")
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
            before = len(await service.store.audit_entries(limit=1000))
            with caplog.at_level(logging.ERROR):
                reply = await service.run("dnd on", demo.users[ADMIN])
            assert reply.outcome is Outcome.SUCCESS
            assert "dnd" in reply.text.lower()
            assert "template" in caplog.text
            entries = await service.store.audit_entries(limit=1000)
            assert len(entries) == before + 1
            assert entries[-1].action == "dnd on"
            assert entries[-1].outcome == "success"
            status = await service.backends.get("mirta").get_status(own.extension)
            assert status.dnd is True
        finally:
            await service.aclose()


# -- linking in Slack -------------------------------------------------------------------


async def test_slack_link_needs_a_real_mention_not_a_name(tmp_path: Path) -> None:
    """In Slack, 'link 201 dave' would link a user id 'dave' that no Slack user has.

    The admin would read "dave is now linked" while Dave stays unlinked.
    """
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        admin = Actor(ADMIN, "Alice", Surface.SLACK)
        free = (await demo.service.backends.directory("mirta").extensions())[-1]
        reply = await demo.service.run(f"link {free.number} dave", admin)
        assert reply.outcome is Outcome.REFUSED
        assert "mention" in reply.text
        assert await demo.service.store.links("dave") == []
        reply = await demo.service.run("unlink @bob", admin)
        assert reply.outcome is Outcome.REFUSED
        assert await demo.service.store.links("bob") != []
        reply = await demo.service.run("unlink dave", admin)
        assert reply.outcome is Outcome.REFUSED
        reply = await demo.service.run(f"link {free.number} <@U0BOB|bob>", admin)
        assert reply.outcome is Outcome.SUCCESS
        assert [lk.extension for lk in await demo.service.store.links("U0BOB")] == [
            free.number
        ]
        # the CLI names users by their login: plain names are right there
        cli_reply = await demo.service.run(
            f"link {free.number} carol", demo.users[ADMIN]
        )
        assert cli_reply.outcome is Outcome.SUCCESS


# -- digits of other scripts --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["٢٠١", "\uff12\uff10\uff11", "۲۰۱"])
async def test_digits_of_any_script_name_the_extension(
    tmp_path: Path, typed: str
) -> None:
    """A phone keyboard in Arabic, Persian or a CJK IME types '٢٠١' for 201."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["pbxware"]
    ) as demo:
        reply = await demo.run(f"status {typed}")
        assert reply.outcome is Outcome.SUCCESS, reply.text
        assert reply.status is not None
        assert reply.status.extension.number == "201"
        assert parse_command(f"call +٤٥٧٠٣٠٥٠٥٠ from {typed}") == CallCommand(
            "+4570305050", "201"
        )
