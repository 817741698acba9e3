"""Sub-commands of ``switchboard`` (``demo``, ``slack``, ...) and their registry.

A sub-command is a :class:`Subcommand` named by an entry point in the
``switchboard.cli`` group: the core declares ``demo``, the Slack distribution
declares ``slack``, and any other distribution may add its own the same way, so
the core imports no front-end. :func:`register_subcommand` adds one by hand
(tests, embedding apps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from switchboard.core.entry_points import load_group
from switchboard.core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

ENTRY_POINT_GROUP = "switchboard.cli"

# Sub-commands that Switchboard's optional distributions provide: asked for when
# not installed, the answer says what to install instead of "unknown command".
OPTIONAL_SUBCOMMANDS: dict[str, str] = {
    "slack": "pip install 'switchboard-pbx[slack]'",
    "watch": "pip install 'switchboard-pbx[slack]'",
}


@dataclass(frozen=True)
class Subcommand:
    """A ``switchboard NAME ...`` sub-command.

    Attributes:
        name: The word after ``switchboard``.
        help: One line for ``switchboard --help``.
        configure: Adds the sub-command's arguments to its parser.
        run: Runs it with the parsed arguments (global options included);
            returns the exit code.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


_registered: dict[str, Subcommand] = {}


def register_subcommand(subcommand: Subcommand) -> Callable[[], None]:
    """Register a sub-command; returns its remover."""
    _registered[subcommand.name] = subcommand

    def remove() -> None:
        if _registered.get(subcommand.name) is subcommand:
            del _registered[subcommand.name]

    return remove


def available_subcommands() -> dict[str, Subcommand]:
    """Return every installed sub-command by name (registered ones win)."""
    found = {
        name: loaded.value
        for name, loaded in load_group(ENTRY_POINT_GROUP, Subcommand).items()
    }
    return {**found, **_registered}


def load_subcommand(name: str) -> Subcommand | None:
    """Return the sub-command called ``name``, or ``None`` when it is not one.

    Raises:
        SwitchboardConfigError: ``name`` is an optional sub-command that is not
            installed; the message says what to install.
    """
    found = available_subcommands().get(name)
    if found is None and name in OPTIONAL_SUBCOMMANDS:
        msg = f"'switchboard {name}' is not installed. Install it with: {OPTIONAL_SUBCOMMANDS[name]}"
        raise SwitchboardConfigError(msg)
    return found


def subcommand_help() -> dict[str, str]:
    """Return every sub-command's one-line help by name, missing optional ones included."""
    found = {
        name: f"(not installed: {how})" for name, how in OPTIONAL_SUBCOMMANDS.items()
    }
    found.update({name: sub.help for name, sub in available_subcommands().items()})
    return dict(sorted(found.items()))


__all__ = [
    "OPTIONAL_SUBCOMMANDS",
    "Subcommand",
    "available_subcommands",
    "load_subcommand",
    "register_subcommand",
    "subcommand_help",
]
