"""quality_scale.yaml: every rule of Home Assistant's scale, each "done" with evidence."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

INTEGRATION = (
    Path(__file__).resolve().parents[2] / "ha_integration/custom_components/switchboard"
)
REPO = INTEGRATION.parents[2]

# Home Assistant's Integration Quality Scale, Bronze to Platinum.
RULES = {
    "bronze": [
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow-test-coverage", "config-flow", "dependency-transparency",
        "docs-actions", "docs-high-level-description", "docs-installation-instructions",
        "docs-removal-instructions", "entity-event-setup", "entity-unique-id",
        "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ],
    "silver": [
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices", "diagnostics", "discovery-update-info", "discovery",
        "docs-data-update", "docs-examples", "docs-known-limitations",
        "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
        "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}  # fmt: skip

_TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
_FILE_REF = re.compile(r"(?<![\w/])([\w/.-]+\.(?:py|json|png|yaml|md|toml))\b")
_SECTION_REF = re.compile(r"README\.md \(([^)]+)\)")


def _exists(path: str) -> bool:
    return (INTEGRATION / path).exists() or (REPO / path).exists()


def test_every_rule_is_listed_once() -> None:
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert set(rules) == {rule for tier in RULES.values() for rule in tier}


def test_done_means_shown_and_exempt_means_explained() -> None:
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    readme = (REPO / "ha_integration/README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ (.+)$", readme, flags=re.MULTILINE))
    for name, rule in rules.items():
        assert isinstance(rule, dict), f"{name}: give status and evidence"
        comment = rule.get("comment", "")
        if rule["status"] in {"exempt", "todo"}:
            assert len(comment.split()) >= 5, f"{name}: say why"
            continue
        assert rule["status"] == "done", name
        tests = _TEST_REF.findall(comment)
        files = _FILE_REF.findall(comment)
        assert tests or files or "script/test" in comment, f"{name}: no evidence"
        for path, function in tests:
            source = (REPO / path).read_text(encoding="utf-8")
            assert re.search(rf"def {function}\(", source), (
                f"{name}: {path}::{function}"
            )
        for path in files:
            assert _exists(path), f"{name}: {path}"
        for section in _SECTION_REF.findall(comment):
            assert section in headings or section.startswith("the "), (name, section)
