"""The Telphin backend: capabilities, request cost, DND via call statuses, dial, forward."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr, ValidationError

from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import RecordingAction
from switchboard.plugins.telphin import PLUGIN, TelphinSettings
from switchboard.plugins.telphin.backend import TelphinBackend, TelphinDndBackend
from switchboard.plugins.telphin.emulator import CLIENT_ID, TelphinEmulator

from .conftest import FakeClock, api_requests, emulator_http, make_backend

if TYPE_CHECKING:
    import httpx


DND_ID = 302
AVAILABLE_ID = 301
LUNCH_ID = 303


def ids(emulator: TelphinEmulator) -> list[str]:
    return [str(i) for i in emulator.extensions]


# -- settings and capabilities -------------------------------------------------------


def test_settings_defaults_and_cleanup() -> None:
    settings = TelphinSettings(
        client_id=" app ", client_secret=SecretStr("s3cr3t-value")
    )
    assert settings.url == "https://apiproxy.telphin.ru"
    assert settings.client_id == "app"
    assert settings.dnd_call_status is None
    assert "s3cr3t-value" not in repr(settings)
    pasted = TelphinSettings(
        url="https://altapi.telphin.ru/api/ver1.0/",
        client_id="a",
        client_secret=SecretStr("x"),
        dnd_call_status="  ",
    )
    assert pasted.url == "https://altapi.telphin.ru"
    assert pasted.dnd_call_status is None
    assert TelphinSettings.secret_field_names() == ["client_secret"]


def test_settings_refuse_bad_input() -> None:
    with pytest.raises(ValidationError):
        TelphinSettings(url="ftp://x", client_id="a", client_secret=SecretStr("x"))
    with pytest.raises(ValidationError):
        TelphinSettings(client_id="  ", client_secret=SecretStr("x"))


def test_dnd_is_declared_only_with_a_call_status(http: httpx.AsyncClient) -> None:
    with_dnd = make_backend(http)
    without = make_backend(http, dnd_call_status=None)
    assert isinstance(with_dnd, TelphinDndBackend)
    assert with_dnd.supports(Capability.DND)
    assert type(without) is TelphinBackend
    assert not without.supports(Capability.DND)
    common = {
        Capability.STATUS,
        Capability.FORWARD,
        Capability.DIAL,
        Capability.LIVE_CALLS,
        Capability.PUSH,  # webhooks, once a front-end gives a URL
    }
    assert without.capabilities == frozenset(common)
    assert with_dnd.capabilities == frozenset(common | {Capability.DND})


async def test_unsupported_reasons_are_plain_words(http: httpx.AsyncClient) -> None:
    backend = make_backend(http, dnd_call_status=None)
    with pytest.raises(SwitchboardUnsupportedError) as recording:
        await backend.record("1", RecordingAction.START)
    assert recording.value.message == (
        "Telphin can only switch recording on or off for future calls, not for the call in progress."
    )
    with pytest.raises(SwitchboardUnsupportedError) as flows:
        await backend.list_flows()
    assert flows.value.message == "Day/night switching is not available for Telphin."
    with pytest.raises(SwitchboardUnsupportedError) as dnd:
        await backend.set_dnd("1", enabled=True)
    assert "dnd_call_status" in dnd.value.message
    for capability in (
        Capability.OFFICE_HOURS,
        Capability.DND_TIMED,
        Capability.PRESENCE,
    ):
        assert "Telphin" in backend.unsupported(capability).message


async def test_account_info(backend: TelphinBackend) -> None:
    info = await backend.account_info()
    # The host is in the id: the same client id at another Ringme operator is
    # another account.
    assert info.unique_id == f"telphin.emulator.test#{CLIENT_ID}"
    assert info.name == "Nordlys Logistics"
    assert info.vendor == PLUGIN.name


# -- STATUS and its cost ---------------------------------------------------------------


@pytest.mark.parametrize(("count", "cost"), [(10, 3), (99, 3), (250, 7), (1000, 23)])
async def test_bulk_refresh_without_dnd_reads_only_the_lists(
    clock: FakeClock, count: int, cost: int
) -> None:
    """Pages of 100: (N // 100 + 1) extension pages, as many registration pages, 1 calls.

    Without a DND call status no phone and no call-status list is read, on the
    first refresh or any later one (test_phone_cache.py covers the DND backend).
    """
    emulator = TelphinEmulator(count, clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http, dnd_call_status=None)
        for _ in range(3):
            before = api_requests(emulator)
            statuses = await backend.get_statuses()
            assert api_requests(emulator) - before == cost
            assert len(statuses) == count
            assert all(s.dnd is None and s.forward_to is None for s in statuses)
    assert emulator.request_count("/phone/") == 0
    assert emulator.request_count("/call_status/") == 0


async def test_a_failing_bulk_read_leaves_no_request_running(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    await backend.list_extensions()
    emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardConnectionError):
        await backend.get_statuses()
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_statuses_reflect_registration_and_calls(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    statuses = {s.extension.id: s for s in await backend.get_statuses()}
    for ext_id, reg in emulator.registrations.items():
        assert statuses[str(ext_id)].registered is reg["registered"]
    talking = {str(c["extension_id"]) for c in emulator.current_calls}
    assert {i for i, s in statuses.items() if s.on_call} == talking
    assert len(talking) >= 2


async def test_named_statuses_read_dnd_and_forwarding(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    forwarded = ids(emulator)[7]
    emulator.phones[int(forwarded)]["call_status_id"] = DND_ID
    status = await backend.get_status(forwarded)
    assert status.forward_to == "+79876543210"
    assert status.dnd is True
    assert status.extension.number == "108"
    assert status.extension.name == emulator.extensions[int(forwarded)]["label"]
    # 3 bulk reads + the call-status list + one phone
    assert api_requests(emulator) == 5
    other = await backend.get_status(ids(emulator)[0])
    assert other.dnd is False
    assert api_requests(emulator) == 9  # the call-status list is cached


async def test_unknown_extension_status(backend: TelphinBackend) -> None:
    with pytest.raises(SwitchboardNotFoundError):
        await backend.get_status("999999")


async def test_find_extension_by_number(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    found = await backend.find_extension("103")
    assert found.id == ids(emulator)[2]


# -- DND via call statuses ---------------------------------------------------------------


async def test_dnd_remembers_and_restores_the_previous_status(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    lunch = ids(emulator)[5]
    assert emulator.phones[int(lunch)]["call_status_id"] == LUNCH_ID
    on = await backend.set_dnd(lunch, enabled=True)
    assert on.dnd is True
    assert emulator.phones[int(lunch)]["call_status_id"] == DND_ID
    again = await backend.set_dnd(lunch, enabled=True)  # already on: no write
    assert again.dnd is True
    off = await backend.set_dnd(lunch, enabled=False)
    assert off.dnd is False
    assert emulator.phones[int(lunch)]["call_status_id"] == LUNCH_ID
    assert emulator.request_count("/phone/") == 5  # 3 reads + 2 writes
    assert sum(1 for r in emulator.requests if r.method == "PUT") == 2


async def test_dnd_off_after_a_restart_clears_the_status(
    http: httpx.AsyncClient, emulator: TelphinEmulator
) -> None:
    ext = ids(emulator)[5]
    await make_backend(http).set_dnd(ext, enabled=True)
    restarted = make_backend(http)
    status = await restarted.set_dnd(ext, enabled=False)
    assert status.dnd is False
    assert emulator.phones[int(ext)]["call_status_id"] is None


async def test_available_call_status_is_assigned_when_dnd_goes_off(
    http: httpx.AsyncClient, emulator: TelphinEmulator
) -> None:
    backend = make_backend(http, available_call_status="available")
    ext = ids(emulator)[5]
    await backend.set_dnd(ext, enabled=True)
    await backend.set_dnd(ext, enabled=False)
    assert emulator.phones[int(ext)]["call_status_id"] == AVAILABLE_ID


async def test_dnd_off_when_it_is_not_on_changes_nothing(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    ext = ids(emulator)[5]
    status = await backend.set_dnd(ext, enabled=False)
    assert status.dnd is False
    assert emulator.phones[int(ext)]["call_status_id"] == LUNCH_ID
    assert not any(r.method == "PUT" for r in emulator.requests)


async def test_missing_dnd_call_status_is_a_config_error(
    http: httpx.AsyncClient, emulator: TelphinEmulator
) -> None:
    backend = make_backend(http, dnd_call_status="Nicht stören")
    with pytest.raises(SwitchboardConfigError) as caught:
        await backend.set_dnd(ids(emulator)[0], enabled=True)
    assert "'Nicht stören'" in caught.value.message
    assert "dnd_call_status" in caught.value.message
    assert "'do not disturb'" in caught.value.message
    assert not any(r.method == "PUT" for r in emulator.requests)


async def test_dnd_steps_are_not_retried(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    await backend.list_extensions()
    emulator.faults.server_errors = 1
    emulator.requests.clear()
    with pytest.raises(SwitchboardConnectionError):
        await backend.set_dnd(ids(emulator)[0], enabled=True)
    assert len(emulator.requests) == 1


# -- FORWARD, DIAL, LIVE_CALLS ------------------------------------------------------------


async def test_forward_round_trip(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    ext = ids(emulator)[0]
    status = await backend.set_forward(ext, "+45 70 30 50 50")
    assert status.forward_to == "+4570305050"
    assert emulator.phones[int(ext)]["external_number"] == "+4570305050"
    assert (await backend.set_forward(ext, None)).forward_to is None


@pytest.mark.parametrize(
    "bad", ["", "call me", "+", "12345678901234567890123456789012345"]
)
async def test_bad_numbers_are_refused_before_any_request(
    backend: TelphinBackend, emulator: TelphinEmulator, bad: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await backend.dial(ids(emulator)[0], bad)
    with pytest.raises(SwitchboardInvalidInputError):
        await backend.set_forward(ids(emulator)[0], bad)
    assert emulator.requests == []


async def test_dial_rings_the_extension_then_the_destination(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    ext = ids(emulator)[0]
    before = len(await backend.list_calls())
    result = await backend.dial(ext, "+4570305050")
    assert result.call_id
    assert "101" in result.message
    post = next(
        r
        for r in emulator.requests
        if r.method == "POST" and r.path.endswith("/callback/")
    )
    assert post.json() == {"src_num": ["00214*101"], "dst_num": "+4570305050"}
    calls = await backend.list_calls()
    assert len(calls) == before + 1
    new = next(c for c in calls if c.id == result.call_id)
    assert new.extension_id == ext
    assert new.to_number == "+4570305050"
    assert new.answered is False


async def test_dial_from_an_unknown_extension(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    with pytest.raises(SwitchboardNotFoundError):
        await backend.dial("999999", "+4570305050")
    assert emulator.request_count("/callback/") == 0


async def test_list_calls_maps_the_wire_fields(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    calls = {c.id: c for c in await backend.list_calls()}
    incoming = next(c for c in emulator.current_calls if c["call_flow"] == "in")
    call = calls[incoming["call_api_id"]]
    assert call.from_number == "+74951234567"
    assert call.to_number == "101"
    assert call.answered is True
    assert call.extension_id == str(incoming["extension_id"])
    assert call.started is not None
    assert call.started.tzinfo is UTC
    assert call.started < datetime.now(UTC)


async def test_repr_names_no_secret(backend: TelphinBackend) -> None:
    await backend.list_extensions()
    text = repr(backend)
    assert "Telphin" in text
    assert "tph-demo-secret" not in text
