"""Find vendor plugins: every installed distribution's ``switchboard.plugins`` entry points.

Switchboard's own vendors (the ``switchboard-pbx-plugins`` distribution) register
exactly the way a third-party vendor does: an entry point
``name = "package.module:PLUGIN"`` naming a :class:`~switchboard.core.plugin.VendorPlugin`.
Nothing in the core names a vendor. A plugin that fails to load is logged, naming
the distribution it came from, and skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from switchboard.core.entry_points import forget_loaded, load_group
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.plugin import VendorPlugin

if TYPE_CHECKING:
    from collections.abc import Callable

    from switchboard.core.entry_points import Loaded

ENTRY_POINT_GROUP = "switchboard.plugins"

_registered: dict[str, VendorPlugin[Any]] = {}


def _discover() -> dict[str, Loaded[VendorPlugin[Any]]]:
    # load_group scans once per process; reset_discovery() starts again.
    return load_group(ENTRY_POINT_GROUP, VendorPlugin)


def available_vendors() -> dict[str, VendorPlugin[Any]]:
    """Return every loadable vendor plugin by name (discovered once, then cached).

    Switchboard's own vendors come first, then third-party vendors, each by name;
    then plugins registered by hand.
    """
    found = {name: loaded.value for name, loaded in _discover().items()}
    return {**found, **_registered}


def builtin_vendors() -> list[str]:
    """Return the names of the vendors Switchboard itself ships, by name."""
    return [name for name, loaded in _discover().items() if loaded.own]


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
    forget_loaded()
