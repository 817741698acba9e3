"""Telphin webhooks: registered at the emulator, called by it, received once, removed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from switchboard.core.push import PushKind, PushSignal, WebhookInbox, WebhookVerdict
from tests.plugins.conftest import push_signals_of
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.plugins.telphin.backend import TelphinBackend
    from switchboard.plugins.telphin.emulator import TelphinEmulator

RECEIVER = "https://ha.example.net/api/webhook/switchboard_entry_"
WITHIN = 1.0


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


async def test_webhooks_are_registered_called_and_removed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    inbox = backend.receive_webhooks_at(RECEIVER)
    verdicts = wire(emulator, inbox)
    extensions = await backend.list_extensions()
    async with pushing(backend) as signals:
        kinds = sorted({e["event_type"] for e in emulator.webhooks.events.values()})
        assert kinds == ["answer", "dial-in", "dial-out", "hangup"]
        assert len(emulator.webhooks.events) == 4 * len(extensions)
        # The secret token is in every registered URL, nowhere guessable.
        assert all(
            e["url"] == f"{RECEIVER}{inbox.token}"
            for e in emulator.webhooks.events.values()
        )
        call_id = emulator.ring(extensions[0].number, "+74951234567")
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        emulator.hang_up(call_id)
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        assert verdicts == [WebhookVerdict.ACCEPTED] * 2
    # Unloaded: nothing of ours is left at the vendor.
    assert emulator.webhooks.events == {}


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
        await asyncio.sleep(0.05)
        assert signals.empty()


async def test_unknown_or_unauthenticated_webhooks_are_refused(
    backend: TelphinBackend,
) -> None:
    inbox = backend.receive_webhooks_at(RECEIVER)
    call = {"EventType": "hangup", "CallID": "c1", "CallerIDNum": "+74951234567"}
    assert inbox.deliver("guessed-token", call) is WebhookVerdict.REFUSED
    assert inbox.deliver(inbox.token, {**call, "EventType": "voicemail"}) is (
        WebhookVerdict.REFUSED
    )
    assert inbox.deliver(inbox.token, {"CallID": "c1"}) is WebhookVerdict.REFUSED
    # Refused calls changed nothing: the first real one is accepted, not a repeat.
    assert inbox.deliver(inbox.token, call) is WebhookVerdict.ACCEPTED
    assert repr(inbox).count(inbox.token) == 0


async def test_registrations_an_earlier_run_left_are_removed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    extension = (await backend.list_extensions())[0]
    stale = await backend.client.add_event(extension.id, f"{RECEIVER}old", "hangup")
    foreign = await backend.client.add_event(
        extension.id, "https://crm.example.org/hook", "hangup"
    )
    wire(emulator, backend.receive_webhooks_at(RECEIVER))
    async with pushing(backend):
        assert stale.id not in emulator.webhooks.events
        assert foreign.id in emulator.webhooks.events  # not ours: left alone
    assert set(emulator.webhooks.events) == {foreign.id}


async def test_without_a_reachable_url_nothing_is_pushed(
    backend: TelphinBackend, emulator: TelphinEmulator
) -> None:
    assert [s async for s in backend.push_signals()] == []
    assert emulator.webhooks.events == {}
