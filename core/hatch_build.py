"""Version and lock-step pins for this distribution: see ../hatch_build.py."""

import runpy
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class SwitchboardMetadataHook(MetadataHookInterface):
    """Delegates to the repository's shared hook (never called in an sdist)."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Fill version and requirements."""
        shared = runpy.run_path(str(Path(self.root).parent / "hatch_build.py"))
        shared["switchboard_metadata"](self.config, metadata)
