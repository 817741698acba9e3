"""Plugin discovery: built-ins, entry points, broken plugins, register/unregister."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from switchboard.core import registry
from switchboard.core.errors import SwitchboardConfigError
from tests.distributions import install_distribution

from .fakes import FakeSettings, fake_plugin

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from switchboard.core.plugin import VendorPlugin


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


PLUGIN_MODULE = (
    "from tests.core.fakes import fake_plugin\nPLUGIN = fake_plugin({name!r})\n"
)


def test_builtin_vendors_come_from_the_plugins_distribution() -> None:
    """The four vendors are found through entry points, like anyone else's."""
    found = registry._discover()
    assert registry.builtin_vendors() == ["mirta", "pbxware", "telecomx", "telphin"]
    assert {found[name].distribution for name in registry.builtin_vendors()} == {
        "switchboard-pbx-plugins"
    }


def test_entry_point_plugins_are_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_distribution(
        tmp_path,
        monkeypatch,
        "acme-pbx",
        entry_points={registry.ENTRY_POINT_GROUP: {"acme": "acme_pbx_plugin:PLUGIN"}},
        modules={"acme_pbx_plugin": PLUGIN_MODULE.format(name="acme")},
    )
    vendors = registry.available_vendors()
    assert vendors["acme"].name == "acme"
    # Switchboard's own come first, then third-party vendors.
    assert list(vendors)[-1] == "acme"
    assert "acme" not in registry.builtin_vendors()


def test_a_broken_plugin_is_logged_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    install_distribution(
        tmp_path,
        monkeypatch,
        "broken-pbx",
        entry_points={
            registry.ENTRY_POINT_GROUP: {
                "broken": "no_such_module_xyz:PLUGIN",
                "wrong": "not_a_plugin_mod:PLUGIN",
            }
        },
        modules={"not_a_plugin_mod": "PLUGIN = object()\n"},
    )
    caplog.set_level(logging.WARNING)
    vendors = registry.available_vendors()
    assert "broken" not in vendors
    assert "wrong" not in vendors
    assert "pbxware" in vendors  # one broken add-on takes nothing else down
    assert "no_such_module_xyz:PLUGIN from broken-pbx: it failed to load" in caplog.text
    assert "from broken-pbx: it is a object, not a VendorPlugin" in caplog.text


def test_an_entry_point_cannot_shadow_a_builtin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    install_distribution(
        tmp_path,
        monkeypatch,
        "evil-pbx",
        entry_points={registry.ENTRY_POINT_GROUP: {"pbxware": "shadow_mod:PLUGIN"}},
        modules={"shadow_mod": PLUGIN_MODULE.format(name="pbxware")},
    )
    caplog.set_level(logging.WARNING)
    assert registry.available_vendors()["pbxware"].display_name == "PBXware"
    assert "'pbxware' from evil-pbx: the name is taken by switchboard-pbx-plugins" in (
        caplog.text
    )


def test_create_backend_checks_the_settings_type() -> None:
    plugin: VendorPlugin[FakeSettings] = fake_plugin("acme")
    other = fake_plugin("other")
    settings = other.demo_settings("http://x.test")
    backend = plugin.create_backend(settings)
    assert backend.vendor == "fake"

    from switchboard.core.plugin import ConnectionSettings  # noqa: PLC0415

    with pytest.raises(TypeError):
        plugin.create_backend(ConnectionSettings(url="http://x.test"))
