"""Data flows one way: nothing in the core imports a vendor or a front-end.

Read from the source (every import statement, lazy ones included), so a new import
in any corner of the core fails here, not only the ones a test happens to run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core/src/switchboard/core"
# The chat-ops layer needs the `chatops` extra; the lean core (what Home Assistant
# installs) must not import its modules or its libraries.
CHATOPS = ("switchboard.core.commands", "switchboard.core.cli", "switchboard.core.demo")
CHATOPS_LIBRARIES = (
    "jinja2",
    "sqlalchemy",
    "aiosqlite",
    "uvicorn",
    "slack_bolt",
    "slack_sdk",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _module(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(("switchboard", *(p for p in parts if p != "__init__")))


CORE_FILES = sorted(CORE.rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_the_core_imports_no_vendor_and_no_front_end(path: Path) -> None:
    bad = [
        name
        for name in _imports(path)
        if name.startswith(
            ("switchboard.plugins", "switchboard.slack_app", "custom_components")
        )
    ]
    assert not bad, f"{path.relative_to(CORE)} imports {bad}"


@pytest.mark.parametrize(
    "path",
    [p for p in CORE_FILES if not _module(p).startswith(CHATOPS)],
    ids=lambda p: str(p.relative_to(CORE)),
)
def test_the_lean_core_imports_nothing_of_the_chatops_extra(path: Path) -> None:
    bad = [
        name
        for name in _imports(path)
        if name.startswith(CHATOPS) or name.split(".")[0] in CHATOPS_LIBRARIES
    ]
    # The emulator's loopback server is for the demo and tests: its uvicorn import is
    # lazy, inside serve(), and only runs there.
    if path.name == "emulator.py":
        bad = [name for name in bad if name != "uvicorn"]
    assert not bad, f"{path.relative_to(CORE)} imports {bad}"


def test_the_checks_see_the_core() -> None:
    """The lists above are not empty by accident (a moved tree would pass silently)."""
    modules = {_module(p) for p in CORE_FILES}
    assert {
        "switchboard.core.policy",
        "switchboard.core.registry",
        "switchboard.core.commands.service",
    } <= modules
