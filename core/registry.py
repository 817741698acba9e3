"""Find vendor plugins: the built-in ones and those other packages install.

Built-in vendors are named here explicitly; third-party vendors declare an entry
point in the ``switchboard.plugins`` group (``name = "package.module:PLUGIN"``).
A plugin that fails to load is logged, naming where it came from, and skipped:
one broken add-on must not take the whole app down.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from core.errors import SwitchboardConfigError
from core.plugin import VendorPlugin
from core.redaction import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable

_LOGGER = get_logger(__name__)

ENTRY_POINT_GROUP = "switchboard.plugins"

BUILTIN_PLUGINS: dict[str, str] = {
    "pbxware": "plugins.pbxware:PLUGIN",
    "mirta": "plugins.mirta:PLUGIN",
    "telecomx": "plugins.telecomx:PLUGIN",
    "telphin": "plugins.telphin:PLUGIN",
}

_registered: dict[str, VendorPlugin[Any]] = {}
_discovered: dict[str, VendorPlugin[Any]] | None = None


def _load(target: str, origin: str) -> VendorPlugin[Any] | None:
    module_name, _, attribute = target.partition(":")
    try:
        plugin = getattr(importlib.import_module(module_name), attribute or "PLUGIN")
    except Exception:
        _LOGGER.warning(
            "Skipping vendor plugin %s from %s: it failed to load",
            target,
            origin,
            exc_info=True,
        )
        return None
    if not isinstance(plugin, VendorPlugin):
        _LOGGER.warning(
            "Skipping vendor plugin %s from %s: it is a %s, not a VendorPlugin",
            target,
            origin,
            type(plugin).__name__,
        )
        return None
    return plugin


def _discover() -> dict[str, VendorPlugin[Any]]:
    found: dict[str, VendorPlugin[Any]] = {}
    for name, target in BUILTIN_PLUGINS.items():
        plugin = _load(target, "switchboard (built in)")
        if plugin is not None:
            found[name] = plugin
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        origin = (
            entry.dist.name if entry.dist is not None else "an unknown distribution"
        )
        if entry.name in found:
            _LOGGER.warning(
                "Ignoring vendor plugin %r from %s: the name is taken by a built-in vendor",
                entry.name,
                origin,
            )
            continue
        plugin = _load(entry.value, origin)
        if plugin is not None:
            found[entry.name] = plugin
    return found


def available_vendors() -> dict[str, VendorPlugin[Any]]:
    """Return every loadable vendor plugin by name (discovered once, then cached)."""
    global _discovered  # noqa: PLW0603 - a process-wide cache of a slow scan
    if _discovered is None:
        _discovered = _discover()
    return {**_discovered, **_registered}


def get_vendor(name: str) -> VendorPlugin[Any]:
    """Return the plugin called ``name``.

    Raises:
        SwitchboardConfigError: No such vendor is installed.
    """
    vendors = available_vendors()
    try:
        return vendors[name]
    except KeyError:
        known = ", ".join(sorted(vendors)) or "none"
        msg = f"Unknown PBX vendor {name!r}. Installed vendors: {known}."
        raise SwitchboardConfigError(msg) from None


def register_vendor(plugin: VendorPlugin[Any]) -> Callable[[], None]:
    """Register a plugin by hand (tests, embedding apps); returns its remover."""
    _registered[plugin.name] = plugin

    def unregister() -> None:
        if _registered.get(plugin.name) is plugin:
            del _registered[plugin.name]

    return unregister


def reset_discovery() -> None:
    """Forget the cached scan, so the next lookup scans entry points again."""
    global _discovered  # noqa: PLW0603
    _discovered = None
