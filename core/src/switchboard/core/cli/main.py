"""``switchboard``: the command grammar in a terminal, plus sub-commands.

    switchboard dnd on                      run a command as the configured user
    switchboard --json status               machine-readable output
    switchboard --config office.toml --as alice flow night on
    switchboard demo [--tour]               the built-in demo
    switchboard slack ...                   the Slack app (when installed)

Without a configuration file (``--config``, ``$SWITCHBOARD_CONFIG`` or
``~/.config/switchboard/config.toml``) commands run against the built-in demo.

Exit codes: 0 success, 2 refused or bad input, 1 PBX failure.

Sub-commands come from the ``switchboard.cli`` entry-point group (``demo`` from the
core, ``slack`` from the Slack distribution) or :func:`register_subcommand`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from switchboard.core.cli.output import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, print_reply
from switchboard.core.cli.subcommands import (
    Subcommand,
    load_subcommand,
    register_subcommand,
    subcommand_help,
)
from switchboard.core.commands import COMMANDS, Actor, CommandService, Surface
from switchboard.core.config import load_config
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.redaction import get_logger, install_log_filter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from switchboard.core.config import SwitchboardConfig

_LOGGER = get_logger(__name__)

DEFAULT_CONFIG = (
    Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    / "switchboard"
    / "config.toml"
)


def _epilog() -> str:
    lines = ["commands (the same as /pbx in Slack):"]
    lines += [f"  {' | '.join(spec.usage)}" for spec in COMMANDS.values()]
    lines += ["", "sub-commands:"]
    for name, text in subcommand_help().items():
        lines.append(f"  {name:<8} {text}")
    lines += [
        "",
        "exit codes: 0 success, 2 refused or bad input, 1 PBX failure",
        "without a configuration file, commands run against the built-in demo",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: global options, then the command words."""
    parser = argparse.ArgumentParser(
        prog="switchboard",
        description="Run your hosted PBX from the terminal.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="configuration file (TOML)")
    parser.add_argument("--as", dest="as_user", metavar="USER", help="act as this user")
    parser.add_argument("--pbx", help="run against this configured PBX")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests")
    parser.add_argument(
        "words", nargs=argparse.REMAINDER, help="the command, e.g. dnd on"
    )
    return parser


def find_config(explicit: Path | None) -> Path | None:
    """Return the configuration file to use, or ``None`` for the demo."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("SWITCHBOARD_CONFIG")
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def pick_user(config: SwitchboardConfig, requested: str | None) -> str:
    """Choose the acting user: --as, $SWITCHBOARD_USER, $USER, or the only configured user."""
    if requested:
        return requested
    name = os.environ.get("SWITCHBOARD_USER") or os.environ.get("USER") or "user"
    if (
        name not in config.users
        and name not in config.policy.admins
        and len(config.users) == 1
    ):
        return next(iter(config.users))
    return name


async def _run_configured(
    config: SwitchboardConfig, args: argparse.Namespace, text: str
) -> int:
    user = pick_user(config, args.as_user)
    service = await CommandService.create(config)
    try:
        reply = await service.run(text, Actor(user, user, Surface.CLI), pbx=args.pbx)
    finally:
        await service.aclose()
    return print_reply(reply, as_json=args.json)


async def _run_demo(args: argparse.Namespace, text: str) -> int:
    from switchboard.core.demo import ADMIN, DEMO_USERS, start_demo  # noqa: PLC0415 - only without configuration

    sys.stderr.write(
        "No configuration file found: running against the built-in demo PBXs "
        "(see 'switchboard demo').\n"
    )
    user = args.as_user or ADMIN
    if user not in DEMO_USERS:
        # Never fall back to the admin: the user asked to be someone else.
        sys.stderr.write(
            f"There is no demo user '{user}': the demo has {', '.join(DEMO_USERS)}.\n"
        )
        return EXIT_REFUSED
    async with start_demo() as demo:
        reply = await demo.run(text, user, args.pbx)
    return print_reply(reply, as_json=args.json)


def _split_json_flag(words: list[str]) -> tuple[list[str], bool]:
    """Allow ``--json`` after the command words too (``switchboard status --json``)."""
    kept = [w for w in words if w != "--json"]
    return kept, len(kept) != len(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # The CLI owns its process's logging: with --verbose httpx logs every request
    # URL, which holds PBXware's and MiRTA's key.
    install_log_filter()
    words, json_flag = _split_json_flag(list(args.words))
    args.json = args.json or json_flag
    if not words:
        parser.print_help()
        return EXIT_OK
    try:
        subcommand = load_subcommand(words[0])
        if subcommand is not None:
            sub_parser = argparse.ArgumentParser(
                prog=f"switchboard {subcommand.name}", description=subcommand.help
            )
            subcommand.configure(sub_parser)
            sub_args = sub_parser.parse_args(words[1:], namespace=args)
            return subcommand.run(sub_args)
        path = find_config(args.config)
        text = " ".join(words)
        if path is None:
            return asyncio.run(_run_demo(args, text))
        return asyncio.run(_run_configured(load_config(path), args, text))
    except SwitchboardConfigError as err:
        sys.stderr.write(f"{err.message}\n")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return EXIT_FAILED


__all__ = [
    "Subcommand",
    "build_parser",
    "main",
    "register_subcommand",
]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
