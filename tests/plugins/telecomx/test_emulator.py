"""The emulator answers like TelecomX: seed, shapes, codes, quirks (raw HTTP)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from switchboard.core.emulator import serve
from switchboard.plugins.telecomx.const import ERROR_MESSAGE_FIELD, PRESENCE_FIELD
from switchboard.plugins.telecomx.emulator import (
    DEMO_API_TOKEN,
    DEMO_PASSWORD,
    TelecomXEmulator,
)

from .conftest import BASE_URL


async def get(http: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    return await http.get(
        f"{BASE_URL}{path}", params={"token": DEMO_API_TOKEN, **params}
    )


def test_default_seed_is_a_realistic_customer() -> None:
    tenant = TelecomXEmulator().tenant
    assert len(tenant.extensions) == 24
    assert all(1 <= len(p) <= 3 for p in tenant.phones.values())
    online = [any(p["online"] for p in ps) for ps in tenant.phones.values()]
    assert 0 < sum(online) < len(online)
    assert len(tenant.calls) >= 2
    assert len(tenant.switches) >= 4
    presences = {e[PRESENCE_FIELD] for e in tenant.employees.values()}
    assert presences == {"WORK", "OFF_WORK", "HOLIDAY", "BUSY"}
    assert any(p["dnd"] for ps in tenant.phones.values() for p in ps)


def test_seed_scales_and_is_deterministic() -> None:
    big = TelecomXEmulator(extensions=1000).tenant
    assert len(big.extensions) == 1000
    assert len({e["number"] for e in big.extensions.values()}) == 1000
    assert list(TelecomXEmulator().tenant.extensions) == list(
        TelecomXEmulator().tenant.extensions
    )


async def test_dnd_without_state_toggles_like_the_vendor(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    """The documented trap the client avoids: no `state` means toggle."""
    ext_id = next(iter(emulator.tenant.extensions))
    phone = emulator.tenant.phones[ext_id][0]
    first = await get(http, f"/pbx/extension/{ext_id}/dnd", sip=phone["_id"])
    second = await get(http, f"/pbx/extension/{ext_id}/dnd", sip=phone["_id"])
    assert first.json() == {"dnd": True}
    assert second.json() == {"dnd": False}


async def test_dnd_needs_exactly_one_phone_kind(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    ext_id = next(iter(emulator.tenant.extensions))
    phone = emulator.tenant.phones[ext_id][0]["_id"]
    both = await get(
        http, f"/pbx/extension/{ext_id}/dnd", sip=phone, mvno=phone, state="true"
    )
    assert both.status_code == 400
    wrong_kind = await get(
        http, f"/pbx/extension/{ext_id}/dnd", mvno=phone, state="true"
    )
    assert wrong_kind.status_code == 404


async def test_recording_toggle_mode_exists_in_the_emulator(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    ext_id = emulator.tenant.calls[0]["extension"]
    first = await get(http, "/pbx/recording/ondemand", extension=ext_id, mode="TOGGLE")
    assert first.json() == {"success": True, "mode": "ENABLE"}
    bad = await get(http, "/pbx/recording/ondemand", extension=ext_id, mode="PAUSE")
    assert (bad.status_code, bad.json()) == (422, {ERROR_MESSAGE_FIELD: "mode"})


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/pbx/extension/123", 400, "bad_request"),
        (f"/pbx/extension/{'ab' * 12}", 404, "not_found"),
        ("/pbx/nothing/here", 404, "not_found"),
        (f"/pbx/settings/{'ab' * 12}", 403, "access_denied"),
        ("/pbx/switch/NOPE", 404, "not_found"),
    ],
)
async def test_errors_are_status_plus_short_code(
    http: httpx.AsyncClient, path: str, status: int, code: str
) -> None:
    response = await get(http, path)
    assert response.status_code == status
    assert response.json() == {ERROR_MESSAGE_FIELD: code}


async def test_requests_without_a_token_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{BASE_URL}/pbx/settings")
    assert (response.status_code, response.json()) == (
        401,
        {ERROR_MESSAGE_FIELD: "invalid_token"},
    )


async def test_login_issues_fifteen_minute_tokens(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    username = next(iter(emulator.logins))
    ok = await http.post(
        f"{BASE_URL}/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    body = ok.json()
    assert body["expiresInMinutes"] == 15
    assert body["customer"] == emulator.customer_id
    assert body["employee"] == emulator.logins[username]
    assert (await get(http, "/pbx/settings", token=body["token"])).status_code == 200
    bad = await http.post(
        f"{BASE_URL}/auth/login", json={"username": username, "password": "nope"}
    )
    assert bad.status_code == 401
    malformed = await http.post(f"{BASE_URL}/auth/login", content=b"{not json")
    assert malformed.status_code == 400


async def test_extension_update_validates_like_the_vendor(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    ext_id = next(iter(emulator.tenant.extensions))
    url = f"{BASE_URL}/pbx/extension/{ext_id}"
    params = {"token": DEMO_API_TOKEN}
    too_long = await http.post(url, params=params, json={"noAnswer": {"timeout": 90}})
    assert too_long.json() == {ERROR_MESSAGE_FIELD: "timeout"}
    barge = await http.post(url, params=params, json={"busy": {"extAction": "BARGE"}})
    assert barge.json() == {ERROR_MESSAGE_FIELD: "extAction"}  # BARGE is internal only


async def test_employees_by_post_and_presence_validation(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    wanted = list(emulator.tenant.employees)[:3]
    listed = await http.post(
        f"{BASE_URL}/pbx/app/employees",
        params={"token": DEMO_API_TOKEN},
        json={"ids": wanted, "calls": True},
    )
    assert [r["_id"] for r in listed.json()] == wanted
    assert all("calls" in r for r in listed.json())
    wrong = await http.post(
        f"{BASE_URL}/employee/{wanted[0]}",
        params={"token": DEMO_API_TOKEN},
        json={PRESENCE_FIELD: "SLEEPING"},
    )
    assert wrong.json() == {ERROR_MESSAGE_FIELD: PRESENCE_FIELD}


async def test_switch_set_by_post(
    http: httpx.AsyncClient, emulator: TelecomXEmulator
) -> None:
    response = await http.post(
        f"{BASE_URL}/pbx/switch/HOLIDAY_CLOSED",
        params={"token": DEMO_API_TOKEN},
        json={"value": True, "customer": emulator.customer_id},
    )
    assert response.json()["value"] is True
    assert emulator.tenant.switches["HOLIDAY_CLOSED"]["value"] is True


async def test_served_on_a_loopback_port() -> None:
    """The demo runs the emulator as a real server."""
    emulator = TelecomXEmulator(extensions=3)
    async with serve(emulator) as url, httpx.AsyncClient() as http:
        response = await http.get(f"{url}/pbx/switch", params={"token": DEMO_API_TOKEN})
    assert response.status_code == 200
    assert {s["name"] for s in response.json()} >= {"DAYNIGHT"}
