"""AsyncClosing: ``async with`` hands back the object and always closes it."""

from __future__ import annotations

import pytest

from switchboard.core.backend import PbxBackend
from switchboard.core.lifecycle import AsyncClosing
from switchboard.core.transport import Transport


class Resource(AsyncClosing):
    def __init__(self) -> None:
        self.closed = 0

    async def aclose(self) -> None:
        self.closed += 1


async def test_async_with_returns_the_object_and_closes_it_once() -> None:
    resource = Resource()
    async with resource as entered:
        assert entered is resource
        assert resource.closed == 0
    assert resource.closed == 1


async def test_it_closes_when_the_block_fails_and_the_error_propagates() -> None:
    resource = Resource()
    with pytest.raises(LookupError):
        async with resource:
            raise LookupError
    assert resource.closed == 1


def test_transports_and_backends_share_it() -> None:
    assert issubclass(Transport, AsyncClosing)
    assert issubclass(PbxBackend, AsyncClosing)
