"""One backend per configured PBX, built on first use, sharing one pooled HTTP client."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx

from switchboard.core.errors import SwitchboardNotFoundError

if TYPE_CHECKING:
    from switchboard.core.backend import PbxBackend
    from switchboard.core.capabilities import Capability
    from switchboard.core.config import SwitchboardConfig
    from switchboard.core.models import Extension

# Extension lists change rarely (an admin adds a user), but every command needs
# the number -> vendor id mapping; caching it keeps a command at one PBX request.
DIRECTORY_SECONDS = 300.0
# A miss refreshes the list, but not more often than this, so typing a wrong
# number again and again does not hammer the PBX.
DIRECTORY_MIN_REFRESH = 5.0


class Directory:
    """A cached view of one PBX's extensions, by number."""

    def __init__(self, backend: PbxBackend) -> None:
        self._backend = backend
        self._by_number: dict[str, Extension] = {}
        self._loaded_at: float | None = None

    async def _refresh(self) -> None:
        extensions = await self._backend.list_extensions()
        self._by_number = {e.number: e for e in extensions}
        self._loaded_at = time.monotonic()

    def _age(self) -> float:
        return (
            float("inf")
            if self._loaded_at is None
            else time.monotonic() - self._loaded_at
        )

    async def extensions(self) -> list[Extension]:
        """Return every extension (refreshing a stale cache)."""
        if self._age() > DIRECTORY_SECONDS:
            await self._refresh()
        return list(self._by_number.values())

    async def numbers(self) -> set[str]:
        """Return every extension number."""
        return {e.number for e in await self.extensions()}

    async def find(self, number: str) -> Extension:
        """Return the extension with this number.

        Raises:
            SwitchboardNotFoundError: There is no such extension.
        """
        await self.extensions()
        found = self._by_number.get(number)
        if found is None and self._age() > DIRECTORY_MIN_REFRESH:
            await self._refresh()
            found = self._by_number.get(number)
        if found is None:
            msg = f"There is no extension {number} on {self._backend.display_name}."
            raise SwitchboardNotFoundError(msg, vendor=self._backend.vendor)
        return found


class BackendPool:
    """Builds backends lazily; they all borrow one ``httpx.AsyncClient``.

    Args:
        config: The configuration naming the PBXs.
        http_client: A client to share (never closed here); one is created
            (and closed by :meth:`aclose`) when ``None``.
    """

    def __init__(
        self, config: SwitchboardConfig, http_client: httpx.AsyncClient | None = None
    ) -> None:
        self._config = config
        self._client = http_client
        self._owns_client = http_client is None
        self._backends: dict[str, PbxBackend] = {}
        self._directories: dict[str, Directory] = {}

    def _http_client(self) -> httpx.AsyncClient:
        if self._client is None:
            # Per-request timeouts come from each connection's settings (the
            # Transport passes them); the pool limits are what is shared.
            self._client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
            )
        return self._client

    def get(self, pbx: str) -> PbxBackend:
        """Return the backend of the PBX called ``pbx`` (built on first use).

        Raises:
            SwitchboardConfigError: No such PBX is configured.
        """
        backend = self._backends.get(pbx)
        if backend is None:
            connection = self._config.connection(pbx)
            backend = connection.plugin.create_backend(
                connection.settings, self._http_client()
            )
            self._backends[pbx] = backend
        return backend

    def directory(self, pbx: str) -> Directory:
        """Return the extension directory of ``pbx``."""
        directory = self._directories.get(pbx)
        if directory is None:
            directory = Directory(self.get(pbx))
            self._directories[pbx] = directory
        return directory

    def capabilities(self, pbx: str) -> frozenset[Capability]:
        """Return what ``pbx`` supports (no request is made)."""
        return self.get(pbx).capabilities

    async def aclose(self) -> None:
        """Close every backend, then the shared client if this pool created it."""
        for backend in self._backends.values():
            await backend.aclose()
        self._backends.clear()
        self._directories.clear()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
