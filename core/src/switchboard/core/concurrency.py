"""Run several PBX requests at once without leaving stragglers behind.

``asyncio.gather`` lets the other requests run on after the first one fails,
and a ``TaskGroup`` wraps the error in an ``ExceptionGroup`` that callers
(the command layer, Home Assistant) do not expect. :func:`gather_or_cancel`
cancels the rest and re-raises the original Switchboard error.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Awaitable


async def gather_or_cancel(*awaitables: Awaitable[Any]) -> list[Any]:
    """Await ``awaitables`` concurrently; return their results in order.

    On the first failure the others are cancelled (and awaited, so none is left
    pending) and that first error is raised unchanged.
    """
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
