"""``switchboard audit``: the newest audit log entries, pending ones marked as such.

A pending entry is an action whose outcome was never written: it is still
running, or the process stopped between asking the PBX and hearing back. The PBX
may or may not have done it, so it is shown as exactly that, never as done.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any

from switchboard.core.cli.output import EXIT_OK, EXIT_REFUSED
from switchboard.core.cli.subcommands import Subcommand
from switchboard.core.commands.state import StateStore
from switchboard.core.config import load_config
from switchboard.core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    import argparse

    from switchboard.core.commands.state import AuditEntry
    from switchboard.core.config import SwitchboardConfig

PENDING_LABEL = "PENDING (outcome unknown: not confirmed by the PBX)"


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=int, default=50, help="how many entries (newest last)"
    )


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """The ``--json`` form of one entry."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "user_id": entry.user_id,
        "user_name": entry.user_name,
        "surface": entry.surface,
        "pbx": entry.pbx,
        "action": entry.action,
        "target": entry.target,
        "outcome": entry.outcome,
        "pending": entry.pending,
        "completed_at": entry.completed_at.isoformat() if entry.completed_at else None,
        "detail": entry.detail,
    }


def entry_line(entry: AuditEntry) -> str:
    """One line of the listing."""
    outcome = PENDING_LABEL if entry.pending else entry.outcome
    where = f"{entry.pbx}: " if entry.pbx else ""
    target = f" [{entry.target}]" if entry.target else ""
    detail = " ".join(entry.detail.split())
    detail = f" - {detail[:160]}" if detail else ""
    when = entry.at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{when} {entry.user_id} {where}{entry.action}{target}: {outcome}{detail}"


async def _entries(config: SwitchboardConfig, limit: int) -> list[AuditEntry]:
    store = await StateStore.open(config.state.database_url, source=config.source)
    try:
        return await store.audit_entries(limit)
    finally:
        await store.aclose()


def _run(args: argparse.Namespace) -> int:
    from switchboard.core.cli.main import find_config  # noqa: PLC0415 - main imports the sub-commands' registry

    path = find_config(args.config)
    if path is None:
        sys.stderr.write(
            "No configuration file: the demo keeps its audit log only while it runs.\n"
        )
        return EXIT_REFUSED
    if args.limit < 1:
        msg = "--limit must be at least 1"
        raise SwitchboardConfigError(msg)
    config = load_config(path)
    entries = asyncio.run(_entries(config, args.limit))
    if args.json:
        sys.stdout.write(json.dumps([entry_json(e) for e in entries], indent=2) + "\n")
    else:
        for entry in entries:
            sys.stdout.write(entry_line(entry) + "\n")
    return EXIT_OK


SUBCOMMAND = Subcommand(
    name="audit",
    help="Show the newest audit log entries (pending ones marked as such).",
    configure=_configure,
    run=_run,
)
