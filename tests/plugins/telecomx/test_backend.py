"""The TelecomX backend: capability mapping onto the client, against the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import ForwardCondition, Presence, RecordingAction
from switchboard.core.registry import get_vendor
from switchboard.plugins.telecomx import PLUGIN, TelecomXBackend
from switchboard.plugins.telecomx.const import PRESENCE_FIELD
from switchboard.plugins.telecomx.emulator import DEMO_API_TOKEN, TelecomXEmulator
from switchboard.plugins.telecomx.settings import TelecomXSettings

from .conftest import BASE_URL, FAST_RETRY, asgi_client

if TYPE_CHECKING:
    from switchboard.plugins.telecomx.emulator_seed import Tenant


def ext_ids(tenant: Tenant) -> list[str]:
    return list(tenant.extensions)


# -- status ------------------------------------------------------------------


async def test_list_extensions_covers_employees_and_standalone(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    extensions = await backend.list_extensions()
    assert {e.id for e in extensions} == set(emulator.tenant.extensions)
    first = extensions[0]
    assert first.number == "101"
    assert first.email is not None
    assert first.email.endswith("@fjordside-revision.dk")
    reception = next(e for e in extensions if e.name == "Reception")
    assert reception.email is None


async def test_statuses_follow_phones_calls_and_presence(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    tenant = emulator.tenant
    statuses = {s.extension.id: s for s in await backend.get_statuses()}
    for ext_id, phones in tenant.phones.items():
        status = statuses[ext_id]
        assert status.registered is any(p["online"] for p in phones)
        assert status.dnd_phones_total == len(phones)
        assert status.dnd_phones_on == sum(p["dnd"] for p in phones)
        assert status.dnd is all(p["dnd"] for p in phones)
        assert status.forward_to == tenant.extensions[ext_id]["redirect"]
    talking = {c["extension"] for c in tenant.calls}
    assert {i for i, s in statuses.items() if s.on_call} == talking
    assert len(talking) >= 2
    for employee in tenant.employees.values():
        (ext_id,) = employee["extensions"]
        presence = statuses[ext_id].presence
        assert presence is not None
        assert presence.name == employee[PRESENCE_FIELD]
    standalone = [i for i, e in tenant.extensions.items() if e["employee"] is None]
    assert all(statuses[i].presence is None for i in standalone)


async def test_partial_dnd_is_counted_per_phone(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    """The seed has an extension with DND on its first phone only."""
    partial = await backend.get_status(ext_ids(emulator.tenant)[4])
    assert partial.dnd_phones_on == 1
    assert partial.dnd_phones_total is not None
    if partial.dnd_phones_total > 1:
        assert partial.dnd is False


@pytest.mark.parametrize("size", [10, 300])
async def test_status_costs_one_request_whatever_the_size(size: int) -> None:
    """The bulk call: one request for 10 or 300 extensions."""
    emulator = TelecomXEmulator(extensions=size)
    settings = PLUGIN.demo_settings(BASE_URL)
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http) as backend,
    ):
        statuses = await backend.get_statuses()
        assert len(statuses) == size
        assert emulator.request_count() == 1
        one = await backend.get_status(statuses[-1].extension.id)
        assert one.extension == statuses[-1].extension
        # One extension: plus its busy / no-answer forwarding rules.
        assert emulator.request_count() == 3


async def test_unknown_extension_status_is_not_found(backend: TelecomXBackend) -> None:
    with pytest.raises(SwitchboardNotFoundError):
        await backend.get_status("ab" * 12)


# -- DND ---------------------------------------------------------------------


async def test_dnd_switches_every_phone(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    phones = emulator.tenant.phones[ext_id]
    assert len(phones) >= 2
    status = await backend.set_dnd(ext_id, enabled=True)
    assert status.dnd is True
    assert status.dnd_phones_on == len(phones)
    assert all(p["dnd"] for p in phones)
    dnd_requests = [r for r in emulator.requests if r.path.endswith("/dnd")]
    assert len(dnd_requests) == len(phones)
    assert all(r.param("state") == "true" for r in dnd_requests)


async def test_dnd_uses_the_known_phones_without_an_extra_read(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    """After a status read, a DND switch starts with the write itself."""
    await backend.get_statuses()
    emulator.requests.clear()
    ext_id = ext_ids(emulator.tenant)[0]
    await backend.set_dnd(ext_id, enabled=True)
    assert emulator.requests[0].path == f"/pbx/extension/{ext_id}/dnd"


async def test_dnd_copes_with_a_removed_phone(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    await backend.list_extensions()  # remembers two phones
    removed = emulator.tenant.phones[ext_id].pop(0)
    status = await backend.set_dnd(ext_id, enabled=True)
    assert status.dnd is True
    assert status.dnd_phones_total == len(emulator.tenant.phones[ext_id])
    assert removed["_id"] not in {p["_id"] for p in emulator.tenant.phones[ext_id]}


async def test_dnd_catches_a_phone_added_since_the_last_look(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    await backend.list_extensions()
    added = {"_id": "ab" * 12, "type": "EXTERNAL", "online": True, "dnd": False}
    emulator.tenant.phones[ext_id].append(added)
    status = await backend.set_dnd(ext_id, enabled=True)
    assert added["dnd"] is True
    assert status.dnd is True


async def test_dnd_on_an_extension_without_phones(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    emulator.tenant.phones[ext_id].clear()
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await backend.set_dnd(ext_id, enabled=True)
    assert "no phones" in caught.value.message


# -- presence, forward ---------------------------------------------------------


@pytest.mark.parametrize("presence", list(Presence))
async def test_presence_round_trip(
    backend: TelecomXBackend, emulator: TelecomXEmulator, presence: Presence
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    status = await backend.set_presence(ext_id, presence)
    assert status.presence is presence
    employee = emulator.tenant.extensions[ext_id]["employee"]
    assert emulator.tenant.employees[employee][PRESENCE_FIELD] == presence.name


async def test_presence_of_a_standalone_extension_is_refused(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    reception = next(
        i for i, e in emulator.tenant.extensions.items() if e["employee"] is None
    )
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await backend.set_presence(reception, Presence.BUSY)
    assert "not linked to an employee" in caught.value.message


async def test_forward_round_trip(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[1]
    status = await backend.set_forward(ext_id, "+4520304050")
    assert status.forward_to == "+4520304050"
    assert (await backend.set_forward(ext_id, None)).forward_to is None
    assert emulator.tenant.extensions[ext_id]["redirect"] is None


# -- dial, recording, calls ----------------------------------------------------


async def test_dial_rings_the_first_sip_phone(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    sip = next(p for p in emulator.tenant.phones[ext_id] if p["type"] == "SIP")
    result = await backend.dial(ext_id, "+4570305050")
    assert result.call_id == emulator.tenant.calls[-1]["_id"]
    assert emulator.requests[-1].param("device") == sip["_id"]
    calls = await backend.list_calls()
    assert any(c.id == result.call_id and c.to_number == "+4570305050" for c in calls)


async def test_dial_without_a_sip_phone_is_explained(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    for phone in emulator.tenant.phones[ext_id]:
        phone["type"] = "MVNO"
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await backend.dial(ext_id, "+4570305050")
    assert "no SIP phone" in caught.value.message


async def test_recording_start_stop_and_stop_again(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = emulator.tenant.calls[0]["extension"]
    started = await backend.record(ext_id, RecordingAction.START)
    assert (started.action, started.affected_calls) == (RecordingAction.START, 1)
    assert emulator.tenant.calls[0]["recording"] is True
    stopped = await backend.record(ext_id, RecordingAction.STOP)
    assert stopped.affected_calls == 1
    again = await backend.record(ext_id, RecordingAction.STOP)
    assert again.affected_calls == 0
    assert "not being recorded" in again.message


async def test_recording_without_a_call(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await backend.record(ext_ids(emulator.tenant)[0], RecordingAction.START)
    assert "no call in progress" in caught.value.message


@pytest.mark.parametrize("action", [RecordingAction.PAUSE, RecordingAction.RESUME])
async def test_pause_is_unsupported_in_plain_words(
    backend: TelecomXBackend, emulator: TelecomXEmulator, action: RecordingAction
) -> None:
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.record(emulator.tenant.calls[0]["extension"], action)
    assert caught.value.message == (
        "TelecomX can start and stop recording a call, but cannot pause it."
    )
    assert emulator.requests == []


async def test_live_calls(backend: TelecomXBackend, emulator: TelecomXEmulator) -> None:
    calls = await backend.list_calls()
    assert {c.id for c in calls} == {c["_id"] for c in emulator.tenant.calls}
    for seeded in emulator.tenant.calls:
        call = next(c for c in calls if c.id == seeded["_id"])
        assert call.extension_id == seeded["extension"]
        assert (call.from_number, call.to_number) == (
            seeded["callerNumber"],
            seeded["calledNumber"],
        )
        assert call.started is not None
        assert call.answered is True
    directions = {c["direction"] for c in emulator.tenant.calls}
    assert directions == {"IN", "OUT"}


# -- flows, account, capabilities ---------------------------------------------


async def test_flows_are_switches(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    flows = {f.id: f for f in await backend.list_flows()}
    assert flows["DAYNIGHT"].active is True
    assert flows["DAYNIGHT"].name == "Dag/nat: åbent for opkald"
    changed = await backend.set_flow("DAYNIGHT", active=False)
    assert changed.active is False
    assert emulator.tenant.switches["DAYNIGHT"]["value"] is False


async def test_account_info_is_one_cheap_request(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    info = await backend.account_info()
    assert info.unique_id == emulator.customer_id
    assert info.name == "TelecomX +4570305050"
    assert [r.path for r in emulator.requests] == ["/pbx/settings"]


@pytest.mark.parametrize(
    ("capability", "words"),
    [
        (Capability.OFFICE_HOURS, "read-only"),
        (Capability.DND_TIMED, "cannot switch do-not-disturb off by itself"),
        (Capability.RECORDING_PAUSE, "cannot pause"),
    ],
)
async def test_unsupported_capabilities(
    backend: TelecomXBackend, capability: Capability, words: str
) -> None:
    assert not backend.supports(capability)
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        backend.require(capability)
    assert words in caught.value.message


def test_plugin_is_registered() -> None:
    plugin = get_vendor("telecomx")
    assert plugin is PLUGIN
    assert plugin.display_name == "TelecomX"
    assert isinstance(plugin.emulator_factory(), TelecomXEmulator)


# -- settings ------------------------------------------------------------------


def test_settings_default_url_and_secrets() -> None:
    settings = TelecomXSettings(api_token=SecretStr("secret-token-value"))
    assert settings.url == "https://api.telecomx.dk"
    assert settings.secret_values() == ["secret-token-value"]
    assert "secret-token-value" not in repr(settings)
    assert set(TelecomXSettings.secret_field_names()) == {"api_token", "password"}


def test_settings_accept_a_login() -> None:
    settings = TelecomXSettings(
        username="anna@example.dk", password=SecretStr("pw-12345")
    )
    assert settings.api_token is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({}, "give an api_token"),
        ({"username": "anna@example.dk"}, "must be given together"),
        ({"api_token": "t" * 20, "username": "a", "password": "p"}, "not both"),
        ({"api_token": "t" * 20, "customer_id": "101"}, "24 hexadecimal"),
        ({"api_token": "t" * 20, "url": "ftp://x"}, "http:// or https://"),
        ({"api_token": "t" * 20, "url": "https://x?token=1"}, "query string"),
    ],
)
def test_settings_errors_are_plain_words(data: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TelecomXSettings.model_validate(data)
    assert words in str(caught.value)


async def test_backend_with_login_settings(emulator: TelecomXEmulator) -> None:
    username = next(iter(emulator.logins))
    settings = TelecomXSettings(
        url=BASE_URL, username=username, password=SecretStr("demo-password-4570")
    )
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http, retry=FAST_RETRY) as backend,
    ):
        info = await backend.account_info()
    assert info.unique_id == emulator.customer_id
    assert emulator.requests[0].path == "/auth/login"


async def test_backend_owns_its_client_when_none_is_given() -> None:
    settings = TelecomXSettings(url=BASE_URL, api_token=SecretStr(DEMO_API_TOKEN))
    backend = TelecomXBackend(settings)
    transport = backend.client.transport
    assert isinstance(transport.client, httpx.AsyncClient)
    await backend.aclose()
    assert transport.client.is_closed


async def test_customer_id_is_for_resellers(emulator: TelecomXEmulator) -> None:
    """An owner's token with a customer id: a permission error, no reauth."""
    settings = TelecomXSettings(
        url=BASE_URL,
        api_token=SecretStr(DEMO_API_TOKEN),
        customer_id=emulator.customer_id,
    )
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http) as backend,
    ):
        with pytest.raises(SwitchboardPermissionError) as caught:
            await backend.account_info()
        assert caught.value.reauth_needed is False
        flows = await backend.list_flows()  # the customer's own switches are fine
        assert flows
    assert emulator.requests[-1].param("customer") == emulator.customer_id


async def test_reseller_reads_a_customer(emulator: TelecomXEmulator) -> None:
    token = emulator.issue_token("RESELLER")
    settings = TelecomXSettings(
        url=BASE_URL, api_token=SecretStr(token), customer_id=emulator.customer_id
    )
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http) as backend,
    ):
        info = await backend.account_info()
        assert info.unique_id == emulator.customer_id
        assert backend.rate_limit is None  # TelecomX reports no quota (T7)


async def test_reseller_switches_the_customers_switch(
    emulator: TelecomXEmulator,
) -> None:
    """The switch set goes to the configured customer, like the list it came from.

    Without ``customer`` the PBX sets the switch of the reseller's own account.
    """
    token = emulator.issue_token("RESELLER")
    settings = TelecomXSettings(
        url=BASE_URL, api_token=SecretStr(token), customer_id=emulator.customer_id
    )
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http) as backend,
    ):
        before = {f.id: f.active for f in await backend.list_flows()}
        changed = await backend.set_flow("DAYNIGHT", active=not before["DAYNIGHT"])
    assert changed.active is not before["DAYNIGHT"]
    write = emulator.requests[-1]
    assert write.path == "/pbx/switch/DAYNIGHT"
    assert write.method == "POST"
    assert write.json() == {
        "value": not before["DAYNIGHT"],
        "customer": emulator.customer_id,
    }
    assert emulator.tenant.switches["DAYNIGHT"]["value"] is not before["DAYNIGHT"]


async def test_status_without_view_other_party(emulator: TelecomXEmulator) -> None:
    """``calls=true`` needs the group permission viewOtherParty (vendor-apis §3.5).

    A personal API token without it still reads registration, DND and presence;
    only on-call is unknown. Without the fallback every refresh failed.
    """
    employee = next(iter(emulator.tenant.employees))
    token = emulator.issue_token("PERSONAL", employee=employee, view_other_party=False)
    settings = TelecomXSettings(url=BASE_URL, api_token=SecretStr(token))
    async with (
        asgi_client(emulator) as http,
        TelecomXBackend(settings, http) as backend,
    ):
        statuses = await backend.get_statuses()
        assert statuses
        assert {s.on_call for s in statuses} == {None}
        assert any(s.registered for s in statuses)
        with pytest.raises(SwitchboardPermissionError):
            await backend.list_calls()


async def test_forward_rules_on_busy_and_no_answer(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    """001_d475557f66c1db1c.txt: busy.* and noAnswer.* with NUMBER, timeout 5-60 s."""
    ext_id = ext_ids(emulator.tenant)[0]
    ext = emulator.tenant.extensions[ext_id]
    busy = await backend.set_forward_rule(ext_id, ForwardCondition.BUSY, "+4520304050")
    assert (ext["busy"]["extAction"], ext["busy"]["extNumber"]) == (
        "NUMBER",
        "+4520304050",
    )
    assert (ext["busy"]["intAction"], ext["busy"]["intNumber"]) == (
        "NUMBER",
        "+4520304050",
    )
    assert ext["busy"]["mobileAction"] == "EXTERNAL"  # direct-to-mobile left alone
    assert [r.condition for r in busy.forward_rules] == [ForwardCondition.BUSY]
    late = await backend.set_forward_rule(
        ext_id, ForwardCondition.NO_ANSWER, "202", timeout_seconds=15
    )
    assert (ext["noAnswer"]["extAction"], ext["noAnswer"]["timeout"]) == ("NUMBER", 15)
    assert [(r.condition.value, r.timeout_seconds) for r in late.forward_rules] == [
        ("busy", None),
        ("noanswer", 15),
    ]
    status = await backend.get_status(ext_id)
    assert status.forward_rules == late.forward_rules
    off = await backend.set_forward_rule(ext_id, ForwardCondition.BUSY, None)
    assert ext["busy"]["extAction"] == "BUSY"  # the documented default
    assert [r.condition.value for r in off.forward_rules] == ["noanswer"]
    with pytest.raises(SwitchboardInvalidInputError, match="5-60 seconds"):
        await backend.set_forward_rule(
            ext_id, ForwardCondition.NO_ANSWER, "202", timeout_seconds=90
        )


async def test_forward_when_unavailable_is_refused_in_plain_words(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    emulator.requests.clear()
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.set_forward_rule(
            ext_ids(emulator.tenant)[0], ForwardCondition.UNAVAILABLE, "202"
        )
    assert caught.value.message == (
        "TelecomX cannot forward calls on 'unavailable'; it can forward all calls "
        "or on: busy, noanswer."
    )
    assert emulator.request_count() == 0


async def test_off_keeps_a_voicemail_set_in_the_portal(
    backend: TelecomXBackend, emulator: TelecomXEmulator
) -> None:
    ext_id = ext_ids(emulator.tenant)[0]
    ext = emulator.tenant.extensions[ext_id]
    ext["noAnswer"].update(extAction="VOICEMAIL", intAction="VOICEMAIL")
    status = await backend.set_forward_rule(ext_id, ForwardCondition.NO_ANSWER, None)
    assert ext["noAnswer"]["extAction"] == "VOICEMAIL"
    assert all(
        r.condition is not ForwardCondition.NO_ANSWER for r in status.forward_rules
    )
