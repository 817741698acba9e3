"""Build metadata shared by every Switchboard distribution.

The version lives in one place, ``VERSION`` beside this file. Each distribution's
``pyproject.toml`` lists its requirements in ``[tool.hatch.metadata.hooks.custom]``;
a requirement on another Switchboard distribution (``switchboard-pbx*``) is written
without a version and pinned here to exactly this version, so the distributions of
one release always install together and never mix.

The member distributions (``core/``, ``plugins/``, ``slack_app/``) call
:func:`switchboard_metadata` through their own ``hatch_build.py``. An sdist carries
its metadata in ``PKG-INFO``, which hatchling reads instead of calling the hook, so
an sdist builds its wheel without this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface
from packaging.requirements import Requirement

VERSION_FILE = Path(__file__).resolve().parent / "VERSION"
OWN_PREFIX = "switchboard-pbx"


def _pin(requirement: str, version: str) -> str:
    """Pin a requirement on one of our own distributions to ``version``."""
    parsed = Requirement(requirement)
    if not parsed.name.startswith(OWN_PREFIX):
        return requirement
    if parsed.specifier:
        msg = f"{requirement!r}: Switchboard's own distributions are pinned from VERSION; drop the version"
        raise ValueError(msg)
    extras = f"[{','.join(sorted(parsed.extras))}]" if parsed.extras else ""
    return f"{parsed.name}{extras}=={version}"


def switchboard_metadata(config: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Fill the version and the (pinned) requirements named in the hook's config."""
    version = VERSION_FILE.read_text(encoding="utf-8").strip()
    metadata["version"] = version
    if "dependencies" in config:
        metadata["dependencies"] = [_pin(r, version) for r in config["dependencies"]]
    if "optional-dependencies" in config:
        metadata["optional-dependencies"] = {
            extra: [_pin(r, version) for r in requirements]
            for extra, requirements in config["optional-dependencies"].items()
        }


class SwitchboardMetadataHook(MetadataHookInterface):
    """The metadata hook of the ``switchboard-pbx`` distribution itself."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Fill version and requirements."""
        switchboard_metadata(self.config, metadata)
