"""``switchboard demo``: the interactive demo console, or ``--tour`` for a scripted tour."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from switchboard.core.cli.console import Console
from switchboard.core.cli.output import EXIT_FAILED, EXIT_OK
from switchboard.core.cli.subcommands import Subcommand
from switchboard.core.demo import run_tour, start_demo

if TYPE_CHECKING:
    import argparse


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tour",
        action="store_true",
        help="run a short scripted tour across every vendor and exit",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="reach the emulators in-process instead of on loopback ports",
    )


async def _main(args: argparse.Namespace) -> int:
    async with start_demo(loopback=not args.in_process) as demo:
        if args.tour:

            def emit(text: str) -> None:
                sys.stdout.write(text + "\n")

            failures = await run_tour(demo, emit)
            sys.stdout.flush()
            if failures:
                sys.stderr.write(f"{failures} demo command(s) failed unexpectedly.\n")
                return EXIT_FAILED
            return EXIT_OK
        await Console(demo).loop()
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return EXIT_OK


SUBCOMMAND = Subcommand(
    name="demo",
    help="Start the built-in demo (add --tour for a scripted tour).",
    configure=_configure,
    run=_run,
)
