"""The emulator answers like the MiRTA proxy API, byte for byte where it matters."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.plugins.mirta.const import BAD_KEY_BODY, PROXY_API_PATH
from switchboard.plugins.mirta.emulator import DEMO_API_KEY, DEMO_TENANT, MirtaEmulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.plugins.mirta.emulator_state import EmuExtension


@pytest.fixture
async def raw(emulator: MirtaEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """A bare HTTP client, to look at the wire format itself."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator), base_url="http://mirta.test"
    ) as http:
        yield http


async def get(http: httpx.AsyncClient, reqtype: str, **params: str) -> httpx.Response:
    query = {"key": DEMO_API_KEY, "tenant": DEMO_TENANT, "reqtype": reqtype, **params}
    return await http.get(PROXY_API_PATH, params=query)


def first_registered(emulator: MirtaEmulator) -> EmuExtension:
    return next(e for e in emulator.state.extensions.values() if e.registered)


def test_seeded_tenant_is_realistic() -> None:
    """24 extensions by default, some offline, two calls, four flows; any size works."""
    emulator = MirtaEmulator()
    extensions = list(emulator.state.extensions.values())
    assert len(extensions) == 24
    assert 0 < sum(not e.registered for e in extensions) < 12
    assert len(emulator.state.channels) >= 2
    assert emulator.state.call_count() == 2
    assert [f.name for f in emulator.state.flows] == [
        "Day",
        "Night",
        "Lunch",
        "Holiday",
    ]
    assert len(MirtaEmulator(extensions=1000).state.extensions) == 1000
    tiny = MirtaEmulator(extensions=1)
    assert tiny.state.channels == []


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("json", "application/json"), ("plain", "text/html")]
)
async def test_bad_key_is_http_200_and_the_sentence(
    raw: httpx.AsyncClient, fmt: str, content_type: str
) -> None:
    """Wrong key, missing tenant, unknown tenant: the same 46 bytes, content type per format."""
    for params in ({"key": "nope"}, {"tenant": ""}, {"tenant": "OTHER"}):
        query = {
            "key": DEMO_API_KEY,
            "tenant": DEMO_TENANT,
            "reqtype": "PEERS",
            "format": fmt,
            **params,
        }
        response = await raw.get(PROXY_API_PATH, params=query)
        assert response.status_code == 200
        assert response.content == (BAD_KEY_BODY + "\n").encode()
        assert len(response.content) == 46
        assert response.headers["content-type"].startswith(content_type)


async def test_wrong_path_and_method(raw: httpx.AsyncClient) -> None:
    """Only GET on the proxy path answers."""
    assert (
        await raw.get(
            "/mirtapbx/proxyapi.php",
            params={"key": DEMO_API_KEY, "tenant": DEMO_TENANT},
        )
    ).status_code == 404
    response = await raw.post(
        PROXY_API_PATH, params={"key": DEMO_API_KEY, "tenant": DEMO_TENANT}
    )
    assert response.status_code == 405


async def test_unknown_requests_answer_nothing(raw: httpx.AsyncClient) -> None:
    """Unknown reqtype or info value: HTTP 200 and 0 bytes."""
    for response in (
        await get(raw, "NOSUCH"),
        await get(raw, "INFO", info="balance", format="json"),
    ):
        assert response.status_code == 200
        assert response.content == b""


async def test_plain_extensions_table_leaks_passwords(
    raw: httpx.AsyncClient, emulator: MirtaEmulator
) -> None:
    """The documented plain header, with the Password column filled (the vendor quirk)."""
    lines = (await get(raw, "INFO", info="extensions")).text.splitlines()
    assert lines[0] == "Number|Name|Tech|State|Username|Password"
    assert len(lines) == 25
    ext = emulator.state.extensions["100"]
    assert lines[1] == f"100|Anne Holm|PJSIP|NOT_INUSE|100-ACME|{ext.password}"


async def test_json_extension_records_carry_credentials(raw: httpx.AsyncClient) -> None:
    """The JSON record carries password, web password, 2FA parameters and the lock PIN."""
    records = (await get(raw, "INFO", info="extensions", format="json")).json()
    assert len(records) == 24
    assert {
        "password",
        "ex_webpassword",
        "ex_2fa_param1",
        "ex_lockpin",
        "ex_dnd",
    } <= set(records[0])
    assert all(record["password"] for record in records)


@pytest.mark.parametrize(
    ("reqtype", "info"),
    [("FLOWS", ""), ("CHANNELS", ""), ("INFO", "dids"), ("INFO", "cdrs")],
)
async def test_database_rows_repeat_values_under_positional_keys(
    raw: httpx.AsyncClient, reqtype: str, info: str
) -> None:
    """PHP's combined arrays: every value under its name and under "0".."n"."""
    params = {"format": "json", **({"info": info} if info else {})}
    rows = (await get(raw, reqtype, **params)).json()
    assert rows
    named = [k for k in rows[0] if not k.isdigit()]
    assert [rows[0][str(i)] for i in range(len(named))] == [rows[0][k] for k in named]


async def test_dids_plain_header_has_no_newline(raw: httpx.AsyncClient) -> None:
    """The DIDS header runs straight into the first row."""
    text = (await get(raw, "INFO", info="dids")).text
    assert text.startswith("Number|Comment|Destination4555500100|Main line|FLOW-7001\n")


async def test_dial_reply_and_its_channel(
    raw: httpx.AsyncClient, emulator: MirtaEmulator
) -> None:
    """Success|Originate successfully queued|<id>| and a ringing channel on the source."""
    response = await get(raw, "DIAL", exten="100", phone="+4555501234")
    assert re.fullmatch(
        r"Success\|Originate successfully queued\|[0-9a-f]{14}\|\n", response.text
    )
    call_id = response.text.split("|")[2]
    assert emulator.state.originations[call_id].status == "ringing"
    channels = (await get(raw, "CHANNELS", format="json")).json()
    assert any(
        c["channel"].startswith("PJSIP/100-ACME-") and c["state"] == "Ringing"
        for c in channels
    )


async def test_dial_from_an_offline_phone_is_queued_but_never_rings(
    raw: httpx.AsyncClient, emulator: MirtaEmulator
) -> None:
    """The originate is accepted; the phone is offline, so no channel appears."""
    before = len(emulator.state.channels)
    response = await get(raw, "DIAL", source="103", dest="+4555501234", format="json")
    assert response.json()["Response"] == "Success"
    assert emulator.state.originations[response.json()["ID"]].status == "failed"
    assert len(emulator.state.channels) == before


async def test_no_channels_is_a_lone_bracket_in_json(
    raw: httpx.AsyncClient, emulator: MirtaEmulator
) -> None:
    """An empty JSON list comes as the invalid single byte ']'; plain as 0 bytes."""
    emulator.state.channels.clear()
    assert (await get(raw, "CHANNELS", format="json")).content == b"]"
    assert (await get(raw, "CHANNELS")).content == b""


async def test_dnd_set_is_visible_to_get_and_the_records(
    raw: httpx.AsyncClient,
) -> None:
    """DND set changes DND get, the JSON record and nothing else."""
    await get(raw, "DND", action="set", number="100", value="on")
    assert (await get(raw, "DND", action="get", number="100")).text == "100|on|\n"
    records = (await get(raw, "INFO", info="extensions", format="json")).json()
    assert [r["ex_number"] for r in records if r["ex_dnd"] == "on"] == ["100", "106"]
    await get(raw, "DND", action="set", number="100", value="")
    assert (
        await get(raw, "DND", action="get", number="100", format="json")
    ).json() == {"number": "100", "value": ""}


async def test_setflow_by_value_moves_the_state(raw: httpx.AsyncClient) -> None:
    """The variable and the BLF state move together, whichever is set."""
    await get(raw, "SETFLOW", number="7003", value="open")
    lunch = next(
        r
        for r in (await get(raw, "FLOWS", format="json")).json()
        if r["fl_number"] == "7003"
    )
    assert (lunch["fl_state"], lunch["fl_value"]) == ("INUSE", "open")


async def test_faults_look_like_the_vendor(
    raw: httpx.AsyncClient, emulator: MirtaEmulator
) -> None:
    """5xx, 429 and malformed bodies look like Apache and PHP."""
    emulator.faults.server_errors = 1
    assert (await get(raw, "PEERS")).status_code == 503
    emulator.faults.rate_limited = 1
    response = await get(raw, "PEERS")
    assert (response.status_code, response.headers["retry-after"]) == (429, "1")
    emulator.faults.malformed = 2
    assert (await get(raw, "PEERS")).text.startswith("<br />\n<b>Fatal error</b>")
    assert (await get(raw, "PEERS", format="json")).content.startswith(b'[{"ex_number"')
