"""Install a small distribution for a test: real metadata and entry points, no pip.

``importlib.metadata`` finds a distribution by its ``*.dist-info`` folder on
``sys.path``, the same way it finds one pip installed; so entry-point discovery is
tested through the real lookup, not by replacing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def install_distribution(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    *,
    entry_points: dict[str, dict[str, str]],
    modules: dict[str, str] | None = None,
) -> None:
    """Put distribution ``name`` (with ``entry_points`` and ``modules``) on sys.path."""
    site.mkdir(parents=True, exist_ok=True)
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = []
    for group, entries in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{entry} = {target}" for entry, target in entries.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module, source in (modules or {}).items():
        (site / f"{module}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
