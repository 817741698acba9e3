"""Every TelecomX client method against the emulator: request shape and parsed answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from switchboard.core.errors import (
    SwitchboardConfigError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
)
from switchboard.plugins.telecomx.client import TelecomXClient
from switchboard.plugins.telecomx.const import PRESENCE_FIELD, TOKEN_QUERY_PARAM
from switchboard.plugins.telecomx.emulator import DEMO_API_TOKEN
from switchboard.plugins.telecomx.models import (
    BusyUpdate,
    GotoRef,
    NoAnswerUpdate,
    PhoneType,
    PresenceState,
    RecordingMode,
)

from .conftest import BASE_URL, FAST_RETRY

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import httpx

    from switchboard.plugins.telecomx.emulator import TelecomXEmulator

BAD_IDS = ["101", "12345678901234567890ABC", "zz345678901234567890ABCD", ""]


def first_ext(emulator: TelecomXEmulator) -> str:
    return next(iter(emulator.tenant.extensions))


def ext_with_call(emulator: TelecomXEmulator) -> str:
    return str(emulator.tenant.calls[0]["extension"])


async def test_token_travels_as_query_parameter(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """T1: the token is the `token` query parameter of every request."""
    await client.get_settings()
    assert emulator.requests[-1].param(TOKEN_QUERY_PARAM) == DEMO_API_TOKEN


async def test_get_settings(client: TelecomXClient, emulator: TelecomXEmulator) -> None:
    settings = await client.get_settings()
    assert settings.id == emulator.customer_id
    assert settings.recording is not None
    assert settings.recording.mode is RecordingMode.DEMAND
    assert emulator.requests[-1].path == "/pbx/settings"


async def test_get_settings_of_a_customer_needs_a_reseller(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """403 access_denied is a permission error: no reauth."""
    with pytest.raises(SwitchboardPermissionError) as caught:
        await client.get_settings(emulator.customer_id)
    assert caught.value.reauth_needed is False
    assert "access_denied" in caught.value.message
    assert emulator.requests[-1].path == f"/pbx/settings/{emulator.customer_id}"


async def test_get_settings_of_a_customer_as_reseller(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    token = emulator.issue_token("RESELLER")
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr(token), http_client=http
    ) as reseller:
        settings = await reseller.get_settings(emulator.customer_id)
        assert settings.id == emulator.customer_id
        with pytest.raises(SwitchboardNotFoundError) as caught:
            await reseller.get_settings("ab" * 12)
        assert "customer" in caught.value.message


async def test_get_extension_plain(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = first_ext(emulator)
    ext = await client.get_extension(ext_id)
    assert ext.id == ext_id
    assert ext.number == "101"
    assert ext.phones is None
    assert ext.no_answer is not None
    assert ext.no_answer.timeout == 30
    assert emulator.requests[-1].param("includePhones") is None


async def test_get_extension_with_phones_and_expanded_gotos(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = list(emulator.tenant.extensions)[2]  # seeded with busy → GOTO menu
    ext = await client.get_extension(ext_id, expand_goto=True, include_phones=True)
    assert ext.phones
    assert ext.phones[0].type is PhoneType.SIP
    assert [p.id for p in ext.phones] == [
        p["_id"] for p in emulator.tenant.phones[ext_id]
    ]
    assert ext.busy is not None
    assert isinstance(ext.busy.ext_goto, GotoRef)
    assert ext.busy.ext_goto.name == "Hovedmenu"
    request = emulator.requests[-1]
    assert request.param("expandGoto") == "true"
    assert request.param("includePhones") == "true"


async def test_unknown_extension_is_not_found(client: TelecomXClient) -> None:
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.get_extension("ab" * 12)
    assert caught.value.status_code == 404


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_malformed_ids_never_reach_the_pbx(
    client: TelecomXClient, emulator: TelecomXEmulator, bad: str
) -> None:
    """24-hex ids are checked before any request."""
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.get_extension(bad),
        lambda: client.set_redirect(bad, None),
        lambda: client.set_ondemand_recording(bad, enabled=True),
        lambda: client.set_phone_dnd(bad, PhoneType.SIP, "a" * 24, state=True),
        lambda: client.set_phone_dnd("a" * 24, PhoneType.SIP, bad, state=True),
        lambda: client.call(bad, "+4570305050"),
        lambda: client.set_employee_presence(bad, PresenceState.WORK),
        lambda: client.get_settings(bad),
        lambda: client.list_employees(ids=[bad]),
    ]
    for call in calls:
        with pytest.raises(SwitchboardInvalidInputError) as caught:
            await call()
        assert "24 hexadecimal" in caught.value.message
    assert emulator.requests == []


async def test_update_extension_no_answer_and_busy(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = first_ext(emulator)
    updated = await client.update_extension(
        ext_id,
        no_answer=NoAnswerUpdate(
            timeout=20, ext_action="NUMBER", ext_number="+4520000000"
        ),
        busy=BusyUpdate(int_action="VOICEMAIL"),
    )
    assert updated.no_answer is not None
    assert updated.no_answer.timeout == 20
    assert updated.no_answer.ext_action == "NUMBER"
    assert updated.no_answer.int_action == "VOICEMAIL"  # untouched field kept
    assert updated.busy is not None
    assert updated.busy.int_action == "VOICEMAIL"
    request = emulator.requests[-1]
    assert request.method == "POST"
    assert request.json() == {
        "noAnswer": {"timeout": 20, "extAction": "NUMBER", "extNumber": "+4520000000"},
        "busy": {"intAction": "VOICEMAIL"},
    }
    again = await client.get_extension(ext_id)
    assert again.no_answer is not None
    assert again.no_answer.timeout == 20


@pytest.mark.parametrize("seconds", [0, 4, 61, 600])
async def test_no_answer_timeout_is_checked_client_side(
    client: TelecomXClient, emulator: TelecomXEmulator, seconds: int
) -> None:
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await client.update_extension(
            first_ext(emulator), no_answer=NoAnswerUpdate(timeout=seconds)
        )
    assert "5-60 seconds" in caught.value.message
    assert emulator.requests == []


async def test_update_extension_needs_something_to_change(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await client.update_extension(first_ext(emulator))
    assert emulator.requests == []


async def test_personal_users_may_not_change_busy_handling(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    token = emulator.issue_token("PERSONAL")
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr(token), http_client=http
    ) as me:
        with pytest.raises(SwitchboardPermissionError):
            await me.update_extension(
                first_ext(emulator), busy=BusyUpdate(ext_action="BUSY")
            )


@pytest.mark.parametrize("state", [True, False])
async def test_set_phone_dnd_sends_an_explicit_state(
    client: TelecomXClient, emulator: TelecomXEmulator, state: bool
) -> None:
    ext_id = first_ext(emulator)
    phone = emulator.tenant.phones[ext_id][0]
    for _ in range(2):  # twice: an explicit state never toggles back
        result = await client.set_phone_dnd(
            ext_id, PhoneType.SIP, phone["_id"], state=state
        )
        assert result.dnd is state
    assert phone["dnd"] is state
    request = emulator.requests[-1]
    assert request.path == f"/pbx/extension/{ext_id}/dnd"
    assert request.param("sip") == phone["_id"]
    assert request.param("state") == ("true" if state else "false")


async def test_set_phone_dnd_names_the_phone_by_kind(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = first_ext(emulator)
    mobile = emulator.tenant.phones[ext_id][1]
    assert mobile["type"] == "MVNO"
    await client.set_phone_dnd(ext_id, PhoneType.MVNO, mobile["_id"], state=True)
    request = emulator.requests[-1]
    assert request.param("mvno") == mobile["_id"]
    assert request.param("sip") is None
    with pytest.raises(SwitchboardInvalidInputError):
        await client.set_phone_dnd(ext_id, PhoneType.UNKNOWN, mobile["_id"], state=True)


async def test_set_redirect_on_and_off(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = first_ext(emulator)
    on = await client.set_redirect(ext_id, "+45 20 12 34 56")
    assert (on.state, on.number) == (True, "+4520123456")
    assert emulator.tenant.extensions[ext_id]["redirect"] == "+4520123456"
    assert emulator.requests[-1].param("enable") == "true"
    off = await client.set_redirect(ext_id, None)
    assert (off.state, off.number) == (False, None)
    assert emulator.requests[-1].param("enable") == "false"
    assert emulator.requests[-1].param("number") is None


@pytest.mark.parametrize("number", ["", "call me", "+45-2012", "1"])
async def test_set_redirect_refuses_non_numbers(
    client: TelecomXClient, emulator: TelecomXEmulator, number: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await client.set_redirect(first_ext(emulator), number)
    assert emulator.requests == []


async def test_call_places_a_call(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = first_ext(emulator)
    device = emulator.tenant.phones[ext_id][0]["_id"]
    before = len(emulator.tenant.calls)
    result = await client.call(device, "+4570305050")
    assert result.success is True
    assert result.id is not None
    assert result.id.startswith("pbx4.telecomx.dk:")
    assert len(emulator.tenant.calls) == before + 1
    assert emulator.tenant.calls[-1]["extension"] == ext_id
    request = emulator.requests[-1]
    assert (request.param("device"), request.param("target")) == (device, "+4570305050")


async def test_call_to_an_extension_id(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_ids = list(emulator.tenant.extensions)
    device = emulator.tenant.phones[ext_ids[0]][0]["_id"]
    result = await client.call(device, ext_ids[3])
    assert result.success
    assert emulator.tenant.calls[-1]["calledNumber"] == "104"


async def test_call_with_unknown_device_names_the_field(
    client: TelecomXClient,
) -> None:
    """422 device → invalid input naming the field."""
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await client.call("ab" * 12, "+4570305050")
    assert "'device'" in caught.value.message
    assert caught.value.status_code == 422


async def test_ondemand_recording_enable_and_disable(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_with_call(emulator)
    started = await client.set_ondemand_recording(ext_id, enabled=True)
    assert (started.success, started.mode) == (True, "ENABLE")
    assert emulator.tenant.calls[0]["recording"]
    assert emulator.requests[-1].param("mode") == "ENABLE"
    stopped = await client.set_ondemand_recording(ext_id, enabled=False)
    assert stopped.mode == "DISABLE"
    assert emulator.tenant.calls[0]["recording"] is False
    assert all(r.param("mode") != "TOGGLE" for r in emulator.requests)


async def test_ondemand_recording_without_a_call_is_not_found(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """404 calls = no ongoing call."""
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.set_ondemand_recording(first_ext(emulator), enabled=True)
    assert "no call in progress" in caught.value.message


async def test_stopping_a_call_that_is_not_recorded_is_a_conflict(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """409 calls = not recording."""
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await client.set_ondemand_recording(ext_with_call(emulator), enabled=False)
    assert caught.value.status_code == 409
    assert "not being recorded" in caught.value.message


async def test_switches_list_get_set(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    switches = await client.list_switches()
    names = {s.name for s in switches}
    assert {"DAYNIGHT", "SHARED:SUPPORT_OPEN"} <= names
    one = await client.get_switch("SHARED:SUPPORT_OPEN")
    assert one.value is True
    changed = await client.set_switch("SHARED:SUPPORT_OPEN", value=False)
    assert changed.value is False
    assert emulator.requests[-1].param("value") == "false"
    assert (await client.get_switch("SHARED:SUPPORT_OPEN")).value is False


async def test_switches_of_own_customer(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    switches = await client.list_switches(emulator.customer_id)
    assert switches
    assert emulator.requests[-1].param("customer") == emulator.customer_id


@pytest.mark.parametrize("name", ["", "has space", "x" * 51, "OTHER:NAME", "a/b"])
async def test_bad_switch_names_never_reach_the_pbx(
    client: TelecomXClient, emulator: TelecomXEmulator, name: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await client.set_switch(name, value=True)
    with pytest.raises(SwitchboardInvalidInputError):
        await client.get_switch(name)
    assert emulator.requests == []


async def test_unknown_switch_is_not_found(client: TelecomXClient) -> None:
    with pytest.raises(SwitchboardNotFoundError):
        await client.get_switch("NO_SUCH_SWITCH")


async def test_personal_user_may_not_set_a_system_switch(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    token = emulator.issue_token("PERSONAL")
    async with TelecomXClient(
        BASE_URL, api_token=SecretStr(token), http_client=http
    ) as me:
        with pytest.raises(SwitchboardPermissionError):
            await me.set_switch("DAYNIGHT", value=False)
        shared = await me.set_switch("SHARED:LUNCH", value=True)
        assert shared.value is True


async def test_list_employees_with_calls(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    records = await client.list_employees(calls=True)
    employees = [r for r in records if r.type == "EMPLOYEE"]
    standalone = [r for r in records if r.type == "EXTENSION"]
    assert len(employees) == len(emulator.tenant.employees)
    assert len(standalone) == 2
    assert all(r.presence is not None for r in employees)
    assert sum(len(r.calls) for r in records) == len(emulator.tenant.calls)
    assert all(ext.phones for r in employees for ext in r.extensions)
    request = emulator.requests[-1]
    assert (request.param("calls"), request.param("standalone")) == ("true", "true")


async def test_list_employees_by_id(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    wanted = list(emulator.tenant.employees)[:2]
    records = await client.list_employees(ids=wanted)
    assert [r.id for r in records] == wanted
    assert records[0].calls == []  # calls were not asked for
    assert emulator.requests[-1].params("ids") == wanted


async def test_set_employee_presence(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """T2: the presence goes out in PRESENCE_FIELD and shows in later reads."""
    employee_id = next(iter(emulator.tenant.employees))
    result = await client.set_employee_presence(employee_id, PresenceState.HOLIDAY)
    assert result.presence is PresenceState.HOLIDAY
    assert emulator.requests[-1].json() == {PRESENCE_FIELD: "HOLIDAY"}
    records = await client.list_employees(ids=[employee_id])
    assert records[0].presence is PresenceState.HOLIDAY
    with pytest.raises(SwitchboardInvalidInputError):
        await client.set_employee_presence(employee_id, PresenceState.UNKNOWN)


async def test_unknown_employee_is_not_found(client: TelecomXClient) -> None:
    with pytest.raises(SwitchboardNotFoundError):
        await client.set_employee_presence("ab" * 12, PresenceState.WORK)


def test_client_needs_credentials() -> None:
    with pytest.raises(SwitchboardConfigError) as caught:
        TelecomXClient(BASE_URL)
    assert "API token" in caught.value.message
    with pytest.raises(SwitchboardConfigError):
        TelecomXClient(BASE_URL, username="someone")


async def test_owned_http_client_is_closed_borrowed_is_not(
    http: httpx.AsyncClient,
) -> None:
    """aclose() closes only a client the TelecomX client created."""
    borrowed = TelecomXClient(BASE_URL, api_token=SecretStr("x" * 20), http_client=http)
    await borrowed.aclose()
    assert not http.is_closed
    owned = TelecomXClient(BASE_URL, api_token=SecretStr("x" * 20), retry=FAST_RETRY)
    await owned.aclose()
    assert owned.transport.client.is_closed
