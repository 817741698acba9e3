"""A worker that fails at start, for the restart pacing test (spawned by name)."""

from __future__ import annotations

import sys

EXIT_CODE = 3


def dies_at_once() -> None:
    """Exit at once with :data:`EXIT_CODE`, as a worker that cannot start does."""
    sys.exit(EXIT_CODE)
