"""The TelecomX realtime feed: the real socket.io client against the emulator's server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from typing import TYPE_CHECKING

import aiohttp
import pytest
from pydantic import SecretStr

from switchboard.core import push
from switchboard.core.emulator import serve
from switchboard.core.push import PushKind, PushSignal
from switchboard.plugins.telecomx.backend import TelecomXBackend
from switchboard.plugins.telecomx.emulator import DEMO_API_TOKEN, TelecomXEmulator
from switchboard.plugins.telecomx.settings import TelecomXSettings
from tests.plugins.conftest import push_signals_of
from tests.waiting import until

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# Well above a loopback round trip, well below the polling interval.
WITHIN = 1.0
FEED_LOGGER = "switchboard.plugins.telecomx.realtime"


@pytest.fixture(autouse=True)
def quick_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(push, "RECONNECT_FIRST", 0.05)


async def subscribed(emulator: TelecomXEmulator, count: int = 1) -> None:
    """Wait until the emulator has registered the subscriptions (sent unacknowledged)."""
    await until(lambda: len(emulator.realtime.subscriptions) >= count, 5)


@contextlib.asynccontextmanager
async def following(
    emulator: TelecomXEmulator,
    token: str = DEMO_API_TOKEN,
    web_session: aiohttp.ClientSession | None = None,
) -> AsyncIterator[asyncio.Queue[PushSignal]]:
    """Serve the emulator and follow the backend's push stream into a queue."""
    async with serve(emulator) as url:
        settings = TelecomXSettings(
            url=url, api_token=SecretStr(token), customer_id=emulator.customer_id
        )
        backend = TelecomXBackend(settings)
        backend.web_session = web_session
        try:
            async with push_signals_of(backend) as queue:
                yield queue
        finally:
            await backend.aclose()


async def test_a_ring_and_a_hang_up_are_pushed_within_a_second() -> None:
    emulator = TelecomXEmulator()
    async with following(emulator) as signals:
        first = await asyncio.wait_for(signals.get(), WITHIN * 5)
        assert first.kind is PushKind.RESYNC
        await subscribed(emulator)
        call_id = emulator.ring("101", "+4533123456")
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        emulator.hang_up(call_id)
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        assert emulator.realtime.sent == ["CALL_START", "CALL_END"]


async def test_a_dropped_socket_reconnects_and_subscribes_again() -> None:
    emulator = TelecomXEmulator()
    async with following(emulator) as signals:
        assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
        await subscribed(emulator)
        await emulator.realtime.drop_all()
        assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.LOST
        # A resync after the reconnection: the consumer reads what it missed.
        assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
        await subscribed(emulator)
        emulator.ring("101", "+4533123456")
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.CALLS
        assert len(emulator.realtime.subscriptions) == 1


async def test_a_refused_token_yields_nothing_and_never_reaches_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = TelecomXEmulator()
    token = emulator.issue_token()
    caplog.set_level(logging.DEBUG)
    emulator.revoke_tokens()
    emulator.tokens.pop(token, None)
    async with following(emulator, token=token) as signals:
        await asyncio.sleep(0.5)
        emulator.ring("101", "+4533123456")
        await asyncio.sleep(0.2)
        assert signals.empty()
    assert emulator.realtime.subscriptions == {}
    assert "refused the token on its realtime feed" in caplog.text
    assert token not in caplog.text


async def test_presence_changes_are_pushed_as_status_signals() -> None:
    emulator = TelecomXEmulator()
    async with following(emulator) as signals:
        assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
        await subscribed(emulator)
        employee = next(iter(emulator.tenant.employees.values()))
        emulator.realtime.announce(
            "EMPLOYEE_PRESENCE_CHANGED", {"employee": employee["_id"]}
        )
        assert (await asyncio.wait_for(signals.get(), WITHIN)).kind is PushKind.STATUS


async def test_a_lent_session_carries_the_feed_and_is_never_closed() -> None:
    """Home Assistant lends its shared session: the feed uses it and leaves it open."""
    emulator = TelecomXEmulator()
    lent = aiohttp.ClientSession(headers={"User-Agent": "lender/1.0"})
    try:
        async with following(emulator, web_session=lent) as signals:
            assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
            await subscribed(emulator)
            # A dropped connection ends one socket.io client; the next one borrows too.
            await emulator.realtime.drop_all()
            assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.LOST
            assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
        gc.collect()  # Engine.IO's client tries to close the session it holds
        await asyncio.sleep(0)
        assert emulator.realtime.user_agents == ["lender/1.0", "lender/1.0"]
        assert not lent.closed
    finally:
        await lent.close()


async def test_without_a_lent_session_the_feed_uses_its_own() -> None:
    emulator = TelecomXEmulator()
    async with following(emulator) as signals:
        assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
    assert len(emulator.realtime.user_agents) == 1
    assert emulator.realtime.user_agents[0].startswith("Python/")


async def test_an_outage_logs_one_warning_and_one_line_when_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The emulator's server stops for a while: one WARNING, DEBUG after it, one INFO."""
    emulator = TelecomXEmulator()
    token = emulator.issue_token()
    caplog.set_level(logging.DEBUG, logger=FEED_LOGGER)
    server = contextlib.AsyncExitStack()
    url = await server.enter_async_context(serve(emulator))
    port = int(url.rsplit(":", 1)[1])
    settings = TelecomXSettings(
        url=url, api_token=SecretStr(token), customer_id=emulator.customer_id
    )
    backend = TelecomXBackend(settings)
    try:
        async with push_signals_of(backend) as signals:
            assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.RESYNC
            await subscribed(emulator)
            await server.aclose()  # the server stops: every reconnection is refused
            assert (await asyncio.wait_for(signals.get(), 5)).kind is PushKind.LOST
            await until(lambda: len(feed_lines(caplog, "failed")) >= 4, 10)
            async with serve(emulator, port=port):
                signal = await asyncio.wait_for(signals.get(), 10)
                assert signal.kind is PushKind.RESYNC
                # The outage, up to the feed being back (stopping the test drops it).
                outage = feed_lines(caplog)
    finally:
        await server.aclose()
        await backend.aclose()
    failed = [r for r in outage if "failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.WARNING] + [logging.DEBUG] * (
        len(failed) - 1
    )
    assert [r for r in outage if r.levelno >= logging.WARNING] == failed[:1]
    back = [r for r in outage if "is back" in r.getMessage()]
    assert [r.levelno for r in back] == [logging.INFO]
    assert back[0].created >= failed[-1].created
    assert all(token not in r.getMessage() for r in caplog.records)
    assert token not in caplog.text


def feed_lines(
    caplog: pytest.LogCaptureFixture, containing: str = ""
) -> list[logging.LogRecord]:
    """The realtime feed's log records (whose message contains ``containing``)."""
    return [
        r
        for r in caplog.records
        if r.name == FEED_LOGGER and containing in r.getMessage()
    ]
