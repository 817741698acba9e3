"""Policy: admins, click-to-dial destinations and the per-user dial rate limit."""

from __future__ import annotations

import pytest

from switchboard.core.commands import Actor
from switchboard.core.config import PolicySettings
from switchboard.core.errors import SwitchboardPolicyError
from switchboard.core.policy import DialRefusedError, Policy, Refusal

ALICE = Actor("alice")
BOB = Actor("bob")


def make_policy(**settings: object) -> Policy:
    return Policy(PolicySettings.model_validate({"admins": ["alice"], **settings}))


def test_admins_come_from_the_configuration() -> None:
    policy = make_policy()
    assert policy.is_admin(ALICE)
    assert not policy.is_admin(BOB)
    with pytest.raises(SwitchboardPolicyError, match=r"Only admins can switch flows\."):
        policy.require_admin(BOB, "switch flows")


@pytest.mark.parametrize(
    ("number", "sent", "kind"),
    [
        ("+4570305050", "+4570305050", "fixed line or mobile"),
        ("70305050", "+4570305050", "fixed line or mobile"),
        ("+4520123456", "+4520123456", "fixed line or mobile"),
        ("+4580123456", "+4580123456", "toll-free"),
        ("201", "201", "extension"),
    ],
)
def test_allowed_destinations(number: str, sent: str, kind: str) -> None:
    """Extensions and national numbers pass, normalised to E.164."""
    destination = make_policy().check_destination(number, internal_numbers={"201"})
    assert (destination.number, destination.kind) == (sent, kind)
    assert destination.internal is (kind == "extension")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+4590123456", "+4590123456 is a premium-rate number"),
        ("+449098790000", "+449098790000 is a premium-rate number"),
        ("+12025550123", "+12025550123 is an international number (US)"),
        ("112", "112 is an emergency number"),
        ("999", "There is no extension 999 on PBXware"),
        ("+4512", "+4512 is not a valid phone number"),
    ],
)
def test_refused_destinations_say_why(number: str, reason: str) -> None:
    with pytest.raises(SwitchboardPolicyError) as caught:
        make_policy().check_destination(
            number, internal_numbers={"201"}, pbx_name="PBXware"
        )
    assert reason in caught.value.message


def test_shared_cost_numbers_are_refused() -> None:
    """Shared-cost numbers (here a French 0810 number) are refused with the reason."""
    policy = make_policy(allow_international=True)
    with pytest.raises(SwitchboardPolicyError, match="shared-cost number"):
        policy.check_destination("+33810123456")


def test_international_is_allowed_when_configured() -> None:
    destination = make_policy(allow_international=True).check_destination(
        "+12025550123"
    )
    assert destination.number == "+12025550123"


def test_international_premium_is_still_refused() -> None:
    with pytest.raises(SwitchboardPolicyError, match="premium-rate"):
        make_policy(allow_international=True).check_destination("+449098790000")


def test_default_region_decides_what_national_means() -> None:
    policy = make_policy(default_region="SE")
    assert policy.check_destination("+46812345678").number == "+46812345678"
    with pytest.raises(SwitchboardPolicyError, match="international"):
        policy.check_destination("+4570305050")


async def test_dial_rate_limit_per_user_and_minute() -> None:
    now = [1000.0]
    policy = Policy(PolicySettings(dial_limit_per_minute=2), clock=lambda: now[0])
    await policy.check_dial_rate(ALICE)
    await policy.check_dial_rate(ALICE)
    await policy.check_dial_rate(BOB)  # another user has their own budget
    now[0] += 20
    with pytest.raises(SwitchboardPolicyError) as caught:
        await policy.check_dial_rate(ALICE)
    assert caught.value.message == "You can place 2 calls a minute; try again in 40 s."
    now[0] += 40
    await policy.check_dial_rate(ALICE)  # the oldest call left the window


@pytest.mark.parametrize(
    ("number", "reason", "country"),
    [
        ("112", Refusal.EMERGENCY, ""),
        ("999", Refusal.NO_EXTENSION, ""),
        ("+4512", Refusal.INVALID, ""),
        ("+449098790000", Refusal.PREMIUM_RATE, ""),
        ("+33810123456", Refusal.SHARED_COST, ""),
        ("+12025550123", Refusal.INTERNATIONAL, "US"),
    ],
)
def test_refusals_name_their_rule(number: str, reason: Refusal, country: str) -> None:
    """Front-ends with their own translations read the rule, not the English text."""
    with pytest.raises(DialRefusedError) as caught:
        make_policy().check_destination(number, internal_numbers={"201"})
    assert caught.value.reason is reason
    if country:
        assert caught.value.country == country


async def test_rate_limit_refusal_carries_the_wait() -> None:
    now = [1000.0]
    policy = Policy(PolicySettings(dial_limit_per_minute=1), clock=lambda: now[0])
    await policy.check_dial_rate(ALICE)
    now[0] += 15
    with pytest.raises(DialRefusedError) as caught:
        await policy.check_dial_rate(ALICE)
    assert caught.value.reason is Refusal.RATE_LIMIT
    assert caught.value.retry_after == 45
