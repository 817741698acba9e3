"""Sub-commands of ``switchboard`` (``demo``, ``slack``, ...) and their registry.

A sub-command is a :class:`Subcommand`. Built-in and optional ones are named in
:data:`LAZY_SUBCOMMANDS` and imported only when used, so ``switchboard slack``
works once ``slack_app/cli.py`` defines ``SUBCOMMAND`` and explains itself when
the Slack extra is not installed. Others call :func:`register_subcommand`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


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


_SUBCOMMANDS: dict[str, Subcommand] = {}

# Sub-commands living in optional packages, imported only when used. The module
# attribute must be a Subcommand.
LAZY_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "core.cli.demo",
        "Start the built-in demo (add --tour for a scripted tour).",
    ),
    "slack": (
        "slack_app.cli",
        "Run the Slack app (needs: pip install switchboard-pbx[slack]).",
    ),
}


def register_subcommand(subcommand: Subcommand) -> Callable[[], None]:
    """Register a sub-command; returns its remover."""
    _SUBCOMMANDS[subcommand.name] = subcommand

    def remove() -> None:
        if _SUBCOMMANDS.get(subcommand.name) is subcommand:
            del _SUBCOMMANDS[subcommand.name]

    return remove


def load_subcommand(name: str) -> Subcommand | None:
    """Return the sub-command called ``name``; raises SwitchboardConfigError if it cannot load."""
    if name in _SUBCOMMANDS:
        return _SUBCOMMANDS[name]
    if name not in LAZY_SUBCOMMANDS:
        return None
    module_name, _ = LAZY_SUBCOMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        msg = (
            f"'switchboard {name}' is not available: {err}. {LAZY_SUBCOMMANDS[name][1]}"
        )
        raise SwitchboardConfigError(msg) from None
    found = getattr(module, "SUBCOMMAND", None)
    if not isinstance(found, Subcommand):
        msg = f"'switchboard {name}' is not available: {module_name} has no SUBCOMMAND."
        raise SwitchboardConfigError(msg)
    return found


def subcommand_help() -> dict[str, str]:
    """Return every known sub-command's one-line help, by name."""
    found = {name: text for name, (_, text) in LAZY_SUBCOMMANDS.items()}
    found.update({name: sub.help for name, sub in _SUBCOMMANDS.items()})
    return dict(sorted(found.items()))


__all__ = [
    "LAZY_SUBCOMMANDS",
    "Subcommand",
    "load_subcommand",
    "register_subcommand",
    "subcommand_help",
]
