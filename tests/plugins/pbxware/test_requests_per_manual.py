"""Captured requests (respx): DND and forwarding sent field for field as seed 003 writes them.

Each test answers with the manual's own examples (seed 003, "Extension Enhanced
Services": Do Not Disturb and Call Forwarding ``configuration``) and checks the
one write against the manual's ``edit`` arguments. No DND, forwarding or status
action may send ``ext.es.*.set``: that is the service's accessibility.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from switchboard.core.errors import (
    SwitchboardConnectionError,
    SwitchboardFeatureUnavailableError,
)
from switchboard.core.models import ForwardCondition
from switchboard.plugins.pbxware.backend import PbxwareBackend
from switchboard.plugins.pbxware.settings import PbxwareSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BASE = "https://pbx.example.com"
KEY = "manual-key-0123456789"
EXT_ID = "7"

# The manual's examples, verbatim.
DND_CONFIGURATION = {"dnd": "0", "dst": "123", "dsttype": "voicemail", "duration": "1"}
CALLFWD_CONFIGURATION = {
    "play": "1",
    "cid": "1",
    "enabled": ["unconditional", "busy"],
    "destinations": {
        "unconditional": [],
        "busy": ["106", "107"],
        "no answer": ["106", "107"],
        "line unavailable": [],
    },
    "timeouts": {
        "unconditional": [],
        "busy": ["", ""],
        "no answer": ["10", "10"],
        "line unavailable": [],
    },
}


class FakePbxware:
    """Answers each action with the manual's example; records every query."""

    def __init__(self, accessibility: str = "yes") -> None:
        self.accessibility = accessibility
        self.queries: list[list[tuple[str, str]]] = []
        self.fail: str | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = list(request.url.params.multi_items())
        self.queries.append(query)
        action = dict(query)["action"].removeprefix("pbxware.")
        if action == self.fail:
            return httpx.Response(503, text="Service Unavailable")
        answers: dict[str, Any] = {
            "ext.es.dnd.get": {"state": self.accessibility},
            "ext.es.callfwd.get": {"state": self.accessibility},
            "ext.es.dnd.configuration": DND_CONFIGURATION,
            "ext.es.callfwd.configuration": CALLFWD_CONFIGURATION,
            "ext.es.dnd.edit": {"success": "Edited."},
            "ext.es.callfwd.edit": {"success": "Edited."},
            "ext.list": {EXT_ID: {"ext": "201", "name": "Anna"}},
            "monitor.list": {
                EXT_ID: {
                    "ext": "201",
                    "status": "online",
                    "dnd": "false",
                    "on_call": "false",
                }
            },
        }
        return httpx.Response(200, json=answers[action])

    @property
    def actions(self) -> list[str]:
        return [dict(q)["action"] for q in self.queries]

    def write(self, action: str) -> list[tuple[str, str]]:
        (query,) = [q for q in self.queries if dict(q)["action"] == action]
        return query


@pytest.fixture
async def backend() -> AsyncIterator[PbxwareBackend]:
    async with PbxwareBackend(PbxwareSettings(url=BASE, api_key=KEY)) as backend:
        yield backend


def mock(fake: FakePbxware) -> None:
    # Seed 003, "Requests": GET /?apikey=…&action=pbxware.<object>.<method>.
    respx.get(f"{BASE}/").mock(side_effect=fake)


def fields(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    return sorted([("apikey", KEY), ("server", "1"), ("id", EXT_ID), *pairs])


def assert_no_accessibility_change(fake: FakePbxware) -> None:
    setters = [
        a
        for a in fake.actions
        if a.startswith("pbxware.ext.es.") and a.endswith((".set", ".states.set"))
    ]
    assert setters == []


@respx.mock
@pytest.mark.parametrize(
    ("enabled", "mode"), [(True, "2"), (False, "0")], ids=["on", "off"]
)
async def test_dnd_on_and_off_edit_its_configuration(
    backend: PbxwareBackend, enabled: bool, mode: str
) -> None:
    fake = FakePbxware()
    mock(fake)
    await backend.set_dnd(EXT_ID, enabled=enabled)
    edit = fake.write("pbxware.ext.es.dnd.edit")
    # "dnd: 0, 1 or 2 for Not Active, Temporary and Permanent"; dst and dsttype
    # are the extension's own, sent back unchanged.
    assert sorted(edit) == fields(
        ("action", "pbxware.ext.es.dnd.edit"),
        ("dnd", mode),
        ("dst", "123"),
        ("dsttype", "voicemail"),
    )
    assert fake.actions[:3] == [
        "pbxware.ext.es.dnd.get",
        "pbxware.ext.es.dnd.configuration",
        "pbxware.ext.es.dnd.edit",
    ]
    assert_no_accessibility_change(fake)


@respx.mock
async def test_timed_dnd_is_temporary_for_whole_hours(backend: PbxwareBackend) -> None:
    fake = FakePbxware()
    mock(fake)
    await backend.set_dnd_for(EXT_ID, timedelta(hours=3))
    assert sorted(fake.write("pbxware.ext.es.dnd.edit")) == fields(
        ("action", "pbxware.ext.es.dnd.edit"),
        ("dnd", "1"),
        ("dst", "123"),
        ("dsttype", "voicemail"),
        ("duration", "3"),
    )
    assert_no_accessibility_change(fake)


def callfwd(**changed: str) -> list[tuple[str, str]]:
    sent = {
        "enabled": "unconditional,busy",
        "uncond_dests": "",
        "uncond_timeouts": "",
        "busy_dests": "106,107",
        "busy_timeouts": ",",
        "noansw_dests": "106,107",
        "noansw_timeouts": "10,10",
        "unavail_dests": "",
        "unavail_timeouts": "",
        "play": "1",
        "cid": "1",
    } | changed
    return fields(("action", "pbxware.ext.es.callfwd.edit"), *sent.items())


RULES = [
    (ForwardCondition.ALL, "300", None, callfwd(uncond_dests="300")),
    (
        ForwardCondition.BUSY,
        "300",
        None,
        callfwd(busy_dests="300", busy_timeouts=""),
    ),
    (
        ForwardCondition.NO_ANSWER,
        "300",
        25,
        callfwd(
            enabled="unconditional,busy,no answer",
            noansw_dests="300",
            noansw_timeouts="25",
        ),
    ),
    (
        ForwardCondition.NO_ANSWER,
        "300",
        None,
        callfwd(
            enabled="unconditional,busy,no answer",
            noansw_dests="300",
            noansw_timeouts="10",  # the rule's own ring time is kept
        ),
    ),
    (
        ForwardCondition.UNAVAILABLE,
        "300",
        None,
        callfwd(
            enabled="unconditional,busy,line unavailable",
            unavail_dests="300",
        ),
    ),
    # Off takes the condition out of "enabled" and keeps its destinations.
    (ForwardCondition.BUSY, None, None, callfwd(enabled="unconditional")),
    (ForwardCondition.ALL, None, None, callfwd(enabled="busy")),
]


@respx.mock
@pytest.mark.parametrize(
    ("condition", "number", "ring", "expected"),
    RULES,
    ids=[f"{c.value}-{n or 'off'}-{r}" for c, n, r, _ in RULES],
)
async def test_every_forward_rule_is_one_callfwd_edit(
    backend: PbxwareBackend,
    condition: ForwardCondition,
    number: str | None,
    ring: int | None,
    expected: list[tuple[str, str]],
) -> None:
    fake = FakePbxware("pin")  # PIN required: still changeable through the API
    mock(fake)
    status = await backend.set_forward_rule(
        EXT_ID, condition, number, timeout_seconds=ring
    )
    assert sorted(fake.write("pbxware.ext.es.callfwd.edit")) == expected
    assert_no_accessibility_change(fake)
    # The status is read back from the configuration (the fake does not change).
    assert [r.condition for r in status.forward_rules] == [ForwardCondition.BUSY]


@respx.mock
async def test_an_unavailable_service_is_reported_and_nothing_is_sent(
    backend: PbxwareBackend,
) -> None:
    fake = FakePbxware("no")
    mock(fake)
    with pytest.raises(SwitchboardFeatureUnavailableError) as caught:
        await backend.set_dnd(EXT_ID, enabled=True)
    assert caught.value.message == (
        "DND is not available for extension 201; an admin can make it available."
    )
    with pytest.raises(SwitchboardFeatureUnavailableError, match="Call forwarding"):
        await backend.set_forward_rule(EXT_ID, ForwardCondition.BUSY, "300")
    assert fake.actions == [
        "pbxware.ext.es.dnd.get",
        "pbxware.ext.list",
        "pbxware.ext.es.callfwd.get",
        "pbxware.ext.list",
    ]


@respx.mock
async def test_status_reads_only(backend: PbxwareBackend) -> None:
    fake = FakePbxware()
    mock(fake)
    status = await backend.get_status(EXT_ID)
    assert status.dnd is False  # from dnd.configuration's "dnd": "0"
    assert status.forward_rules[0].number == "106"
    assert_no_accessibility_change(fake)
    assert "pbxware.ext.es.dnd.configuration" in fake.actions


@respx.mock
async def test_the_dnd_edit_is_sent_once_even_when_it_fails(
    backend: PbxwareBackend,
) -> None:
    fake = FakePbxware()
    fake.fail = "ext.es.dnd.edit"
    mock(fake)
    with pytest.raises(SwitchboardConnectionError):
        await backend.set_dnd(EXT_ID, enabled=True)
    assert fake.actions.count("pbxware.ext.es.dnd.edit") == 1
