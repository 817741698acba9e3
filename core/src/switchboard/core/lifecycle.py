"""``async with`` for everything Switchboard closes: transports, clients, backends.

Each of them releases its resources in ``aclose()``; this mixin makes
``async with x:`` call it on the way out, whatever happened inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from types import TracebackType


class AsyncClosing:
    """Mixin: ``async with`` returns the object itself and awaits ``aclose()`` at exit."""

    async def aclose(self) -> None:
        """Release what this object holds (nothing by default)."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
