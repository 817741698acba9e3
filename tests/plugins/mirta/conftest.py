"""Fixtures: the real MiRTA client and backend against the MiRTA emulator, in-process."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.plugins.mirta import PLUGIN
from switchboard.plugins.mirta.backend import MirtaBackend
from switchboard.plugins.mirta.client import MirtaClient, ResponseFormat
from switchboard.plugins.mirta.emulator import DEMO_API_KEY, DEMO_TENANT, MirtaEmulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BASE_URL = "http://mirta.emulator.test"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "mirta"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def no_sleep(_: float) -> None:
    """Retries without waiting, so retry tests stay fast."""


def make_client(
    emulator: MirtaEmulator,
    response_format: ResponseFormat = "json",
    *,
    api_key: str = DEMO_API_KEY,
    tenant: str = DEMO_TENANT,
    timeout: float = 2.0,
    max_retries: int = 2,
) -> MirtaClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    client = MirtaClient(
        BASE_URL,
        api_key=api_key,
        tenant=tenant,
        timeout=timeout,
        max_retries=max_retries,
        http_client=http,
        response_format=response_format,
    )
    client.transport._sleep = no_sleep
    return client


def make_backend(emulator: MirtaEmulator, **overrides: object) -> MirtaBackend:
    settings = PLUGIN.demo_settings(BASE_URL).model_copy(update=overrides)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    backend = MirtaBackend(settings, http)
    backend.client.transport._sleep = no_sleep
    return backend


@pytest.fixture
def emulator() -> MirtaEmulator:
    return MirtaEmulator()


@pytest.fixture(params=["json", "plain"])
async def client(
    request: pytest.FixtureRequest, emulator: MirtaEmulator
) -> AsyncIterator[MirtaClient]:
    """The client in both response formats."""
    built = make_client(emulator, request.param)
    yield built
    await built.transport.client.aclose()


@pytest.fixture
async def json_client(emulator: MirtaEmulator) -> AsyncIterator[MirtaClient]:
    built = make_client(emulator, "json")
    yield built
    await built.transport.client.aclose()


@pytest.fixture
async def backend(emulator: MirtaEmulator) -> AsyncIterator[MirtaBackend]:
    built = make_backend(emulator)
    yield built
    await built.client.transport.client.aclose()
