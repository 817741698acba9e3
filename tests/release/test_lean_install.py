"""What Home Assistant installs for the integration: Switchboard's code, and lean.

``pip install`` of the manifest's requirement into an empty venv, from the built
files; then every installed file and distribution is accounted for.
"""

from __future__ import annotations

import subprocess
from importlib.metadata import distributions
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT, ha_requirement, make_venv, run

# What the integration may pull in (besides Switchboard's own distributions and
# what these need in turn).
# httpx, pydantic, phonenumbers; and python-socketio, TelecomX's realtime feed (issue 17:
# calls pushed within a second), pure Python with four small dependencies of its own.
ALLOWED_ROOTS = frozenset({"httpx", "pydantic", "phonenumbers", "python-socketio"})
HEAVY = frozenset(
    {
        "sqlalchemy",
        "aiosqlite",
        "jinja2",
        "uvicorn",
        "slack-bolt",
        "slack-sdk",
        "aiohttp",
        "pyyaml",
    }
)
VENV_TOOLS = frozenset({"pip", "setuptools", "wheel"})


def _site_packages(python: Path) -> Path:
    return Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"
        ).strip()
    )


def _closure(site: Path, roots: set[str]) -> set[str]:
    """``roots`` and everything they require in the venv at ``site``."""
    installed = {
        canonicalize_name(d.metadata["Name"]): d
        for d in distributions(path=[str(site)])
    }
    python = run(
        Path(site).parents[2] / "bin/python",
        "-c",
        "import platform; print(platform.python_version())",
    ).strip()
    environment = {
        **default_environment(),
        "python_full_version": python,
        "python_version": ".".join(python.split(".")[:2]),
        "extra": "",
    }
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen or name not in installed:
            continue
        seen.add(name)
        for text in installed[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                todo.append(requirement.name)
    return seen


def test_the_ha_requirement_installs_only_switchboard_and_its_three_libraries(
    dist_dir: Path, tmp_path: Path
) -> None:
    python = make_venv(tmp_path / "venv")
    run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "--find-links",
        dist_dir,
        ha_requirement(),
        cwd=tmp_path,
    )
    site = _site_packages(python)
    installed = {
        canonicalize_name(d.metadata["Name"]): d
        for d in distributions(path=[str(site)])
    }
    ours = {name for name in installed if name.startswith("switchboard-pbx")}
    assert ours == {
        "switchboard-pbx",
        "switchboard-pbx-core",
        "switchboard-pbx-plugins",
    }

    # Every file of ours is under switchboard/ (or its metadata, or the console script).
    for name in ours:
        for file in installed[name].files or []:
            top = file.parts[0]
            script = file.parts[-2:] == ("bin", "switchboard")
            assert top == "switchboard" or top.endswith(".dist-info") or script, (
                name,
                file,
            )

    # Nothing else: only what httpx, pydantic, phonenumbers and python-socketio need.
    others = set(installed) - ours - VENV_TOOLS
    assert others == _closure(site, set(ALLOWED_ROOTS)), others - _closure(
        site, set(ALLOWED_ROOTS)
    )
    assert not others & HEAVY

    # No top-level import name but switchboard comes from our distributions, and the
    # lean core and every vendor import without the chat-ops extra.
    assert not (site / "core").exists()
    assert not (site / "plugins").exists()
    assert not (site / "slack_app").exists()
    imported = run(
        python,
        "-c",
        "import importlib, pkgutil, switchboard.plugins as p\n"
        "import switchboard.core.policy, switchboard.core.registry as r\n"
        "mods = [m.name for m in pkgutil.walk_packages(p.__path__, 'switchboard.plugins.')]\n"
        "[importlib.import_module(m) for m in mods]\n"
        "print(sorted(r.available_vendors()), len(mods))",
        cwd=tmp_path,
    )
    assert imported.startswith("['mirta', 'pbxware', 'telecomx', 'telphin']")

    # The console script comes along but says what to install instead of a traceback.
    result = subprocess.run(
        [str(python.parent / "switchboard"), "status"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "pip install 'switchboard-pbx[cli]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert str(ROOT) not in run(
        python,
        "-c",
        "import switchboard.core; print(switchboard.core.__file__)",
        cwd=tmp_path,
    )
