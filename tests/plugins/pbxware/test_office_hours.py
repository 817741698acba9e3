"""Office hours (Operation Times) against the strict emulator.

PBXware lists Operation Times per destination: by ``id``, by ``number``
(queues) or by ``ext`` (DIDs). DIDs are found with ``did.list``; other
destinations come from the ``office_hours`` setting.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from switchboard.core.errors import SwitchboardNotFoundError, SwitchboardResponseError
from switchboard.core.models import OfficeHoursState
from switchboard.plugins.pbxware import PLUGIN
from switchboard.plugins.pbxware.const import OTIMES_LOOKUP_FIELD
from switchboard.plugins.pbxware.settings import PbxwareSettings

from .conftest import BASE_URL, make_backend

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.core.emulator import Request
    from switchboard.plugins.pbxware.backend import PbxwareBackend
    from switchboard.plugins.pbxware.emulator import PbxwareEmulator

DEMO_EXTRAS = {
    "ivr:2",
    "dial_group:1",
    "servers:1",
    "queues:600",
    "queues:601",
    "erg:9",
}


@pytest.fixture
async def dids_only(emulator: PbxwareEmulator) -> AsyncIterator[PbxwareBackend]:
    built = make_backend(emulator, max_retries=0, office_hours="")
    yield built
    await built.client.transport.client.aclose()


def otimes_requests(emulator: PbxwareEmulator, method: str) -> list[Request]:
    return [
        r
        for r in emulator.requests
        if (r.param("action") or "").startswith("pbxware.otimes.")
        and (r.param("action") or "").endswith(f".{method}")
    ]


def distinct_did_destinations(emulator: PbxwareEmulator) -> int:
    return len({row["ext"] for row in emulator.dids.values()})


async def test_without_settings_the_dids_are_listed(
    dids_only: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    hours = {h.id: h for h in await dids_only.list_office_hours()}
    # DID 8 has no Operation Times although it shares DID 7's destination.
    assert set(hours) == {"did:3", "did:4", "did:7"}
    assert hours["did:7"].state is OfficeHoursState.OFF
    assert hours["did:3"].state is OfficeHoursState.INHERIT
    assert hours["did:7"].name == "DID 4570305052"
    # 1 did.list + 1 otimes.did.list per distinct DID destination (7 and 8
    # share theirs).
    assert emulator.request_count() == 1 + distinct_did_destinations(emulator)
    assert distinct_did_destinations(emulator) == len(emulator.dids) - 1
    assert emulator.requests[0].param("action") == "pbxware.did.list"
    for request in otimes_requests(emulator, "list"):
        assert request.param("action") == "pbxware.otimes.did.list"
        assert request.param("ext")  # looked up by ext, as the manual says
        assert request.param("id") is None
        assert request.param("server") == "1"


async def test_configured_destinations_are_listed_with_their_field(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    """The demo settings name every other kind of destination."""
    hours = {h.id: h for h in await backend.list_office_hours()}
    assert set(hours) == {"did:3", "did:4", "did:7", *DEMO_EXTRAS}
    assert hours["queues:600"].name == "Queue 600"
    assert hours["queues:601"].state is OfficeHoursState.OFF
    assert hours["erg:9"].name == "Enhanced ring group 9"
    assert emulator.request_count() == (
        1 + distinct_did_destinations(emulator) + len(DEMO_EXTRAS)
    )
    for request in otimes_requests(emulator, "list"):
        target = (request.param("action") or "").split(".")[2]
        field = OTIMES_LOOKUP_FIELD[target]
        assert request.param(field), request.query
        others = {"id", "number", "ext"} - {field}
        assert all(request.param(name) is None for name in others)


async def test_did_override_reads_by_ext_and_writes_by_id(
    dids_only: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    before = dict(emulator.operation_times["did"]["7"])
    changed = await dids_only.set_office_hours("did:7", OfficeHoursState.ON)
    assert (changed.id, changed.name, changed.state) == (
        "did:7",
        "DID 4570305052",
        OfficeHoursState.ON,
    )
    assert emulator.operation_times["did"]["7"] == {**before, "status": "on"}
    assert "8" not in emulator.operation_times["did"]
    actions = [r.param("action") for r in emulator.requests]
    assert actions == [
        "pbxware.did.list",
        "pbxware.otimes.did.list",
        "pbxware.otimes.did.set",
    ]
    (read,) = otimes_requests(emulator, "list")
    assert read.param("ext") == emulator.dids["7"]["ext"]
    (write,) = otimes_requests(emulator, "set")
    assert write.param("id") == "7"
    again = {h.id: h for h in await dids_only.list_office_hours()}
    assert again["did:7"].state is OfficeHoursState.ON


async def test_queue_override_reads_by_number_and_writes_by_id(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    before = dict(emulator.operation_times["queues"]["5"])
    changed = await backend.set_office_hours("queues:600", OfficeHoursState.OFF)
    assert (changed.id, changed.state) == ("queues:600", OfficeHoursState.OFF)
    assert emulator.operation_times["queues"]["5"] == {**before, "status": "off"}
    (read,) = otimes_requests(emulator, "list")
    assert (read.param("number"), read.param("id")) == ("600", None)
    (write,) = otimes_requests(emulator, "set")
    assert write.param("id") == "5"
    assert emulator.request_count() == 2


@pytest.mark.parametrize("hours_id", ["did:99", "did:8", "queues:77", "ivr:77"])
async def test_override_of_a_destination_without_operation_times(
    backend: PbxwareBackend, emulator: PbxwareEmulator, hours_id: str
) -> None:
    kind, _, key = hours_id.partition(":")
    with pytest.raises(SwitchboardNotFoundError, match=f"{kind} {key}"):
        await backend.set_office_hours(hours_id, OfficeHoursState.ON)
    assert otimes_requests(emulator, "set") == []


async def test_a_configured_destination_without_operation_times_is_skipped(
    emulator: PbxwareEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """One stale entry must not take every office-hours control down."""
    backend = make_backend(emulator, office_hours="queues:999,ivr:2")
    with caplog.at_level(logging.WARNING):
        hours = {h.id for h in await backend.list_office_hours()}
        again = {h.id for h in await backend.list_office_hours()}
    await backend.client.transport.client.aclose()
    assert hours == again == {"did:3", "did:4", "did:7", "ivr:2"}
    (warning,) = [r.getMessage() for r in caplog.records]  # once, not every poll
    assert "'queues:999' of the office_hours setting" in warning


async def test_refusals_other_than_not_found_are_not_hidden(
    dids_only: PbxwareBackend,
    emulator: PbxwareEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the lookup field is wrong for a real PBX, the user must see it."""
    from switchboard.plugins.pbxware import client as client_module  # noqa: PLC0415

    wrong = {**OTIMES_LOOKUP_FIELD, "did": "id"}
    monkeypatch.setattr(client_module, "OTIMES_LOOKUP_FIELD", wrong)
    with pytest.raises(SwitchboardResponseError, match="Destination extension"):
        await dids_only.list_office_hours()


def test_office_hours_setting_accepts_a_list_or_a_comma_string() -> None:
    base = {"url": BASE_URL, "api_key": "0123456789abc"}
    listed = PbxwareSettings.model_validate(
        {**base, "office_hours": [" Queues:600 ", "ivr:12", "queues:600"]}
    )
    assert listed.office_hours == "queues:600,ivr:12"
    typed = PbxwareSettings.model_validate(
        {**base, "office_hours": "erg:12451, servers:2"}
    )
    assert typed.office_hours == "erg:12451,servers:2"
    assert typed.office_hours_destinations() == [("erg", "12451"), ("servers", "2")]
    assert PbxwareSettings.model_validate(base).office_hours_destinations() == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("fax:3", "'fax' is not a kind of destination"),
        ("queues:", "'queues:' has no destination after the colon"),
        ("queues", "'queues' should look like queues:600"),
        ("did:3", "DIDs are found automatically"),
        ("ivr:1 2", "'ivr:1 2' has a space"),
    ],
)
def test_office_hours_setting_explains_mistakes(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PbxwareSettings.model_validate(
            {"url": BASE_URL, "api_key": "0123456789abc", "office_hours": value}
        )
    assert message in str(caught.value)
    assert "office_hours" in str(caught.value)


def test_office_hours_setting_is_documented_and_renders_as_text() -> None:
    field = PbxwareSettings.model_fields["office_hours"]
    assert field.annotation is str  # the Home Assistant form renders it as text
    assert field.description is not None
    for word in ("queues:600", "number", "DIDs"):
        assert word in field.description
    demo = PLUGIN.demo_settings(BASE_URL)
    assert set(demo.office_hours.split(",")) == DEMO_EXTRAS
