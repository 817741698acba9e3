"""gather_or_cancel: results in order, and no request left running after a failure."""

from __future__ import annotations

import asyncio

import pytest

from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import SwitchboardConnectionError


async def _after(seconds: float, value: str) -> str:
    await asyncio.sleep(seconds)
    return value


async def test_results_come_back_in_argument_order() -> None:
    assert await gather_or_cancel(_after(0.02, "a"), _after(0, "b")) == ["a", "b"]


async def test_nothing_to_await_gives_an_empty_list() -> None:
    assert await gather_or_cancel() == []


async def test_the_first_error_is_raised_and_the_rest_are_cancelled() -> None:
    finished: list[str] = []
    slow_started = asyncio.Event()

    async def slow() -> None:
        slow_started.set()
        await asyncio.sleep(10)
        finished.append("slow")

    async def failing() -> None:
        await slow_started.wait()
        msg = "PBX unreachable"
        raise SwitchboardConnectionError(msg, vendor="fake")

    slow_task = asyncio.ensure_future(slow())
    with pytest.raises(SwitchboardConnectionError, match="PBX unreachable"):
        await gather_or_cancel(slow_task, failing())
    # Not an ExceptionGroup, and the sibling is cancelled, not left running.
    assert slow_task.cancelled()
    assert finished == []
