"""Fixtures that run a real vendor client against that vendor's emulator, in-process."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from switchboard.core.registry import available_vendors, builtin_vendors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator
    from switchboard.core.plugin import ConnectionSettings, VendorPlugin
    from switchboard.core.push import PushSignal

EMULATOR_BASE_URL = "http://pbx.emulator.test"


@dataclass
class Rig:
    """A backend wired to its vendor's emulator."""

    plugin: VendorPlugin[Any]
    emulator: Emulator
    settings: ConnectionSettings
    backend: PbxBackend
    http_client: httpx.AsyncClient
    """Injected, so the backend never closes it: whoever made the rig does."""


def landed_vendors() -> list[str]:
    """Built-in vendors whose plugin package exists and loads."""
    return builtin_vendors()


async def make_rig(plugin: VendorPlugin[Any], **overrides: Any) -> Rig:
    """Build an emulator and a backend that talks to it through ASGITransport."""
    emulator = plugin.emulator_factory()
    settings = plugin.demo_settings(EMULATOR_BASE_URL).model_copy(update=overrides)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    backend = plugin.create_backend(settings, client)
    return Rig(plugin, emulator, settings, backend, client)


@pytest.fixture(params=landed_vendors())
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """One rig per landed vendor, with fast timeouts and one quick retry."""
    plugin = available_vendors()[request.param]
    built = await make_rig(plugin, timeout=0.5, max_retries=1)
    yield built
    await built.backend.aclose()
    await built.http_client.aclose()


@contextlib.asynccontextmanager
async def push_signals_of(
    backend: PbxBackend,
) -> AsyncIterator[asyncio.Queue[PushSignal]]:
    """Follow ``backend``'s push stream into a queue; cancel the stream on exit."""
    queue: asyncio.Queue[PushSignal] = asyncio.Queue()

    async def pump() -> None:
        async for signal in backend.push_signals():
            queue.put_nowait(signal)

    task = asyncio.create_task(pump())
    try:
        yield queue
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
