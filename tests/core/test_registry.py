"""Plugin discovery: built-ins, entry points, broken plugins, register/unregister."""

from __future__ import annotations

import logging
import sys
import types
from importlib.metadata import EntryPoint
from typing import TYPE_CHECKING, Any

import pytest

from core import registry
from core.errors import SwitchboardConfigError

from .fakes import FakeSettings, fake_plugin

if TYPE_CHECKING:
    from collections.abc import Iterator

    from core.plugin import VendorPlugin


@pytest.fixture(autouse=True)
def fresh_discovery() -> Iterator[None]:
    registry.reset_discovery()
    yield
    registry.reset_discovery()


def test_register_and_unregister() -> None:
    plugin = fake_plugin("acme")
    remove = registry.register_vendor(plugin)
    try:
        assert registry.get_vendor("acme") is plugin
    finally:
        remove()
    with pytest.raises(SwitchboardConfigError, match="Unknown PBX vendor 'acme'"):
        registry.get_vendor("acme")


def _fake_entry_points(*entries: EntryPoint) -> Any:
    def select(*, group: str) -> list[EntryPoint]:
        assert group == registry.ENTRY_POINT_GROUP
        return list(entries)

    return select


def test_entry_point_plugins_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("acme_pbx_plugin")
    module.PLUGIN = fake_plugin("acme")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "acme_pbx_plugin", module)
    entry = EntryPoint(
        name="acme", value="acme_pbx_plugin:PLUGIN", group=registry.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(registry, "entry_points", _fake_entry_points(entry))
    assert registry.available_vendors()["acme"] is module.PLUGIN  # type: ignore[attr-defined]


def test_a_broken_plugin_is_logged_and_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = EntryPoint(
        name="broken",
        value="no_such_module_xyz:PLUGIN",
        group=registry.ENTRY_POINT_GROUP,
    )
    module = types.ModuleType("not_a_plugin_mod")
    module.PLUGIN = object()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "not_a_plugin_mod", module)
    wrong = EntryPoint(
        name="wrong", value="not_a_plugin_mod:PLUGIN", group=registry.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(registry, "entry_points", _fake_entry_points(broken, wrong))
    caplog.set_level(logging.WARNING)
    vendors = registry.available_vendors()
    assert "broken" not in vendors
    assert "wrong" not in vendors
    assert "no_such_module_xyz:PLUGIN" in caplog.text
    assert "not a VendorPlugin" in caplog.text


def test_an_entry_point_cannot_shadow_a_builtin(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module = types.ModuleType("shadow_mod")
    module.PLUGIN = fake_plugin("pbxware")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shadow_mod", module)
    monkeypatch.setattr(
        registry, "BUILTIN_PLUGINS", {"pbxware": "shadow_builtin:PLUGIN"}
    )
    builtin = types.ModuleType("shadow_builtin")
    builtin.PLUGIN = fake_plugin("pbxware")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shadow_builtin", builtin)
    entry = EntryPoint(
        name="pbxware", value="shadow_mod:PLUGIN", group=registry.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(registry, "entry_points", _fake_entry_points(entry))
    caplog.set_level(logging.WARNING)
    assert registry.available_vendors()["pbxware"] is builtin.PLUGIN  # type: ignore[attr-defined]
    assert "taken by a built-in vendor" in caplog.text


def test_create_backend_checks_the_settings_type() -> None:
    plugin: VendorPlugin[FakeSettings] = fake_plugin("acme")
    other = fake_plugin("other")
    settings = other.demo_settings("http://x.test")
    backend = plugin.create_backend(settings)
    assert backend.vendor == "fake"

    from core.plugin import ConnectionSettings  # noqa: PLC0415

    with pytest.raises(TypeError):
        plugin.create_backend(ConnectionSettings(url="http://x.test"))
