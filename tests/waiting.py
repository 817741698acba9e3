"""Waiting for something another task (a socket, a server) makes true, with a clock."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# Fine enough to measure sub-second push latencies.
STEP = 0.005


async def until(condition: Callable[[], bool], seconds: float) -> float:
    """Wait until ``condition()`` holds; return how long it took (TimeoutError after ``seconds``).

    Polled, not awaited: the conditions are states of Home Assistant, a fake Slack or
    an emulator that offer nothing to await.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - see the docstring
            await asyncio.sleep(STEP)
    return loop.time() - start
