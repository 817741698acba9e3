"""A tiny fake vendor for core tests (real vendors are tested in tests/plugins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import SecretStr

from switchboard.core.backend import PbxBackend
from switchboard.core.capabilities import Capability
from switchboard.core.emulator import Emulator, Request, Response
from switchboard.core.models import AccountInfo, Extension, ExtensionStatus
from switchboard.core.plugin import ConnectionSettings, VendorPlugin

if TYPE_CHECKING:
    import httpx


class FakeSettings(ConnectionSettings):
    api_key: SecretStr
    tenant: str = "main"


class FakeEmulator(Emulator):
    vendor = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.dnd: dict[str, bool] = {"100": False, "101": True}
        self.add_route("GET", "/extensions", self._extensions)

    async def _extensions(self, request: Request) -> Response:
        return Response.json([{"number": n, "dnd": d} for n, d in self.dnd.items()])


class FakeBackend(PbxBackend):
    vendor = "fake"
    display_name = "FakePBX"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.STATUS})

    def __init__(
        self, settings: FakeSettings, client: httpx.AsyncClient | None
    ) -> None:
        self.settings = settings
        self.client = client

    async def account_info(self) -> AccountInfo:
        return AccountInfo(vendor="fake", unique_id=self.settings.tenant, name="Fake")

    async def list_extensions(self) -> list[Extension]:
        return [Extension(id="100", number="100")]

    async def get_statuses(
        self, extension_ids: list[str] | None = None
    ) -> list[ExtensionStatus]:
        return [ExtensionStatus(extension=e) for e in await self.list_extensions()]


def fake_plugin(name: str) -> VendorPlugin[FakeSettings]:
    return VendorPlugin(
        name=name,
        display_name="FakePBX",
        settings_model=FakeSettings,
        backend_factory=FakeBackend,
        emulator_factory=FakeEmulator,
        demo_settings=lambda url: FakeSettings(
            url=url, api_key=SecretStr("fake-key-123")
        ),
    )
