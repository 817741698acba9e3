"""MiRTA PBX ("PBX Cloud") through its legacy proxy API, ``proxyapi.php``."""

from __future__ import annotations

from pydantic import SecretStr

from switchboard.core.plugin import VendorPlugin
from switchboard.plugins.mirta.backend import MirtaBackend
from switchboard.plugins.mirta.const import DISPLAY_NAME, VENDOR
from switchboard.plugins.mirta.emulator import DEMO_API_KEY, DEMO_TENANT, MirtaEmulator
from switchboard.plugins.mirta.settings import MirtaSettings

__all__ = ["PLUGIN", "MirtaBackend", "MirtaEmulator", "MirtaSettings"]


def _demo_settings(base_url: str) -> MirtaSettings:
    """Settings that reach a MiRTA emulator served at ``base_url``."""
    return MirtaSettings(
        url=base_url, api_key=SecretStr(DEMO_API_KEY), tenant=DEMO_TENANT
    )


PLUGIN: VendorPlugin[MirtaSettings] = VendorPlugin(
    name=VENDOR,
    display_name=DISPLAY_NAME,
    settings_model=MirtaSettings,
    backend_factory=MirtaBackend,
    emulator_factory=MirtaEmulator,
    demo_settings=_demo_settings,
    description="MiRTA PBX / PBX Cloud (legacy proxy API, proxyapi.php)",
)
