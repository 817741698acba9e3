"""Telphin webhooks: registered client-wide at the emulator, called by it, received once, removed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from switchboard.core.push import PushKind, PushSignal, WebhookInbox, WebhookVerdict
from switchboard.plugins.telphin.backend import TelphinBackend, TelphinDndBackend
from switchboard.plugins.telphin.const import WEBHOOK_STATUS_EVENT
from switchboard.plugins.telphin.emulator import (
    API,
    CLIENT_ID,
    DND_STATUS_NAME,
    TelphinEmulator,
)
from tests.plugins.conftest import push_signals_of
from tests.plugins.telphin.conftest import (
    BASE_URL,
    FakeClock,
    emulator_http,
    make_backend,
    make_client,
)
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

RECEIVER = "https://ha.example.net/api/webhook/switchboard_entry_"
WITHIN = 1.0
CALL_EVENTS = ["answer", "dial-in", "dial-out", "hangup"]
PHONE_EVENTS = f"{API}/client/@me/phone_events/"


def wire(emulator: TelphinEmulator, inbox: WebhookInbox) -> list[WebhookVerdict]:
    """Let the emulator's calls reach ``inbox`` as a receiving route would."""
    verdicts: list[WebhookVerdict] = []

    async def deliver(url: str, fields: dict[str, str]) -> None:
        assert url.startswith(RECEIVER)
        verdicts.append(inbox.deliver(url.removeprefix(RECEIVER), fields))

    emulator.webhooks.deliver = deliver
    return verdicts


@contextlib.asynccontextmanager
async def pushing(backend: TelphinBackend) -> AsyncIterator[asyncio.Queue[PushSignal]]:
    async with push_signals_of(backend) as queue:
        assert (await asyncio.wait_for(queue.get(), 5)).kind is PushKind.RESYNC
        yield queue


def dnd_id(emulator: TelphinEmulator) -> int:
    return next(s["id"] for s in emulator.call_statuses if s["name"] == DND_STATUS_NAME)


def webhook_requests(emulator: TelphinEmulator) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in emulator.requests
        if "/phone_events" in r.path or "/event" in r.path
    ]


# -- the client, field for field against page 247824385 ------------------------------


async def test_client_wide_requests_are_sent_as_the_page_documents() -> None:
    """POST {url, event_type, method}; answer {url, method, event_type, id}; GET; DELETE."""
    url = f"{RECEIVER}secret"
    answer = {"url": url, "method": "POST", "event_type": "hangup", "id": 77}
    with respx.mock(assert_all_called=True) as router:
        router.post(f"{BASE_URL}/oauth/token").respond(
            json={"access_token": "tok", "token_type": "Bearer", "expires_in": 3600}
        )
        added = router.post(f"{BASE_URL}{PHONE_EVENTS}").respond(201, json=answer)
        listed = router.get(f"{BASE_URL}{PHONE_EVENTS}").respond(json=[answer])
        deleted = router.delete(f"{BASE_URL}{PHONE_EVENTS[:-1]}/77").respond(204)
        async with httpx.AsyncClient() as http:
            client = make_client(http, FakeClock())
            created = await client.add_phone_event(url, "hangup")
            rows = await client.list_phone_events()
            await client.delete_phone_event(created.id)
    sent = added.calls.last.request
    assert json.loads(sent.content) == {
        "url": url,
        "event_type": "hangup",
        "method": "POST",
    }
    assert sent.headers["Authorization"] == "Bearer tok"
    assert (created.id, created.url, created.method, created.event_type) == (
        77,
        url,
        "POST",
        "hangup",
    )
    assert rows == [created]
    assert listed.call_count == 1
    assert deleted.call_count == 1
    assert added.call_count == 1  # a registration is never retried


# -- the emulator serves the resource ---------------------------------------------------


async def test_the_emulator_serves_the_client_wide_resource(
    emulator: TelphinEmulator, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    client = make_client(http, clock)
    created = await client.add_phone_event(f"{RECEIVER}x", WEBHOOK_STATUS_EVENT)
    assert emulator.webhooks.phone_events[created.id]["event_type"] == (
        WEBHOOK_STATUS_EVENT
    )
    assert [e.id for e in await client.list_phone_events()] == [created.id]
    token = await client.auth.get_token()
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    path = f"{BASE_URL}{PHONE_EVENTS[:-1]}"
    # Unknown ids and unknown clients: 404; an unknown type: 400.
    assert (await http.delete(f"{path}/999", headers=headers)).status_code == 404
    other = path.replace("@me", "1")
    assert (await http.get(other, headers=headers)).status_code == 404
    bad = {"url": f"{RECEIVER}x", "method": "POST", "event_type": "fax"}
    assert (await http.post(path, json=bad, headers=headers)).status_code == 400
    by_number = path.replace("@me", str(CLIENT_ID))
    assert (await http.get(by_number, headers=headers)).json()[0]["id"] == created.id
    await client.delete_phone_event(created.id)
    assert emulator.webhooks.phone_events == {}
    assert (await http.delete(f"{path}/{created.id}", headers=headers)).status_code == (
        404
    )


async def test_a_call_status_change_calls_back_with_the_documented_fields(
    emulator: TelphinEmulator, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    client = make_client(http, clock)
    await client.add_phone_event(f"{RECEIVER}x", WEBHOOK_STATUS_EVENT)
    sent: list[dict[str, str]] = []

    async def deliver(url: str, fields: dict[str, str]) -> None:
        del url
        sent.append(fields)

    emulator.webhooks.deliver = deliver
    ext_id, extension = next(iter(emulator.extensions.items()))
    await client.set_call_status(str(ext_id), dnd_id(emulator))
    emulator.set_call_status(ext_id, dnd_id(emulator))  # no change: no callback
    await until(lambda: bool(sent), WITHIN)
    (fields,) = sent
    assert set(fields) == {
        "old_status_id",
        "new_status_id",
        "extension_id",
        "change_dt",
        "event_type",
        "client_id",
        "extension_name",
    }
    assert fields["event_type"] == "call-status-change"
    assert fields["new_status_id"] == str(dnd_id(emulator))
    assert fields["old_status_id"] == ""
    assert fields["extension_id"] == str(ext_id)
    assert fields["client_id"] == str(CLIENT_ID)
    assert fields["extension_name"] == extension["name"]
    assert fields["change_dt"] == emulator.phones[ext_id]["call_status_set_dt"]


# -- the backend ------------------------------------------------------------------------


async def test_webhooks_are_registered_client_wide_called_and_removed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    inbox = backend.receive_webhooks_at(RECEIVER)
    verdicts = wire(emulator, inbox)
    extensions = await backend.list_extensions()
    async with pushing(backend) as signals:
        kinds = sorted(e["event_type"] for e in emulator.webhooks.phone_events.values())
        assert kinds == sorted([*CALL_EVENTS, WEBHOOK_STATUS_EVENT])
        assert emulator.webhooks.events == {}  # nothing per extension
        # The secret token is in every registered URL, nowhere guessable.
        assert all(
            e["url"] == f"{RECEIVER}{inbox.token}"
            for e in emulator.webhooks.phone_events.values()
        )
        call_id = emulator.ring(extensions[-1].number, "+74951234567")
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        emulator.hang_up(call_id)
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        assert verdicts == [WebhookVerdict.ACCEPTED] * 2
    # Unloaded: nothing of ours is left at the vendor.
    assert emulator.webhooks.phone_events == {}
    assert emulator.webhooks.events == {}


@pytest.mark.parametrize("count", [1, 24, 250])
async def test_registration_costs_the_same_whatever_the_number_of_extensions(
    count: int, clock: FakeClock
) -> None:
    emulator = TelphinEmulator(count, clock=clock)
    async with emulator_http(emulator) as http:
        backend = make_backend(http)
        wire(emulator, backend.receive_webhooks_at(RECEIVER))
        async with pushing(backend):
            assert len(emulator.webhooks.phone_events) == 5
            # One list (leftovers), five registrations; no extension is read.
            assert webhook_requests(emulator) == [
                f"GET {PHONE_EVENTS}",
                *[f"POST {PHONE_EVENTS}"] * 5,
            ]
            assert not any("/extension" in r.path for r in emulator.requests)
        assert webhook_requests(emulator)[6:] == [
            f"DELETE {PHONE_EVENTS[:-1]}/{i}" for i in (5, 4, 3, 2, 1)
        ]
        assert emulator.webhooks.phone_events == {}


async def test_an_extension_created_after_setup_is_covered(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    verdicts = wire(emulator, backend.receive_webhooks_at(RECEIVER))
    async with pushing(backend) as signals:
        new_id = emulator.add_extension()
        number = emulator.extensions[new_id]["name"].rpartition("*")[2]
        emulator.ring(number, "+74951234567")
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        assert verdicts == [WebhookVerdict.ACCEPTED]
        assert len(emulator.webhooks.phone_events) == 5


async def test_a_dnd_change_elsewhere_is_pushed_and_read_at_the_next_refresh(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    assert isinstance(backend, TelphinDndBackend)
    wire(emulator, backend.receive_webhooks_at(RECEIVER))
    statuses = await backend.get_statuses()  # every phone seen once
    # The last phone read: the round-robin would reach it last.
    target = statuses[-1].extension
    assert statuses[-1].dnd is False
    async with pushing(backend) as signals:
        emulator.set_call_status(int(target.id), dnd_id(emulator))  # the web panel
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.STATUS
        phone_reads = len(emulator.requests)
        after = {s.extension.id: s.dnd for s in await backend.get_statuses()}
        assert after[target.id] is True
        # The lists, the changed phone, and the round-robin's two; nothing more.
        reads = [r.path for r in emulator.requests[phone_reads:]]
        assert sum(p.endswith("/phone/") for p in reads) == 3
        assert f"{API}/extension/{target.id}/phone/" in reads


async def test_a_dnd_switched_through_switchboard_is_pushed_too(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    wire(emulator, backend.receive_webhooks_at(RECEIVER))
    extension = (await backend.list_extensions())[0]
    async with pushing(backend) as signals:
        await backend.set_dnd(extension.id, enabled=True)
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.STATUS


async def test_without_dnd_call_status_changes_are_not_registered(
    http: httpx.AsyncClient, emulator: TelphinEmulator
) -> None:
    backend = make_backend(http, dnd_call_status=None)
    assert type(backend) is TelphinBackend
    inbox = backend.receive_webhooks_at(RECEIVER)
    wire(emulator, inbox)
    async with pushing(backend):
        kinds = sorted(e["event_type"] for e in emulator.webhooks.phone_events.values())
        assert kinds == CALL_EVENTS
    change = {"event_type": "call-status-change", "extension_id": "29150"}
    assert inbox.deliver(inbox.token, change) is WebhookVerdict.REFUSED


async def test_a_webhook_delivered_twice_has_one_effect(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    verdicts = wire(emulator, backend.receive_webhooks_at(RECEIVER))
    emulator.webhooks.repeat = 2
    number = (await backend.list_extensions())[0].number
    async with pushing(backend) as signals:
        emulator.ring(number, "+74951234567")
        await until(lambda: len(verdicts) == 2, WITHIN)
        assert verdicts == [WebhookVerdict.ACCEPTED, WebhookVerdict.DUPLICATE]
        assert (await signals.get()).kind is PushKind.CALLS
        emulator.set_call_status(next(iter(emulator.extensions)), dnd_id(emulator))
        await until(lambda: len(verdicts) == 4, WITHIN)
        assert verdicts[2:] == [WebhookVerdict.ACCEPTED, WebhookVerdict.DUPLICATE]
        assert (await signals.get()).kind is PushKind.STATUS
        await asyncio.sleep(0.05)
        assert signals.empty()


async def test_unknown_or_unauthenticated_webhooks_are_refused(
    backend: TelphinBackend,
) -> None:
    inbox = backend.receive_webhooks_at(RECEIVER)
    call = {"EventType": "hangup", "CallID": "c1", "CallerIDNum": "+74951234567"}
    change: dict[str, Any] = {
        "event_type": "call-status-change",
        "extension_id": "29150",
        "old_status_id": "",
        "new_status_id": "302",
    }
    assert inbox.deliver("guessed-token", call) is WebhookVerdict.REFUSED
    assert inbox.deliver("guessed-token", change) is WebhookVerdict.REFUSED
    assert inbox.deliver(inbox.token, {**call, "EventType": "voicemail"}) is (
        WebhookVerdict.REFUSED
    )
    assert inbox.deliver(inbox.token, {**change, "event_type": "note"}) is (
        WebhookVerdict.REFUSED
    )
    # Each field carries its own types only.
    assert inbox.deliver(inbox.token, {"EventType": "call-status-change"}) is (
        WebhookVerdict.REFUSED
    )
    assert inbox.deliver(inbox.token, {"event_type": "hangup"}) is (
        WebhookVerdict.REFUSED
    )
    assert inbox.deliver(inbox.token, {"CallID": "c1"}) is WebhookVerdict.REFUSED
    # Refused calls changed nothing: the first real ones are accepted, not repeats.
    assert inbox.deliver(inbox.token, call) is WebhookVerdict.ACCEPTED
    assert inbox.deliver(inbox.token, change) is WebhookVerdict.ACCEPTED
    assert repr(inbox).count(inbox.token) == 0
    assert inbox.token not in repr(backend)


async def test_registrations_an_earlier_run_left_are_removed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    stale = await backend.client.add_phone_event(f"{RECEIVER}old", "hangup")
    foreign = await backend.client.add_phone_event(
        "https://crm.example.org/hook", "hangup"
    )
    wire(emulator, backend.receive_webhooks_at(RECEIVER))
    async with pushing(backend):
        assert stale.id not in emulator.webhooks.phone_events
        assert foreign.id in emulator.webhooks.phone_events  # not ours: left alone
        assert len(emulator.webhooks.phone_events) == 6
    assert set(emulator.webhooks.phone_events) == {foreign.id}


async def test_a_removal_that_fails_is_logged_and_left_for_the_next_setup(
    backend: TelphinBackend,
    emulator: TelphinEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    inbox = backend.receive_webhooks_at(RECEIVER)
    wire(emulator, inbox)
    async with pushing(backend):
        emulator.webhooks.phone_events.clear()  # removed elsewhere meanwhile: 404s
    assert "Could not remove a Telphin webhook" in caplog.text
    assert inbox.token not in caplog.text


async def test_without_a_reachable_url_nothing_is_pushed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    assert [s async for s in backend.push_signals()] == []
    assert emulator.webhooks.phone_events == {}
    assert webhook_requests(emulator) == []
