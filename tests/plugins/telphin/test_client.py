"""Every client method against the emulator, plus the headers every request carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core.emulator import serve
from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardResponseError,
)
from switchboard.plugins.telphin.client import TelphinClient
from switchboard.plugins.telphin.emulator import (
    API,
    CLIENT_ID,
    DND_STATUS_NAME,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    TelphinEmulator,
)
from switchboard.plugins.telphin.models import CallbackRequest, PhoneProperties

from .conftest import FakeClock, api_requests, emulator_http, load_fixture, make_client

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx


def first_id(emulator: TelphinEmulator) -> str:
    return str(next(iter(emulator.extensions)))


async def test_get_client_info(client: TelphinClient) -> None:
    info = await client.get_client_info()
    assert info.id == CLIENT_ID
    assert info.label == "Nordlys Logistics"


async def test_list_extensions(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    extensions = await client.list_extensions()
    assert len(extensions) == 24
    assert extensions[0].number == "101"
    assert extensions[0].name == "00214*101"
    assert {e.type for e in extensions} == {"phone"}
    request = next(r for r in emulator.requests if r.path.endswith("/extension/"))
    assert request.path == f"{API}/client/@me/extension/"
    assert request.param("type") == "phone"


async def test_list_extensions_reads_every_page(
    http: httpx.AsyncClient, clock: FakeClock
) -> None:
    big = TelphinEmulator(250, clock=clock)
    async with emulator_http(big) as big_http:
        client = make_client(big_http, clock)
        extensions = await client.list_extensions()
    assert len(extensions) == 250
    assert len({e.id for e in extensions}) == 250
    pages = [r.param("page") for r in big.requests if r.path.endswith("/extension/")]
    assert pages == ["1", "2", "3"]


async def test_endless_pages_are_cut_off(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("switchboard.plugins.telphin.client.MAX_PAGES", 2)
    big = TelphinEmulator(250, clock=clock)
    async with emulator_http(big) as big_http:
        with pytest.raises(SwitchboardResponseError) as caught:
            await make_client(big_http, clock).list_extensions()
    assert "full pages" in caught.value.message


async def test_get_phone(client: TelphinClient, emulator: TelphinEmulator) -> None:
    ext = list(emulator.extensions)[7]
    phone = await client.get_phone(str(ext))
    assert phone.external_number == "+79876543210"
    assert phone.hangup_timeout == 60
    assert phone.auth_type == "digest"


async def test_update_phone_changes_only_what_was_set(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    ext = first_id(emulator)
    phone = await client.update_phone(
        ext, PhoneProperties(hangup_timeout=25, vm_enabled=False)
    )
    assert phone.hangup_timeout == 25
    assert phone.vm_enabled is False
    put = next(r for r in emulator.requests if r.method == "PUT")
    assert put.json() == {"hangup_timeout": 25, "vm_enabled": False}
    assert (await client.get_phone(ext)).hangup_timeout == 25


async def test_every_seed_field_round_trips(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    """PUT the seed's whole example, then GET it back unchanged."""
    example = PhoneProperties.model_validate(load_fixture("phone_seed_example.json"))
    ext = first_id(emulator)
    written = await client.update_phone(ext, example)
    read = await client.get_phone(ext)
    assert written == read
    for field in example.model_fields_set - {"call_status_set_dt"}:
        assert getattr(read, field) == getattr(example, field), field
    put = next(r for r in emulator.requests if r.method == "PUT")
    assert set(put.json()) == set(load_fixture("phone_seed_example.json")) - {
        "call_status_set_dt"
    }


async def test_update_phone_refuses_an_empty_change(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await client.update_phone(first_id(emulator), PhoneProperties())
    assert api_requests(emulator) == 0


async def test_set_external_number_and_clear_it(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    ext = first_id(emulator)
    assert (
        await client.set_external_number(ext, "+4570305050")
    ).external_number == "+4570305050"
    assert emulator.phones[int(ext)]["external_number"] == "+4570305050"
    assert (await client.set_external_number(ext, None)).external_number is None
    assert emulator.phones[int(ext)]["external_number"] is None


async def test_call_statuses_and_setting_one(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    statuses = await client.list_call_statuses()
    dnd = next(s for s in statuses if s.name == DND_STATUS_NAME)
    assert dnd.property_list == ["lo", "ro"]
    assert dnd.create_dt is not None
    ext = first_id(emulator)
    phone = await client.set_call_status(ext, dnd.id)
    assert phone.call_status_id == dnd.id
    assert phone.call_status_set_dt is not None
    assert (await client.set_call_status(ext, None)).call_status_id is None


async def test_unknown_call_status_is_refused(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await client.set_call_status(first_id(emulator), 999)
    assert caught.value.status_code == 400
    assert "call status" in caught.value.message


async def test_list_current_calls(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    calls = await client.list_current_calls()
    assert len(calls) >= 2
    answered = [c for c in calls if c.answer_time_gmt is not None]
    ringing = [c for c in calls if c.answer_time_gmt is None]
    assert answered
    assert ringing
    assert all(c.extension_id in emulator.extensions for c in calls)


async def test_list_registrations(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    registrations = await client.list_registrations()
    assert len(registrations) == 24
    assert any(r.registered for r in registrations)
    assert any(not r.registered for r in registrations)


async def test_callback_places_a_call(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    ext = first_id(emulator)
    before = len(emulator.current_calls)
    result = await client.callback(
        ext, CallbackRequest(src_num=["00214*101"], dst_num="+4570305050")
    )
    assert result.call_api_id
    assert len(emulator.current_calls) == before + 1
    post = next(
        r for r in emulator.requests if r.method == "POST" and r.path.startswith(API)
    )
    assert post.path == f"{API}/extension/{ext}/callback/"
    assert post.json() == {"src_num": ["00214*101"], "dst_num": "+4570305050"}
    calls = await client.list_current_calls()
    assert any(c.call_api_id == result.call_api_id for c in calls)


async def test_unknown_extension_is_not_found(client: TelphinClient) -> None:
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.get_phone("123")
    assert caught.value.status_code == 404
    assert "Record not found" in caught.value.message


@pytest.mark.parametrize("bad", ["", "12a", "../client", "1/2", "-5"])
async def test_extension_ids_are_checked_before_any_request(
    client: TelphinClient, emulator: TelphinEmulator, bad: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError):
        await client.get_phone(bad)
    assert emulator.requests == []


async def test_every_request_sends_gzip_and_the_bearer_token(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    """Ringme makes ``Accept-Encoding: gzip`` mandatory; the emulator gzips its answers."""
    ext = first_id(emulator)
    await client.get_client_info()
    await client.list_extensions()
    await client.get_phone(ext)
    await client.set_call_status(ext, None)
    await client.list_call_statuses()
    await client.list_current_calls()
    await client.list_registrations()
    await client.callback(ext, CallbackRequest(src_num=["00214*101"], dst_num="555"))
    assert len(emulator.requests) >= 9
    for request in emulator.requests:
        assert "gzip" in request.headers["accept-encoding"].split(", ")
    api = [r for r in emulator.requests if r.path.startswith(API)]
    tokens = set(emulator.tokens)
    assert all(
        r.headers["authorization"].removeprefix("Bearer ") in tokens for r in api
    )


async def test_answers_really_are_gzipped(
    http: httpx.AsyncClient, client: TelphinClient
) -> None:
    token = await client.auth.get_token()
    response = await http.get(
        "http://telphin.emulator.test/api/ver1.0/client/@me/",
        headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
    )
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["id"] == CLIENT_ID


async def test_token_request_is_form_encoded_client_credentials(
    client: TelphinClient, emulator: TelphinEmulator
) -> None:
    await client.get_client_info()
    token = emulator.requests[0]
    assert token.path == "/oauth/token"
    assert token.method == "POST"
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token.param("grant_type") == "client_credentials"
    assert token.param("client_id") == EMULATOR_CLIENT_ID
    assert "authorization" not in token.headers


@pytest.fixture
async def served() -> AsyncIterator[tuple[TelphinEmulator, str]]:
    emulator = TelphinEmulator()
    async with serve(emulator) as url:
        yield emulator, url


async def test_owned_http_client_over_a_real_socket(
    served: tuple[TelphinEmulator, str],
) -> None:
    """Without an injected client the client builds its own and closes it."""
    emulator, url = served
    async with TelphinClient(
        url, client_id=EMULATOR_CLIENT_ID, client_secret=EMULATOR_CLIENT_SECRET
    ) as client:
        assert len(await client.list_extensions()) == 24
        http = client._transport.client
    assert http.is_closed
    assert emulator.request_count("/oauth/token") == 1


async def test_injected_http_client_is_not_closed(
    http: httpx.AsyncClient, client: TelphinClient
) -> None:
    await client.get_client_info()
    await client.aclose()
    assert not http.is_closed
