"""Bicom Systems PBXware: the vendor plugin."""

from __future__ import annotations

from switchboard.core.plugin import VendorPlugin
from switchboard.plugins.pbxware.backend import PbxwareBackend
from switchboard.plugins.pbxware.const import DISPLAY_NAME, VENDOR
from switchboard.plugins.pbxware.emulator import DEMO_API_KEY, PbxwareEmulator
from switchboard.plugins.pbxware.settings import PbxwareSettings

__all__ = ["PLUGIN", "PbxwareBackend", "PbxwareEmulator", "PbxwareSettings"]


# The demo tenant's destinations besides its DIDs, so every kind shows up.
_DEMO_OFFICE_HOURS = "ivr:2,dial_group:1,servers:1,queues:600,queues:601,erg:9"


def _demo_settings(url: str) -> PbxwareSettings:
    return PbxwareSettings.model_validate(
        {"url": url, "api_key": DEMO_API_KEY, "office_hours": _DEMO_OFFICE_HOURS}
    )


PLUGIN: VendorPlugin[PbxwareSettings] = VendorPlugin(
    name=VENDOR,
    display_name=DISPLAY_NAME,
    settings_model=PbxwareSettings,
    backend_factory=PbxwareBackend,
    emulator_factory=PbxwareEmulator,
    demo_settings=_demo_settings,
    description="Bicom Systems PBXware 6/7 (HTTP API with an API key)",
)
