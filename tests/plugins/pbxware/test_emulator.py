"""The emulator answers like PBXware at the wire level (raw HTTP, no client)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from switchboard.plugins.pbxware.const import UNAVAILABLE_SERVICE_EDIT_ERROR
from switchboard.plugins.pbxware.emulator import DEMO_API_KEY, PbxwareEmulator

from .conftest import BASE_URL

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def http(emulator: PbxwareEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator), base_url=BASE_URL
    ) as client:
        yield client


async def call(
    http: httpx.AsyncClient,
    action: str,
    *params: tuple[str, str],
    key: str = DEMO_API_KEY,
) -> Any:
    query = [("apikey", key), ("action", f"pbxware.{action}"), ("server", "1"), *params]
    response = await http.get("/", params=tuple(query))
    assert response.status_code == 200  # PBXware says everything with 200
    return response.json()


async def test_wrong_or_missing_key(http: httpx.AsyncClient) -> None:
    assert await call(http, "ext.list", key="nope-nope-nope") == {
        "error": "Invalid API key."
    }
    response = await http.get("/index.php", params={"action": "pbxware.ext.list"})
    assert response.json() == {"error": "Invalid API key."}


async def test_unknown_action(http: httpx.AsyncClient) -> None:
    assert await call(http, "ext.es.dnd.fly") == {"error": "Invalid action."}
    assert await call(http, "otimes.fax.list") == {"error": "Invalid action."}


async def test_lists_are_keyed_by_id_and_flags_are_strings(
    http: httpx.AsyncClient,
) -> None:
    monitor = await call(http, "monitor.list")
    assert isinstance(monitor, dict)
    assert monitor["1"]["dnd"] in {"true", "false"}
    assert monitor["1"]["on_call"] in {"true", "false"}
    assert monitor["4"]["status"] == "offline"
    assert await call(http, "otimes.routes.list", ("id", "1")) == []


async def test_accessibility_and_activation_are_separate_state(
    http: httpx.AsyncClient,
) -> None:
    """Seed 003: set/get is the service's accessibility, edit/configuration DND's on/off."""
    answer = await call(http, "ext.es.dnd.set", ("id", "7"), ("state", "pin"))
    assert answer == {"success": "7: 1.", "state": "pin"}
    # Changing accessibility does not switch DND: extension 7 is still Permanent.
    assert (await call(http, "monitor.list"))["7"]["dnd"] == "true"
    config = await call(http, "ext.es.dnd.configuration", ("id", "7"))
    assert config["dnd"] == "2"
    assert await call(http, "ext.es.dnd.get", ("id", "7")) == {"state": "pin"}
    states = await call(http, "ext.es.states.get", ("id", "7"), ("services", "dnd"))
    assert states == {"dnd": "pin"}
    # And switching DND does not change accessibility.
    await call(http, "ext.es.dnd.edit", ("id", "7"), ("dnd", "0"))
    assert await call(http, "ext.es.dnd.get", ("id", "7")) == {"state": "pin"}
    assert (await call(http, "monitor.list"))["7"]["dnd"] == "false"
    bad = await call(http, "ext.es.dnd.set", ("id", "1"), ("state", "on"))
    assert bad == {"error": "Invalid state. Allowed values are yes, no and pin."}


async def test_editing_an_unavailable_service_follows_p9(
    http: httpx.AsyncClient,
) -> None:
    """P9 (unknown on a real PBXware): the emulator refuses, changing nothing."""
    assert await call(http, "ext.es.dnd.get", ("id", "10")) == {"state": "no"}
    refused = await call(http, "ext.es.dnd.edit", ("id", "10"), ("dnd", "2"))
    assert refused == {"error": UNAVAILABLE_SERVICE_EDIT_ERROR}
    assert (await call(http, "ext.es.dnd.configuration", ("id", "10")))["dnd"] == "0"
    refused = await call(
        http,
        "ext.es.callfwd.edit",
        ("id", "10"),
        ("enabled", "busy"),
        ("busy_dests", "201"),
        ("busy_timeouts", ""),
    )
    assert refused == {"error": UNAVAILABLE_SERVICE_EDIT_ERROR}
    assert (await call(http, "ext.es.callfwd.configuration", ("id", "10")))[
        "enabled"
    ] == []


async def test_an_older_pbxware_has_no_bulk_states() -> None:
    emulator = PbxwareEmulator(bulk_es_states=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator), base_url="http://pbx"
    ) as http:
        answer = await call(http, "ext.es.states.get", ("id", "1"), ("services", "all"))
        assert answer == {"error": "Invalid action."}
        assert await call(http, "ext.es.dnd.get", ("id", "1")) == {"state": "yes"}


async def test_states_set_all(http: httpx.AsyncClient) -> None:
    answer = await call(http, "ext.es.states.set", ("id", "2"), ("all", "yes"))
    assert answer == {"success": "Updated Enhanced Service states successfully."}
    states = await call(http, "ext.es.states.get", ("id", "2"), ("services", "all"))
    assert set(states.values()) == {"yes"}
    assert len(states) == 25


async def test_dnd_edit_not_active_switches_dnd_off(http: httpx.AsyncClient) -> None:
    assert (await call(http, "monitor.list"))["7"]["dnd"] == "true"
    await call(http, "ext.es.dnd.edit", ("id", "7"), ("dnd", "0"))
    assert (await call(http, "monitor.list"))["7"]["dnd"] == "false"
    refused = await call(http, "ext.es.dnd.edit", ("id", "7"), ("dnd", "1"))
    assert refused == {"error": "Temporary DND needs a duration in hours."}


async def test_callfwd_edit_lists_must_match(http: httpx.AsyncClient) -> None:
    answer = await call(
        http,
        "ext.es.callfwd.edit",
        ("id", "1"),
        ("enabled", "busy"),
        ("busy_dests", "201,202"),
        ("busy_timeouts", "10"),
    )
    assert answer == {"error": "dests, timeouts and dtypes lists must mach in size"}


async def test_ext_configuration_carries_secrets_like_the_real_one(
    http: httpx.AsyncClient, emulator: PbxwareEmulator
) -> None:
    """The client must drop them, so the emulator must send them."""
    config = await call(http, "ext.configuration", ("id", "3"))
    assert config["3"]["pin"] == emulator.extensions["3"].pin
    assert config["3"]["options"]["secret"] == emulator.extensions["3"].secret
    both = await call(http, "ext.configuration", ("id", "3"), ("ext", "203"))
    assert both == {"error": "You cannot supply id and ext at the same time!"}


async def test_otimes_set_checks_arrays_and_dates(http: httpx.AsyncClient) -> None:
    ragged = await call(
        http,
        "otimes.did.set",
        ("id", "3"),
        ("status", "on"),
        ("open_days[]", "1,2"),
        ("open_days_desc[]", "a"),
        ("open_days_desc[]", "b"),
    )
    assert ragged == {"error": "The open days arrays must have the same length."}
    closed = [
        ("closed_dates_desc[]", "Easter"),
        ("closed_dates_dest[]", "201"),
        ("closed_dates_date_from[]", "Apr-05-2026"),
        ("closed_dates_date_to[]", "2026-04-06"),
        ("closed_dates_time_from[]", "00:00"),
        ("closed_dates_time_to[]", "23:59"),
    ]
    wrong_date = await call(
        http, "otimes.did.set", ("id", "3"), ("status", "on"), *closed
    )
    assert wrong_date == {"error": "Closed dates must follow the yyyy-mm-dd format."}


async def test_did_list_follows_the_manual_sample(
    http: httpx.AsyncClient, emulator: PbxwareEmulator
) -> None:
    dids = await call(http, "did.list")
    assert set(dids) == set(emulator.dids)
    assert set(dids["7"]) == {
        "number",
        "number2",
        "server",
        "trunk",
        "type",
        "ext",
        "status",
    }
    # Every DID with Operation Times is in did.list; "ext" filters by destination.
    assert set(emulator.operation_times["did"]) <= set(dids)
    shared = dids["7"]["ext"]
    assert set(await call(http, "did.list", ("ext", shared))) == {"7", "8"}


@pytest.mark.parametrize(
    ("target", "field", "key", "dest_id"),
    [
        ("did", "ext", "600", "4"),
        ("queues", "number", "600", "5"),
        ("ivr", "id", "2", "2"),
        ("erg", "id", "9", "9"),
        ("servers", "id", "1", "1"),
    ],
)
async def test_otimes_list_answers_one_destination_by_its_field(
    http: httpx.AsyncClient, target: str, field: str, key: str, dest_id: str
) -> None:
    assert set(await call(http, f"otimes.{target}.list", (field, key))) == {dest_id}
    names = {"id": "ID", "number": "number", "ext": "extension"}
    refused = {"error": f"Destination {names[field]} is required."}
    assert await call(http, f"otimes.{target}.list") == refused
    if field != "id":  # the id does not stand in for the documented field
        assert await call(http, f"otimes.{target}.list", ("id", dest_id)) == refused


async def test_otimes_set_needs_the_destination_id(http: httpx.AsyncClient) -> None:
    refused = await call(http, "otimes.queues.set", ("status", "on"))
    assert refused == {"error": "Destination ID is required."}
    by_number = await call(
        http, "otimes.queues.set", ("number", "600"), ("status", "on")
    )
    assert by_number == refused
    missing = await call(http, "otimes.queues.set", ("id", "600"), ("status", "on"))
    assert missing == {"error": "Destination not found."}


async def test_recording_needs_a_tenant_above_zero(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/index.php",
        params={
            "apikey": DEMO_API_KEY,
            "action": "pbxware.recording.start",
            "ext": "202",
        },
    )
    assert response.json() == {"error": "Server/Tenant ID is required."}


async def test_cdr_download_pages(
    http: httpx.AsyncClient, emulator: PbxwareEmulator
) -> None:
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from switchboard.plugins.pbxware.quirks import format_cdr_date  # noqa: PLC0415

    today = datetime.now(tz=UTC).date()
    dates = (
        ("start", format_cdr_date(today - timedelta(days=10))),
        ("end", format_cdr_date(today)),
    )
    last_page = await call(http, "cdr.download", *dates, ("page", "4"), ("limit", "16"))
    assert last_page["next_page"] is False
    assert last_page["records"] == len(emulator.cdrs) - 48
    bad = await call(
        http, "cdr.download", ("start", "2026-01-01"), ("end", "Jan-02-2026")
    )
    assert bad == {"error": "Start and end dates are required. Format is: mmm-dd-YYYY"}


async def test_faults_answer_like_apache_and_php(
    http: httpx.AsyncClient, emulator: PbxwareEmulator
) -> None:
    emulator.faults.server_errors = 1
    response = await http.get("/index.php", params={"apikey": DEMO_API_KEY})
    assert response.status_code == 503
    assert "text/html" in response.headers["content-type"]
    emulator.faults.malformed = 1
    broken = await http.get(
        "/index.php", params={"apikey": DEMO_API_KEY, "action": "pbxware.ext.list"}
    )
    assert broken.text.startswith("<br />")
    emulator.faults.rate_limited = 1
    limited = await http.get("/index.php", params={"apikey": DEMO_API_KEY})
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
    missing = await http.get("/api/v1/extensions")
    assert missing.status_code == 404
