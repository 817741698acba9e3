"""A vendor emulator on a loopback port (in a thread) and a config file pointing at it."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

from switchboard.core.emulator import serve
from switchboard.core.registry import available_vendors

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from switchboard.core.emulator import Emulator

VENDOR = "mirta"  # DND, click-to-dial and flows: enough for every exit code


class EmulatorThread(threading.Thread):
    """Serves one emulator on loopback from its own event loop."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(daemon=True)
        self.emulator = emulator
        self.url = ""
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        async with serve(self.emulator) as url:
            self.url = url
            self.ready.set()
            # the stop signal comes from another thread: poll it
            await asyncio.to_thread(self.stopping.wait)


@dataclass
class ConfiguredPbx:
    path: Path
    emulator: Emulator
    alice: str
    bob: str


def _toml_value(value: Any) -> str:
    return json.dumps(value)


async def _two_extensions(plugin: Any, url: str) -> tuple[str, str]:
    backend = plugin.create_backend(plugin.demo_settings(url))
    try:
        statuses = await backend.get_statuses()
    finally:
        await backend.aclose()
    numbers = sorted(s.extension.number for s in statuses)
    return numbers[0], numbers[1]


@pytest.fixture
def configured_pbx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ConfiguredPbx]:
    yield from _configured(VENDOR, tmp_path, monkeypatch)


@pytest.fixture
def configured_pbxware(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ConfiguredPbx]:
    """PBXware: enhanced services and every forwarding rule."""
    yield from _configured("pbxware", tmp_path, monkeypatch)


def _configured(
    vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ConfiguredPbx]:
    plugin = available_vendors()[vendor]
    thread = EmulatorThread(plugin.emulator_factory())
    thread.start()
    assert thread.ready.wait(10)
    settings = plugin.demo_settings(thread.url)
    lines = ['default_pbx = "office"', "", "[pbx.office]", f'vendor = "{vendor}"']
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            monkeypatch.setenv(f"SB_TEST_{name.upper()}", value.get_secret_value())
            lines.append(f'{name} = "${{SB_TEST_{name.upper()}}}"')
        elif value is not None:
            lines.append(f"{name} = {_toml_value(value)}")
    alice, bob = asyncio.run(_two_extensions(plugin, thread.url))
    lines += [
        "",
        "[policy]",
        'admins = ["alice"]',
        "",
        "[state]",
        f'database_url = "sqlite+aiosqlite:///{tmp_path / "state.db"}"',
        "",
        "[users.alice]",
        f'extension = "{alice}"',
        "",
        "[users.bob]",
        f'extension = "{bob}"',
    ]
    path = tmp_path / "switchboard.toml"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    yield ConfiguredPbx(path, thread.emulator, alice, bob)
    thread.stopping.set()
    thread.join(10)
