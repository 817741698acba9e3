"""Every grammar form, executed by the real service against every landed vendor's emulator.

A form the vendor supports must succeed and change the emulator's state (read
back through the backend); a form it does not support must be refused with the
vendor's own explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.commands import Actor, Outcome, Surface
from switchboard.core.demo import ADMIN

if TYPE_CHECKING:
    from switchboard.core.commands import Reply
    from switchboard.core.demo import Demo
    from switchboard.core.models import ExtensionStatus


@dataclass(frozen=True)
class Form:
    text: str
    needs: tuple[Capability, ...] = ()
    setup: tuple[str, ...] = ()


FORMS = [
    Form("help"),
    Form("help call"),
    Form("whoami"),
    Form("status", (Capability.STATUS,)),
    Form("status {own}", (Capability.STATUS,)),
    Form("status all", (Capability.STATUS,)),
    Form("dnd on", (Capability.DND,)),
    Form("dnd off", (Capability.DND,), setup=("dnd on",)),
    Form("dnd on {own}", (Capability.DND,)),
    Form("dnd on for 2h", (Capability.DND_TIMED,)),
    Form("presence work", (Capability.PRESENCE,)),
    Form("presence off", (Capability.PRESENCE,)),
    Form("presence holiday", (Capability.PRESENCE,)),
    Form("presence busy", (Capability.PRESENCE,)),
    Form("forward +4570305050", (Capability.FORWARD,)),
    Form("forward {other} {own}", (Capability.FORWARD,)),
    Form("forward off", (Capability.FORWARD,), setup=("forward +4570305050",)),
    Form("forward busy {other}", (Capability.FORWARD_RULES,)),
    Form("forward noanswer +4570305050 after 20s", (Capability.FORWARD_RULES,)),
    Form(
        "forward busy off",
        (Capability.FORWARD_RULES,),
        setup=("forward busy +4570305050",),
    ),
    Form("service list", (Capability.EXTENSION_FEATURES,)),
    Form("service followme pin {own}", (Capability.EXTENSION_FEATURES,)),
    Form("service Call Screening available all", (Capability.EXTENSION_FEATURES,)),
    Form("call +4570305050", (Capability.DIAL,)),
    Form("call {other} from {own}", (Capability.DIAL,)),
    Form("record start", (Capability.RECORDING,)),
    Form(
        "record pause",
        (Capability.RECORDING, Capability.RECORDING_PAUSE),
        ("record start",),
    ),
    Form(
        "record resume",
        (Capability.RECORDING, Capability.RECORDING_PAUSE),
        ("record start", "record pause"),
    ),
    Form("record stop", (Capability.RECORDING,), setup=("record start",)),
    Form("flow list", (Capability.FLOWS,)),
    Form("flow {flow} on", (Capability.FLOWS,)),
    Form("flow {flow} off", (Capability.FLOWS,)),
    Form("hours", (Capability.OFFICE_HOURS,)),
    Form("hours {hours} on", (Capability.OFFICE_HOURS,)),
    Form("hours {hours} off", (Capability.OFFICE_HOURS,)),
    Form("hours {hours} inherit", (Capability.OFFICE_HOURS,)),
    Form("calls", (Capability.LIVE_CALLS,)),
    Form("link {other} @carol"),
    Form("unlink @bob"),
]


async def placeholders(demo: Demo) -> dict[str, str]:
    pbx = next(iter(demo.config.pbx))
    backend = demo.service.backends.get(pbx)
    own = await demo.service.linked_extension(ADMIN)
    other = await demo.service.linked_extension("bob")
    assert own is not None
    assert other is not None
    values = {"own": own.extension, "other": other.extension, "flow": "x", "hours": "x"}
    if backend.supports(Capability.FLOWS):
        values["flow"] = (await backend.list_flows())[0].name
    if backend.supports(Capability.OFFICE_HOURS):
        values["hours"] = (await backend.list_office_hours())[0].name
    return values


def st(reply: Reply) -> ExtensionStatus:
    assert reply.status is not None
    return reply.status


async def check_effect(  # noqa: PLR0912 - one branch per command
    demo: Demo, text: str, reply: Reply, values: dict[str, str]
) -> None:
    """Read the PBX back: the command really changed what it says it changed."""
    pbx = next(iter(demo.config.pbx))
    backend = demo.service.backends.get(pbx)
    own = await demo.service.backends.directory(pbx).find(values["own"])
    word = text.split(maxsplit=1)[0]
    if word in {"dnd", "presence", "forward"}:
        assert reply.status is not None
        fresh = await backend.get_status(own.id)
    if text.startswith("dnd on"):
        assert st(reply).dnd is True
        assert fresh.dnd is True
    elif text == "dnd off":
        assert st(reply).dnd is False
        assert fresh.dnd is False
    elif word == "presence":
        presence = st(reply).presence
        assert presence is not None
        assert presence.value == text.split()[1]
        assert fresh.presence == presence
    elif text.startswith(("forward busy", "forward noanswer")):
        condition = text.split()[1]
        rules = {r.condition.value: r for r in fresh.forward_rules}
        assert {r.condition.value for r in st(reply).forward_rules} == set(rules)
        if text.endswith(" off"):
            assert condition not in rules
        else:
            target = "+4570305050" if "+45" in text else values["other"]
            assert rules[condition].number.endswith(target.lstrip("+")[-6:])
            if "after 20s" in text:
                assert rules[condition].timeout_seconds == 20
    elif text == "service list":
        assert len(reply.data["features"]) == len(backend.feature_specs)
    elif word == "service":
        key = backend.feature_spec(
            text.split()[1] if "followme" in text else "Call Screening"
        ).key
        value = text.split()[-2]
        targets = [own] if "all" not in text else await backend.list_extensions()
        for extension in targets:
            features = {
                f.spec.key: f for f in await backend.list_features(extension.id)
            }
            assert features[key].value == value
    elif text.startswith("forward off"):
        assert st(reply).forward_to is None
    elif word == "forward":
        target = "+4570305050" if "+45" in text else values["other"]
        forward_to = st(reply).forward_to
        assert forward_to is not None
        assert forward_to.endswith(target.lstrip("+")[-6:])
    elif word == "call":
        assert reply.data["call_id"]
    elif word == "record":
        assert reply.data["affected_calls"] >= 1
    elif text.startswith("flow") and text != "flow list":
        flows = {f.name: f for f in await backend.list_flows()}
        assert flows[values["flow"]].active is text.endswith(" on")
    elif text.startswith("hours") and text != "hours":
        schedules = {h.name: h for h in await backend.list_office_hours()}
        assert schedules[values["hours"]].state.value == text.rsplit(maxsplit=1)[-1]
    elif word == "status":
        assert reply.data["statuses" if "all" in text else "status"]
    elif word == "link":
        link = await demo.service.linked_extension("carol", pbx)
        assert link is not None
        assert link.extension == values["other"]
    elif word == "unlink":
        assert await demo.service.linked_extension("bob", pbx) is None
    elif word == "calls":
        assert isinstance(reply.data["calls"], list)


@pytest.mark.parametrize("form", FORMS, ids=[f.text for f in FORMS])
async def test_form_on_vendor(vendor_demo: Demo, form: Form) -> None:
    demo = vendor_demo
    pbx = next(iter(demo.config.pbx))
    backend = demo.service.backends.get(pbx)
    values = await placeholders(demo)
    text = form.text.format(**values)
    missing = [c for c in form.needs if not backend.supports(c)]
    if not missing:
        for step in form.setup:
            setup = await demo.run(step)
            assert setup.outcome is Outcome.SUCCESS, setup.text
    reply = await demo.run(text)
    assert reply.pbx == pbx
    assert reply.supports == backend.capabilities
    if missing:
        assert reply.outcome is Outcome.REFUSED, reply.text
        assert backend.unsupported(missing[0]).message in reply.text
        return
    expected = Outcome.HELP if text.startswith("help") else Outcome.SUCCESS
    assert reply.outcome is expected, reply.text
    assert reply.text
    assert reply.command is not None
    await check_effect(demo, text, reply, values)


async def test_every_form_renders_for_slack(vendor_demo: Demo) -> None:
    """The Slack template set covers every answer (and never shows a raw error)."""
    demo = vendor_demo
    values = await placeholders(demo)
    slack_alice = Actor(ADMIN, "Alice", Surface.SLACK)
    for form in FORMS:
        reply = await demo.service.run(form.text.format(**values), slack_alice)
        assert reply.outcome is not Outcome.FAILED, (form.text, reply.text)
        assert reply.text
        assert "Refused:" not in reply.text  # the plain-text wording stays out of Slack
    refused = await demo.service.run(
        "whoami now", Actor("stranger", surface=Surface.SLACK)
    )
    assert refused.text.startswith(":no_entry_sign: ")
