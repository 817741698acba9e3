"""Fixtures for the PBXware tests: the real client and backend against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from switchboard.plugins.pbxware import PLUGIN
from switchboard.plugins.pbxware.backend import PbxwareBackend
from switchboard.plugins.pbxware.client import PbxwareClient
from switchboard.plugins.pbxware.emulator import DEMO_API_KEY, PbxwareEmulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BASE_URL = "http://pbx.emulator.test"
SERVER = "1"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "pbxware"


def load_fixture(name: str) -> Any:
    """Return the response of a fixture copied from the PBXware manual."""
    document = json.loads((FIXTURES / f"{name}.json").read_text())
    assert document["source"].startswith("shared/seeds/003_efadcb813d8a2e7f.txt")
    return document["response"]


class Sleeps:
    """Records the back-off delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def emulator() -> PbxwareEmulator:
    return PbxwareEmulator()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(
    emulator: PbxwareEmulator,
    sleeps: Sleeps,
    *,
    api_key: str = DEMO_API_KEY,
    timeout: float = 0.5,
    max_retries: int = 2,
) -> PbxwareClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    return PbxwareClient(
        BASE_URL,
        api_key,
        timeout=timeout,
        max_retries=max_retries,
        http_client=http,
        sleep=sleeps,
    )


@pytest.fixture
async def client(
    emulator: PbxwareEmulator, sleeps: Sleeps
) -> AsyncIterator[PbxwareClient]:
    built = make_client(emulator, sleeps)
    yield built
    await built.transport.client.aclose()


def make_backend(emulator: PbxwareEmulator, **overrides: Any) -> PbxwareBackend:
    settings = PLUGIN.demo_settings(BASE_URL).model_copy(update=overrides)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    backend = PLUGIN.create_backend(settings, http)
    assert isinstance(backend, PbxwareBackend)
    return backend


@pytest.fixture
async def backend(emulator: PbxwareEmulator) -> AsyncIterator[PbxwareBackend]:
    built = make_backend(emulator, max_retries=0)
    yield built
    await built.client.transport.client.aclose()
