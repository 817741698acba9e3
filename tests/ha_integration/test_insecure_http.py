"""Credentials typed into the config flow for a plain http:// PBX are warned about."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

KEY = "k" * 32


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://10.0.0.5", True),
        ("https://pbx.example.test", False),
        ("http://127.0.0.1:8080", False),
    ],
)
async def test_plain_http_to_another_host_is_warned_at_setup(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, url: str, warned: bool
) -> None:
    from custom_components.switchboard.helpers import (  # noqa: PLC0415
        async_create_backend,
    )

    caplog.set_level(logging.WARNING)
    _, backend = await async_create_backend(
        hass, {"vendor": "pbxware", "url": url, "api_key": KEY, "server": "1"}
    )
    await backend.aclose()
    assert ("over plain http://" in caplog.text) is warned
    assert KEY not in caplog.text
