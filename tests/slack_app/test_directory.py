"""Slack look-ups against the fake Slack: e-mails, the admin group, failures."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from switchboard.slack_app.directory import SlackDirectory

if TYPE_CHECKING:
    from tests.slack_app.fake_slack import FakeSlack


def _client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=f"{fake.base_url}/api/")


async def test_email_is_looked_up_once_then_cached(fake_slack: FakeSlack) -> None:
    fake_slack.emails["U1"] = "anna@example.com"
    directory = SlackDirectory()
    client = _client(fake_slack)
    assert await directory.email(client, "U1") == "anna@example.com"
    assert await directory.email(client, "U1") == "anna@example.com"
    assert len(fake_slack.api_calls("users.info")) == 1


async def test_a_burst_of_look_ups_costs_one_call_each(fake_slack: FakeSlack) -> None:
    """Fifty commands at once from someone not linked yet: one users.info."""
    fake_slack.emails["U1"] = "anna@example.com"
    fake_slack.usergroups["S1"] = ["U1"]
    directory = SlackDirectory("S1")
    client = _client(fake_slack)
    emails = await asyncio.gather(*(directory.email(client, "U1") for _ in range(50)))
    await asyncio.gather(*(directory.refresh_admin_group(client) for _ in range(50)))
    assert set(emails) == {"anna@example.com"}
    assert len(fake_slack.api_calls("users.info")) == 1
    assert len(fake_slack.api_calls("usergroups.users.list")) == 1
    assert directory.in_admin_group("U1")


async def test_no_email_and_slack_errors_mean_unknown(fake_slack: FakeSlack) -> None:
    directory = SlackDirectory()
    client = _client(fake_slack)
    assert await directory.email(client, "U2") is None
    fake_slack.failing.add("users.info")
    assert await directory.email(client, "U3") is None


async def test_admin_group_members_are_cached_and_kept_on_errors(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.usergroups["S1"] = ["U1", "U2"]
    directory = SlackDirectory("S1", cache_seconds=0)
    client = _client(fake_slack)
    await directory.refresh_admin_group(client)
    assert directory.in_admin_group("U1")
    assert not directory.in_admin_group("U9")
    fake_slack.failing.add("usergroups.users.list")
    await directory.refresh_admin_group(client)  # stale: re-read, fails
    assert directory.in_admin_group("U1")  # last known members still count
    assert len(fake_slack.api_calls("usergroups.users.list")) == 2


async def test_without_a_group_nobody_is_a_group_admin(fake_slack: FakeSlack) -> None:
    directory = SlackDirectory()
    await directory.refresh_admin_group(_client(fake_slack))
    assert not directory.in_admin_group("U1")
    assert fake_slack.calls == []
