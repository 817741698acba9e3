"""Switchboard's vendor-neutral core: models, capabilities, errors, transport, plugins."""

from core.backend import PbxBackend
from core.capabilities import Capability
from core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from core.plugin import ConnectionSettings, VendorPlugin

__all__ = [
    "Capability",
    "ConnectionSettings",
    "PbxBackend",
    "SwitchboardAuthError",
    "SwitchboardConfigError",
    "SwitchboardConnectionError",
    "SwitchboardError",
    "SwitchboardInvalidInputError",
    "SwitchboardNotFoundError",
    "SwitchboardPermissionError",
    "SwitchboardPolicyError",
    "SwitchboardRateLimitError",
    "SwitchboardResponseError",
    "SwitchboardTimeoutError",
    "SwitchboardUnsupportedError",
    "VendorPlugin",
]
