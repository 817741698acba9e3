"""The lifecycle every vendor client and client-backed backend share.

A vendor client owns exactly one core :class:`~switchboard.core.transport.Transport` and is
closed with ``aclose()`` or ``async with``; what it does between (its endpoints,
its ``_request`` chokepoint, its in-band errors) is the vendor's own business.
:class:`VendorClient` holds that transport so the lifecycle is written once, and
:class:`ClientBackend` does the same for a backend built on one such client:
closing the backend closes the client, and the quota is the one its transport
saw last. An injected ``httpx.AsyncClient`` (Home Assistant's shared one) is
never closed: the transport only closes a client it created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from switchboard.core.backend import PbxBackend
from switchboard.core.lifecycle import AsyncClosing

if TYPE_CHECKING:
    from switchboard.core.models import RateLimitState
    from switchboard.core.transport import Transport


class VendorClient(AsyncClosing):
    """Base of a vendor API client: holds its transport and closes it.

    Args:
        transport: The vendor's configured transport; the client owns it.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        # The transport's repr shows the vendor and the redacted URL, never secrets.
        return f"{type(self).__name__}({self._transport!r})"

    @property
    def transport(self) -> Transport:
        """The transport (for its rate-limit memory and tests)."""
        return self._transport

    @property
    def rate_limit(self) -> RateLimitState | None:
        """The quota the vendor (or a proxy in front of it) reported last."""
        return self._transport.rate_limit

    async def aclose(self) -> None:
        """Close the HTTP client if this client created it."""
        await self._transport.aclose()


ClientT = TypeVar("ClientT", bound=VendorClient)


class ClientBackend(PbxBackend, Generic[ClientT]):
    """A backend that maps capabilities onto one vendor client, ``self.client``.

    The subclass builds the client in its ``__init__`` and assigns ``client``.
    """

    client: ClientT

    async def aclose(self) -> None:
        """Close the client's HTTP client if it created one."""
        await self.client.aclose()

    @property
    def rate_limit(self) -> RateLimitState | None:
        """The quota the vendor reported on the client's last answer."""
        return self.client.rate_limit
