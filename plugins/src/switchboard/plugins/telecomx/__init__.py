"""TelecomX (Denmark): the vendor plugin.

REST + JSON on https://api.telecomx.dk, 24-hex ids, token auth (an employee API
token, or username and password with 15-minute login tokens), HTTP status +
short error code. Per-phone DND, employee presence, switches, on-demand
recording. See vendor-apis.md §3 and §7 (T1-T7).
"""

from __future__ import annotations

from pydantic import SecretStr

from switchboard.core.plugin import VendorPlugin
from switchboard.plugins.telecomx.backend import TelecomXBackend
from switchboard.plugins.telecomx.const import DISPLAY_NAME, VENDOR
from switchboard.plugins.telecomx.emulator import DEMO_API_TOKEN, TelecomXEmulator
from switchboard.plugins.telecomx.settings import TelecomXSettings

__all__ = ["PLUGIN", "TelecomXBackend", "TelecomXEmulator", "TelecomXSettings"]


def _demo_settings(base_url: str) -> TelecomXSettings:
    return TelecomXSettings(url=base_url, api_token=SecretStr(DEMO_API_TOKEN))


PLUGIN: VendorPlugin[TelecomXSettings] = VendorPlugin(
    name=VENDOR,
    display_name=DISPLAY_NAME,
    settings_model=TelecomXSettings,
    backend_factory=TelecomXBackend,
    emulator_factory=TelecomXEmulator,
    demo_settings=_demo_settings,
    description="TelecomX hosted PBX (Denmark)",
)
