"""Telphin fixtures: a real client and backend against the emulator, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from switchboard.plugins.telphin import PLUGIN, TelphinSettings
from switchboard.plugins.telphin.backend import TelphinBackend
from switchboard.plugins.telphin.client import TelphinClient
from switchboard.plugins.telphin.emulator import (
    API,
    EMULATOR_CLIENT_ID,
    EMULATOR_CLIENT_SECRET,
    TOKEN_PATH,
    TelphinEmulator,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BASE_URL = "http://telphin.emulator.test"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "telphin"


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeClock:
    """A monotonic clock tests move by hand (shared by client and emulator)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def no_sleep(_: float) -> None:
    """Backoff without waiting."""


def api_requests(emulator: TelphinEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path.startswith(API))


def token_requests(emulator: TelphinEmulator) -> int:
    return sum(1 for r in emulator.requests if r.path == TOKEN_PATH)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> TelphinEmulator:
    return TelphinEmulator(clock=clock)


def emulator_http(emulator: TelphinEmulator) -> httpx.AsyncClient:
    """An httpx client whose requests go to ``emulator`` in-process."""
    # core's Emulator types its ASGI scope as dict, httpx wants MutableMapping.
    transport = httpx.ASGITransport(app=emulator)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport)


@pytest.fixture
async def http(emulator: TelphinEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with emulator_http(emulator) as client:
        yield client


def make_client(
    http: httpx.AsyncClient, clock: FakeClock, **overrides: Any
) -> TelphinClient:
    options: dict[str, Any] = {
        "client_id": EMULATOR_CLIENT_ID,
        "client_secret": EMULATOR_CLIENT_SECRET,
        "timeout": 0.5,
        "max_retries": 1,
        "http_client": http,
        "clock": clock,
        "sleep": no_sleep,
        **overrides,
    }
    return TelphinClient(BASE_URL, **options)


@pytest.fixture
def client(http: httpx.AsyncClient, clock: FakeClock) -> TelphinClient:
    return make_client(http, clock)


def make_backend(http: httpx.AsyncClient, **overrides: Any) -> TelphinBackend:
    settings = PLUGIN.demo_settings(BASE_URL).model_copy(
        update={"timeout": 0.5, "max_retries": 1, **overrides}
    )
    assert isinstance(settings, TelphinSettings)
    backend = PLUGIN.create_backend(settings, http)
    assert isinstance(backend, TelphinBackend)
    return backend


@pytest.fixture
def backend(http: httpx.AsyncClient) -> TelphinBackend:
    return make_backend(http)
