"""Switchboard's vendor-neutral core: models, capabilities, errors, transport, plugins."""

from switchboard.core.backend import PbxBackend
from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardFeatureUnavailableError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardPolicyError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.core.plugin import ConnectionSettings, VendorPlugin

__all__ = [
    "Capability",
    "ConnectionSettings",
    "PbxBackend",
    "SwitchboardAuthError",
    "SwitchboardConfigError",
    "SwitchboardConnectionError",
    "SwitchboardError",
    "SwitchboardFeatureUnavailableError",
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
