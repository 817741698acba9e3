"""Every client method against the emulator: the request on the wire and the result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
)
from switchboard.plugins.pbxware import client_base
from switchboard.plugins.pbxware.const import OTIMES_LOOKUP_FIELD
from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    CallForwardConfiguration,
    DndMode,
    EsService,
    EsState,
    OtimesTarget,
    RegistrationStatus,
)

from .conftest import SERVER, Sleeps, make_client

if TYPE_CHECKING:
    from switchboard.core.emulator import Request
    from switchboard.plugins.pbxware.client import PbxwareClient
    from switchboard.plugins.pbxware.emulator import PbxwareEmulator


def last(emulator: PbxwareEmulator) -> Request:
    return emulator.requests[-1]


async def test_every_request_is_a_get_on_the_manuals_path_with_the_key(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    await client.list_extensions(server=SERVER)
    request = last(emulator)
    assert request.method == "GET"
    assert request.path == "/"  # seed 003, "Requests": GET /?apikey=…&action=…
    assert request.param("action") == "pbxware.ext.list"
    assert request.param("apikey") == emulator.api_key
    assert request.param("server") == SERVER


async def test_get_extensions_online(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    online = await client.get_extensions_online(server=SERVER)
    assert online.count == sum(e.online for e in emulator.extensions.values())
    assert last(emulator).param("action") == "pbxware.dashboard.ext_online"


async def test_list_extensions(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    entries = await client.list_extensions(server=SERVER)
    assert len(entries) == 24
    first = entries[0]
    seeded = emulator.extensions[first.id]
    assert (first.ext, first.name, first.email) == (
        seeded.number,
        seeded.name,
        seeded.email,
    )
    assert first.id != first.ext


async def test_list_extensions_of_an_unknown_tenant_is_empty(
    client: PbxwareClient,
) -> None:
    """The server argument filters; no match comes back as []."""
    assert await client.list_extensions(server="99") == []


async def test_get_extension_configuration_by_id_and_by_number(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    seeded = emulator.extensions["5"]
    by_id = await client.get_extension_configuration(server=SERVER, ext_id="5")
    by_number = await client.get_extension_configuration(
        server=SERVER, number=seeded.number
    )
    assert by_id == by_number
    assert by_id.ext == seeded.number
    assert seeded.secret not in repr(by_id)
    assert seeded.pin not in by_id.model_dump_json()
    with pytest.raises(SwitchboardInvalidInputError, match="not both"):
        await client.get_extension_configuration(server=SERVER, ext_id="5", number="1")


async def test_es_state_get_and_set(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    assert await client.get_es_state("1", EsService.DND, server=SERVER) is EsState.YES
    answer = await client.set_es_state("1", EsService.DND, EsState.NO, server=SERVER)
    assert answer.state is EsState.NO
    assert answer.success == "1: 0."
    request = last(emulator)
    assert request.param("action") == "pbxware.ext.es.dnd.set"
    assert (request.param("id"), request.param("state")) == ("1", "no")
    assert await client.get_es_state("1", EsService.DND, server=SERVER) is EsState.NO
    assert emulator.extensions["1"].es["dnd"] == "no"
    # Accessibility is not activation: DND's configuration is untouched.
    assert emulator.extensions["1"].dnd_config["dnd"] == "0"


async def test_es_states_get_and_set(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    every = await client.get_es_states("2", server=SERVER)
    assert len(every) == len(EsService)
    assert last(emulator).param("services") == "all"
    message = await client.set_es_states(
        "2",
        {EsService.DND: EsState.YES, EsService.FOLLOWME: EsState.PIN},
        server=SERVER,
    )
    assert message == "Updated Enhanced Service states successfully."
    some = await client.get_es_states(
        "2", server=SERVER, services=[EsService.DND, EsService.FOLLOWME]
    )
    assert some == {"dnd": EsState.YES, "followme": EsState.PIN}
    assert last(emulator).param("services") == "dnd,followme"
    with pytest.raises(SwitchboardInvalidInputError):
        await client.set_es_states("2", {}, server=SERVER)


async def test_dnd_configuration_and_timed_edit(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    before = await client.get_dnd_configuration("3", server=SERVER)
    assert before.dnd is DndMode.NOT_ACTIVE
    message = await client.edit_dnd_configuration(
        "3",
        server=SERVER,
        mode=DndMode.TEMPORARY,
        duration_hours=2,
        dsttype="voicemail",
    )
    assert "successfully" in message
    request = last(emulator)
    assert (request.param("dnd"), request.param("duration")) == ("1", "2")
    assert request.param("dst") is None  # None leaves the field out
    after = await client.get_dnd_configuration("3", server=SERVER)
    assert (after.dnd, after.duration) == (DndMode.TEMPORARY, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"duration_hours": 0}, "whole hours"), ({"dst": "12a"}, "digits only")],
)
async def test_dnd_edit_checks_its_input(
    client: PbxwareClient, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError, match=message):
        await client.edit_dnd_configuration(
            "3", server=SERVER, mode=DndMode.TEMPORARY, **kwargs
        )


async def test_call_forward_configuration_round_trip(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    config = await client.get_call_forward_configuration("9", server=SERVER)
    assert config.enabled == [CallForwardCondition.BUSY, CallForwardCondition.NO_ANSWER]
    changed = config.model_copy(
        update={
            "enabled": [*config.enabled, CallForwardCondition.LINE_UNAVAILABLE],
            "destinations": {
                **config.destinations,
                CallForwardCondition.LINE_UNAVAILABLE: ["4512345678", "201"],
            },
        }
    )
    message = await client.edit_call_forward_configuration("9", changed, server=SERVER)
    assert message == "Edited Call Forwarding successfully."
    request = last(emulator)
    assert request.param("enabled") == "busy,no answer,line unavailable"
    assert request.param("unavail_dests") == "4512345678,201"
    assert request.param("unavail_timeouts") == ","  # padded: one per destination
    assert request.param("noansw_timeouts") == "20"
    again = await client.get_call_forward_configuration("9", server=SERVER)
    assert again.destinations_for(CallForwardCondition.LINE_UNAVAILABLE) == [
        "4512345678",
        "201",
    ]
    assert again.timeouts_for(CallForwardCondition.NO_ANSWER) == ["20"]


async def test_call_forward_edit_refuses_mismatched_lists(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    bad = CallForwardConfiguration(
        enabled=[CallForwardCondition.BUSY],
        destinations={CallForwardCondition.BUSY: ["201"]},
        timeouts={CallForwardCondition.BUSY: ["10", "20"]},
    )
    count = emulator.request_count()
    with pytest.raises(SwitchboardInvalidInputError, match="1 destinations but 2"):
        await client.edit_call_forward_configuration("9", bad, server=SERVER)
    assert emulator.request_count() == count  # refused before sending


async def test_call_forward_state_get_and_set(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    assert await client.get_es_state("8", EsService.CALLFWD, server=SERVER) is (
        EsState.YES
    )
    await client.set_es_state("8", EsService.CALLFWD, EsState.NO, server=SERVER)
    assert emulator.extensions["8"].es["callfwd"] == "no"


async def test_recording_actions_follow_the_call(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    talking = next(c for c in emulator.calls.values() if c.recording == "off")
    number = talking.numbers[0]
    started = await client.start_recording(ext=number, server=SERVER)
    assert started.affected_calls == 1
    assert started.success == "Call status updated successfully."
    request = last(emulator)
    assert request.param("action") == "pbxware.recording.start"
    assert request.param("ext") == number
    assert talking.recording == "on"
    assert (await client.pause_recording(ext=number, server=SERVER)).affected_calls == 1
    assert talking.recording == "paused"
    assert (await client.pause_recording(ext=number, server=SERVER)).affected_calls == 0
    assert (
        await client.unpause_recording(ext=number, server=SERVER)
    ).affected_calls == 1
    stopped = await client.stop_recording(ext=number, server=SERVER)
    assert (stopped.affected_calls, talking.recording) == (1, "off")


async def test_recording_without_a_call_affects_nothing(client: PbxwareClient) -> None:
    answer = await client.start_recording(ext="201", server=SERVER)
    assert answer.affected_calls == 0
    assert answer.success == "No calls have been updated."


async def test_monitor_list(client: PbxwareClient, emulator: PbxwareEmulator) -> None:
    rows = {m.id: m for m in await client.list_monitor(server=SERVER)}
    assert set(rows) == set(emulator.extensions)
    assert rows["7"].dnd is True  # seeded with DND on
    assert rows["1"].dnd is False
    assert rows["4"].status is RegistrationStatus.OFFLINE
    assert sum(r.on_call for r in rows.values()) >= 2


async def test_live_calls(client: PbxwareClient, emulator: PbxwareEmulator) -> None:
    calls = await client.list_live_calls(server=SERVER)
    assert {c.id for c in calls} == set(emulator.calls)
    inbound = next(c for c in calls if c.from_ == "+4533129000")
    assert inbound.from_number == "+4533129000"
    assert inbound.to_number in {e.number for e in emulator.extensions.values()}
    assert inbound.started is not None


async def test_live_calls_when_nobody_talks(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    emulator.calls.clear()
    assert await client.list_live_calls(server=SERVER) == []


# One destination of each kind, by the key its lookup field takes.
_OTIMES_KEYS = {
    OtimesTarget.DID: "500",  # DID 3 routes to the IVR's number
    OtimesTarget.IVR: "2",
    OtimesTarget.DIAL_GROUP: "1",
    OtimesTarget.SERVERS: SERVER,
    OtimesTarget.ROUTES: "1",
    OtimesTarget.QUEUES: "601",
    OtimesTarget.ERG: "9",
}


@pytest.mark.parametrize("target", list(OtimesTarget))
async def test_operation_times_list_and_set_for_every_target(
    client: PbxwareClient, emulator: PbxwareEmulator, target: OtimesTarget
) -> None:
    key = _OTIMES_KEYS[target]
    entries = await client.list_operation_times(target, key, server=SERVER)
    request = last(emulator)
    assert request.param("action") == f"pbxware.otimes.{target.value}.list"
    assert request.param(OTIMES_LOOKUP_FIELD[target.value]) == key
    if target is OtimesTarget.ROUTES:
        assert entries == []  # no route has Operation Times: []
        return
    (entry,) = entries
    new_status = "off" if entry.status != "off" else "on"
    updated = await client.update_operation_times_status(
        target, key, new_status, server=SERVER
    )
    assert updated.status == new_status
    assert last(emulator).param("action") == f"pbxware.otimes.{target.value}.set"
    assert last(emulator).param("id") == entry.id
    (again,) = await client.list_operation_times(target, key, server=SERVER)
    assert again == entry.model_copy(update={"status": new_status})


async def test_operation_times_set_sends_php_bracket_arrays(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    (queue,) = await client.list_operation_times(
        OtimesTarget.QUEUES, "600", server=SERVER
    )
    assert queue.custom_destinations  # the lunch rule
    await client.update_operation_times_status(
        OtimesTarget.QUEUES, "600", "inherit", server=SERVER
    )
    request = last(emulator)
    assert request.param("id") == queue.id
    assert request.params("open_days") == [d.days for d in queue.open_days]
    assert ("open_days_desc[]", "Weekdays") in request.query
    assert request.params("closed_dates_date_from") == ["2026-12-24"]
    assert request.params("custom_destinations_is_open") == ["no"]
    assert request.param("default_dest_is_vm") == "yes"
    assert request.param("greeting") == queue.greeting


async def test_operation_times_set_alone_replaces_the_entry(
    client: PbxwareClient,
) -> None:
    """set is "the entire state": what is not sent is gone (hence read-modify-write)."""
    message = await client.set_operation_times(
        OtimesTarget.DID, "3", server=SERVER, status="on"
    )
    assert message == "Edited Operation Times successfully."
    (did,) = await client.list_operation_times(OtimesTarget.DID, "500", server=SERVER)
    assert (did.id, did.status, did.open_days, did.greeting) == ("3", "on", [], "")


async def test_operation_times_are_asked_for_one_destination(
    client: PbxwareClient,
) -> None:
    (erg,) = await client.list_operation_times(OtimesTarget.ERG, "9", server=SERVER)
    assert erg.id == "9"
    assert await client.list_operation_times(OtimesTarget.ERG, "1", server=SERVER) == []
    with pytest.raises(SwitchboardInvalidInputError, match="Name the erg destination"):
        await client.list_operation_times(OtimesTarget.ERG, "", server=SERVER)


async def test_dids_sharing_an_ext_are_told_apart_by_id(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    shared = emulator.dids["7"]["ext"]
    assert {d.id for d in await client.list_dids(server=SERVER, ext=shared)} == {
        "7",
        "8",
    }
    updated = await client.update_operation_times_status(
        OtimesTarget.DID, shared, "on", server=SERVER, dest_id="7"
    )
    assert (updated.id, updated.status) == ("7", "on")
    assert last(emulator).param("id") == "7"
    with pytest.raises(SwitchboardNotFoundError, match="did 8"):
        await client.update_operation_times_status(
            OtimesTarget.DID, shared, "on", server=SERVER, dest_id="8"
        )


async def test_list_dids_reads_the_manual_fields(client: PbxwareClient) -> None:
    dids = {d.id: d for d in await client.list_dids(server=SERVER)}
    assert set(dids) == {"3", "4", "7", "8"}
    assert (dids["4"].number, dids["4"].type, dids["4"].ext) == (
        "4570305051",
        "Queues",
        "600",
    )
    assert dids["4"].status == "enabled"


async def test_update_of_a_missing_destination_is_not_found(
    client: PbxwareClient,
) -> None:
    with pytest.raises(SwitchboardNotFoundError, match="ivr 77"):
        await client.update_operation_times_status(
            OtimesTarget.IVR, "77", "on", server=SERVER
        )


async def test_download_cdrs_one_page(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    today = datetime.now(tz=UTC).date()
    start = date.fromordinal(today.toordinal() - 30)
    page = await client.download_cdrs(start, today, server=SERVER, limit=10)
    request = last(emulator)
    assert request.param("start") == start.strftime("%b-%d-%Y")
    assert request.param("limit") == "10"
    assert page.limit == 10
    assert len(page.rows) == page.records == 10
    assert page.next_page is True
    assert "Rating Cost" not in page.header
    assert all(r.rating_cost is None for r in page.rows)


async def test_iter_cdrs_follows_next_page(
    client: PbxwareClient, emulator: PbxwareEmulator
) -> None:
    today = datetime.now(tz=UTC).date()
    start = date.fromordinal(today.toordinal() - 30)
    records = [r async for r in client.iter_cdrs(start, today, server=SERVER, limit=25)]
    assert [r.unique_id for r in records] == [c.uniqueid for c in emulator.cdrs]
    pages = [
        r.param("page")
        for r in emulator.requests
        if r.param("action") == "pbxware.cdr.download"
    ]
    assert pages == ["1", "2", "3"]


async def test_iter_cdrs_stops_at_max_pages(client: PbxwareClient) -> None:
    today = datetime.now(tz=UTC).date()
    start = date.fromordinal(today.toordinal() - 30)
    records = [
        r
        async for r in client.iter_cdrs(
            start, today, server=SERVER, limit=5, max_pages=2
        )
    ]
    assert len(records) == 10


async def test_cdrs_in_billing_mode_carry_the_rating_columns(sleeps: Sleeps) -> None:
    from switchboard.plugins.pbxware.emulator import PbxwareEmulator  # noqa: PLC0415

    emulator = PbxwareEmulator(billing_mode=True)
    client = make_client(emulator, sleeps)
    today = datetime.now(tz=UTC).date()
    page = await client.download_cdrs(
        date.fromordinal(today.toordinal() - 30), today, server=SERVER, ext="201"
    )
    assert "Rating Cost" in page.header
    assert all(r.rating_cost is not None for r in page.rows)
    assert all("(201)" in r.from_ for r in page.rows)
    await client.transport.client.aclose()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": date(2026, 2, 2), "end": date(2026, 2, 1)}, "before the start"),
        ({"limit": 1001}, "1 to 1000"),
        ({"page": 0}, "start at 1"),
        ({"ext": "201", "trunk": "3"}, "not both"),
    ],
)
async def test_download_cdrs_checks_its_input(
    client: PbxwareClient,
    emulator: PbxwareEmulator,
    kwargs: dict[str, Any],
    message: str,
) -> None:
    arguments: dict[str, object] = {"start": date(2026, 2, 1), "end": date(2026, 2, 2)}
    arguments.update(kwargs)
    with pytest.raises(SwitchboardInvalidInputError, match=message):
        await client.download_cdrs(server=SERVER, **arguments)  # type: ignore[arg-type]
    assert emulator.request_count() == 0


async def test_setters_can_be_sent_as_post(
    client: PbxwareClient, emulator: PbxwareEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P6: if setters move to POST, the same arguments go in the form body."""
    monkeypatch.setattr(client_base, "SETTER_METHOD", "POST")
    await client.update_operation_times_status(
        OtimesTarget.DID, "600", "off", server=SERVER, dest_id="4"
    )
    request = last(emulator)
    assert request.method == "POST"
    assert request.form_items()[0] == ("action", "pbxware.otimes.did.set")
    assert request.params("open_days") == ["1,2,3,4,5"]
    assert emulator.operation_times["did"]["4"]["status"] == "off"
    assert emulator.operation_times["did"]["4"]["open_days"]


async def test_the_manual_sample_path_works_too(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    """The emulator also answers on "/" like the manual's sample request."""
    client = make_client(emulator, sleeps)
    response = await client.transport.request(
        "GET",
        "/",
        idempotent=True,
        params={"action": "pbxware.ext.list", "server": "1"},
    )
    assert len(response.json()) == 24
    await client.transport.client.aclose()


async def test_owned_http_client_is_closed_borrowed_one_is_not(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> None:
    from switchboard.plugins.pbxware.client import PbxwareClient  # noqa: PLC0415

    async with PbxwareClient("http://pbx.example.com", "k" * 12) as owned:
        http = owned.transport.client
    assert http.is_closed
    borrowed = make_client(emulator, sleeps)
    await borrowed.aclose()
    assert not borrowed.transport.client.is_closed
    await borrowed.transport.client.aclose()


async def test_call_forward_edit_refuses_commas_inside_items(
    client: PbxwareClient,
) -> None:
    bad = CallForwardConfiguration(
        enabled=[CallForwardCondition.BUSY],
        destinations={CallForwardCondition.BUSY: ["201,202"]},
    )
    with pytest.raises(SwitchboardInvalidInputError, match="cannot contain commas"):
        await client.edit_call_forward_configuration("9", bad, server=SERVER)
