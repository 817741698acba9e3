"""The ``switchboard`` console script's entry point.

The console script points here, not at :mod:`switchboard.core.cli.main`, so that a
lean install (Home Assistant's: no ``chatops`` extra) answers with what to install
instead of a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

INSTALL_HINT = "pip install 'switchboard-pbx[cli]'"

# The top-level modules of the chatops extra's requirements (core/pyproject.toml).
CHATOPS_MODULES = frozenset(
    {"aiosqlite", "jinja2", "markupsafe", "sqlalchemy", "uvicorn"}
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``switchboard`` command; return its exit code."""
    try:
        from switchboard.core.cli.main import main as run  # noqa: PLC0415
    except ModuleNotFoundError as err:
        if (err.name or "").partition(".")[0] not in CHATOPS_MODULES:
            raise
        sys.stderr.write(
            f"The switchboard command needs the chat-ops extra, which is not "
            f"installed (missing module: {err.name}). Install it with: {INSTALL_HINT}\n"
        )
        return 2
    return run(argv)
