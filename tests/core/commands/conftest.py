"""Fixtures: the real command service over every landed vendor's emulator, in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core.demo import start_demo
from switchboard.core.registry import builtin_vendors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.core.demo import Demo


def landed_vendors() -> list[str]:
    """Built-in vendors whose plugin package exists and loads."""
    return builtin_vendors()


@pytest.fixture(params=landed_vendors())
async def vendor_demo(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Demo]:
    """A demo with one PBX: the parametrised vendor (alice admin, bob user)."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=[request.param]
    ) as demo:
        yield demo


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    """A demo with every landed vendor, reached in-process."""
    async with start_demo(state_dir=tmp_path, loopback=False) as running:
        yield running
