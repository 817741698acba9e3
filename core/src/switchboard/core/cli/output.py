"""How the CLI prints a reply and which exit code it means."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from switchboard.core.commands import Outcome

if TYPE_CHECKING:
    from switchboard.core.commands import Reply

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2

_EXIT_CODES = {
    Outcome.SUCCESS: EXIT_OK,
    Outcome.HELP: EXIT_OK,
    Outcome.REFUSED: EXIT_REFUSED,
    Outcome.FAILED: EXIT_FAILED,
    # The PBX may have done it; a script must check, so it is not a success.
    Outcome.UNKNOWN: EXIT_FAILED,
}


def exit_code(reply: Reply) -> int:
    """0 for success and help, 2 for refused or bad input, 1 for a PBX failure or an unknown outcome."""
    return _EXIT_CODES[reply.outcome]


def reply_json(reply: Reply) -> dict[str, Any]:
    """The ``--json`` document of a reply."""
    return {
        "outcome": reply.outcome.value,
        "pbx": reply.pbx,
        "text": reply.text,
        "data": reply.data,
        "supports": sorted(c.name.lower() for c in reply.supports),
    }


def print_reply(
    reply: Reply,
    *,
    as_json: bool,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Print ``reply`` (refusals and failures to stderr); return the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if as_json:
        out.write(json.dumps(reply_json(reply), indent=2, default=str) + "\n")
    else:
        (out if reply.ok else err).write(reply.text + "\n")
    return exit_code(reply)
