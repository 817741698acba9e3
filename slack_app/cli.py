"""``switchboard slack``: the CLI sub-command lives in :mod:`core.cli.slack`."""

from core.cli.slack import SUBCOMMAND

__all__ = ["SUBCOMMAND"]
