"""The strings, translations, icons and manifest agree with each other and the code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from switchboard.core.registry import available_vendors

ROOT = (
    Path(__file__).resolve().parents[2] / "ha_integration/custom_components/switchboard"
)


def load(name: str) -> Any:
    return json.loads((ROOT / name).read_text(encoding="utf-8"))


def test_translations_are_the_strings() -> None:
    """translations/en.json ships exactly strings.json (custom integrations need it)."""
    assert (ROOT / "translations/en.json").read_bytes() == (
        ROOT / "strings.json"
    ).read_bytes()


def test_no_unresolved_references() -> None:
    """Custom integrations get no [%key:...] resolution: every text is spelled out."""
    assert "[%key:" not in (ROOT / "strings.json").read_text(encoding="utf-8")


def test_every_vendor_field_is_described() -> None:
    """Each landed vendor's form fields have a label and a description."""
    steps = load("strings.json")["config"]["step"]
    for plugin in available_vendors().values():
        model = plugin.settings_model
        for name in model.model_fields:
            if name == "max_retries":
                continue
            for step in ("connection", "reconfigure"):
                assert name in steps[step]["data"], (plugin.name, step, name)
                assert name in steps[step]["data_description"], (
                    plugin.name,
                    step,
                    name,
                )
        for name in model.secret_field_names():
            assert name in steps["reauth_confirm"]["data"], (plugin.name, name)
            assert name in steps["reauth_confirm"]["data_description"], (
                plugin.name,
                name,
            )


def test_every_translation_key_in_the_code_exists() -> None:
    """Every translation_key raised in the code has a message (errors or repair issues)."""
    strings = load("strings.json")
    exceptions = {**strings["exceptions"], **strings["issues"]}
    entity_keys = {key for platform in strings["entity"].values() for key in platform}
    source = "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("*.py"))
    used = set(re.findall(r'translation_key="([a-z_]+)"', source))
    used |= set(re.findall(r'\bkey = "([a-z_]+)"', source))
    used -= entity_keys
    assert len(used) > 10
    assert used <= set(exceptions)


def test_actions_icons_and_entities_agree() -> None:
    """services.yaml, the strings and icons.json describe the same actions and entities."""
    strings = load("strings.json")
    icons = load("icons.json")
    services = yaml.safe_load((ROOT / "services.yaml").read_text(encoding="utf-8"))
    assert set(services) == set(strings["services"]) == set(icons["services"])
    for name, service in services.items():
        assert set(service["fields"]) == set(strings["services"][name]["fields"])
    for platform, keys in icons["entity"].items():
        assert set(keys) <= set(strings["entity"][platform])


def test_manifest() -> None:
    """The manifest has what Home Assistant and HACS need, in hassfest's order."""
    manifest = load("manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == ROOT.name
    assert manifest["config_flow"] is True
    # One value for the integration: two of four vendors push (TelecomX, Telphin),
    # and each entry's "Live updates" entity says whether it is pushed or polled.
    assert manifest["iot_class"] == "cloud_push"
    # Home Assistant Cloud, where the user has it, carries webhooks (cloudhooks).
    assert manifest["after_dependencies"] == ["cloud"]
    assert manifest["integration_type"] == "hub"
    # The one version (VERSION at the repository root) and the one distribution
    # Home Assistant installs; the loggers are where that distribution logs.
    version = (ROOT.parents[2] / "VERSION").read_text(encoding="utf-8").strip()
    assert manifest["version"] == version
    assert manifest["requirements"] == [f"switchboard-pbx=={version}"]
    assert manifest["loggers"] == ["switchboard"]
    for key in ("codeowners", "documentation", "issue_tracker"):
        assert manifest[key]
    for image in ("icon.png", "logo.png", "dark_logo.png"):
        assert (ROOT / "brand" / image).read_bytes().startswith(b"\x89PNG"), image


def test_hacs_minimum_shows_the_brand_images() -> None:
    """HACS installs only where Home Assistant serves the brand/ folder (2026.3)."""
    hacs = json.loads((ROOT.parents[2] / "hacs.json").read_text(encoding="utf-8"))
    year, month, *_ = (int(part) for part in hacs["homeassistant"].split("."))
    assert (year, month) >= (2026, 3)


def test_every_dial_refusal_has_a_message() -> None:
    """Each rule of the core's dial policy maps to a message that says why."""
    from custom_components.switchboard.dialing import (  # noqa: PLC0415
        ABROAD_NO_COUNTRY_KEY,
        REFUSAL_KEYS,
    )

    from switchboard.core.policy import Refusal  # noqa: PLC0415

    exceptions = load("strings.json")["exceptions"]
    assert set(REFUSAL_KEYS) == set(Refusal)
    for key in [*REFUSAL_KEYS.values(), ABROAD_NO_COUNTRY_KEY]:
        assert exceptions[key]["message"], key


def test_messages_say_something_of_their_own() -> None:
    """No message is only a placeholder, and form errors have none at all.

    A vendor's or a library's words may follow our sentence, never replace it; form
    errors are fixed sentences (the vendor's words go to the debug log).
    """
    strings = load("strings.json")
    for key, entry in strings["exceptions"].items():
        text = re.sub(r"\{[a-z_]+\}", "", entry["message"]).strip(" .:")
        assert len(text.split()) >= 3, key
    for section in ("config", "options"):
        for kind in ("error", "abort"):
            for key, text in strings[section].get(kind, {}).items():
                assert "{" not in text, (section, kind, key)


def test_every_missing_capability_has_its_message() -> None:
    """Each capability a vendor may lack has a message naming it."""
    from custom_components.switchboard.helpers import UNSUPPORTED_KEYS  # noqa: PLC0415

    from switchboard.core.capabilities import Capability  # noqa: PLC0415

    exceptions = load("strings.json")["exceptions"]
    assert set(UNSUPPORTED_KEYS) == {c.name for c in Capability}
    for key in UNSUPPORTED_KEYS.values():
        assert "{vendor}" in exceptions[key]["message"], key
