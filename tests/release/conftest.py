"""Fixtures for the install tests: the built distributions and clean venvs.

These tests install what ``script/release`` builds, the way users and Home
Assistant install it, into venvs that have never seen the source tree. They run
in their own pytest step (``script/test``), after ``script/release``, which they
reuse through ``SWITCHBOARD_DIST_DIR``; run alone, they build the release first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "ha_integration/custom_components/switchboard/manifest.json"
VERSION = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
UV = Path(sys.prefix) / "bin" / "uv"
CACHE = Path(
    os.environ.get("SWITCHBOARD_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "switchboard"
)


def run(
    *args: object, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run a command; fail the test with its output when it fails."""
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def ha_requirement() -> str:
    """The one requirement Home Assistant installs for the integration."""
    (requirement,) = json.loads(MANIFEST.read_text(encoding="utf-8"))["requirements"]
    return str(requirement)


def make_venv(path: Path) -> Path:
    """A new venv (with pip) on the interpreter the project runs on; its python."""
    run(UV, "venv", "-q", "--seed", "--python", sys._base_executable, path)
    return path / "bin" / "python"


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release's files: SWITCHBOARD_DIST_DIR, or built now by script/release."""
    given = os.environ.get("SWITCHBOARD_DIST_DIR")
    if given:
        path = Path(given).resolve()
    else:
        path = tmp_path_factory.mktemp("dist")
        run(ROOT / "script/release", "--out", path, cwd=ROOT)
    wheels = sorted(p.name for p in path.glob("*.whl"))
    assert len(wheels) == 4, f"{path} should hold the release's 4 wheels: {wheels}"
    assert all(f"-{VERSION}-" in name for name in wheels), wheels
    return path
