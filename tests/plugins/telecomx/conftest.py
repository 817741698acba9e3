"""Fixtures: the real TelecomX client and backend against the emulator, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr

from switchboard.core.transport import RetryPolicy
from switchboard.plugins.telecomx.backend import TelecomXBackend
from switchboard.plugins.telecomx.client import TelecomXClient
from switchboard.plugins.telecomx.emulator import (
    DEMO_API_TOKEN,
    DEMO_PASSWORD,
    TelecomXEmulator,
)
from switchboard.plugins.telecomx.settings import TelecomXSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BASE_URL = "http://telecomx.emulator.test"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "telecomx"
FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeClock:
    """Monotonic seconds that tests move forward by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> TelecomXEmulator:
    return TelecomXEmulator(clock=clock)


def asgi_client(emulator: TelecomXEmulator) -> httpx.AsyncClient:
    # core's Emulator.__call__ types scope/messages as dict, httpx as MutableMapping.
    app: Any = emulator
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app))


@pytest.fixture
async def http(emulator: TelecomXEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(emulator) as client:
        yield client


@pytest.fixture
async def client(http: httpx.AsyncClient) -> AsyncIterator[TelecomXClient]:
    async with TelecomXClient(
        BASE_URL,
        api_token=SecretStr(DEMO_API_TOKEN),
        timeout=0.5,
        retry=FAST_RETRY,
        http_client=http,
    ) as built:
        yield built


def employee_login(emulator: TelecomXEmulator) -> str:
    return next(iter(emulator.logins))


@pytest.fixture
async def login_client(
    http: httpx.AsyncClient, emulator: TelecomXEmulator, clock: FakeClock
) -> AsyncIterator[TelecomXClient]:
    async with TelecomXClient(
        BASE_URL,
        username=employee_login(emulator),
        password=SecretStr(DEMO_PASSWORD),
        timeout=0.5,
        retry=FAST_RETRY,
        http_client=http,
        clock=clock,
    ) as built:
        yield built


@pytest.fixture
def settings() -> TelecomXSettings:
    return TelecomXSettings(
        url=BASE_URL, api_token=SecretStr(DEMO_API_TOKEN), timeout=0.5
    )


@pytest.fixture
async def backend(
    settings: TelecomXSettings, http: httpx.AsyncClient
) -> AsyncIterator[TelecomXBackend]:
    async with TelecomXBackend(settings, http, retry=FAST_RETRY) as built:
        yield built
