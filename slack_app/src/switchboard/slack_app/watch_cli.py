"""``switchboard watch``: the missed-call watcher on its own, without serving Slack.

    switchboard --config office.toml watch

It needs only the bot token (``SLACK_BOT_TOKEN``): it reads the PBXs and sends DMs.
Run it where no ``slack run`` runs, or next to them: the lease in the state
database lets one process poll each PBX, whatever runs the watcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

from switchboard.core.cli.main import find_config
from switchboard.core.cli.output import EXIT_FAILED, EXIT_OK, EXIT_REFUSED
from switchboard.core.cli.subcommands import Subcommand
from switchboard.core.config import load_config
from switchboard.core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from switchboard.core.config import SwitchboardConfig

HELP = "Watch the PBXs for missed calls and send them to Slack (needs SLACK_BOT_TOKEN)."


def configure(parser: argparse.ArgumentParser) -> None:
    """``switchboard watch`` takes no arguments of its own."""
    del parser


async def watch(
    config: SwitchboardConfig,
    *,
    env: Mapping[str, str] | None = None,
) -> None:
    """Check the bot token, then watch until SIGINT/SIGTERM."""
    from switchboard.core.redaction import install_log_filter  # noqa: PLC0415
    from switchboard.slack_app.app import check_bot_token, create_app  # noqa: PLC0415
    from switchboard.slack_app.missed_calls import missed_call_watcher  # noqa: PLC0415
    from switchboard.slack_app.settings import (  # noqa: PLC0415 - optional dependency
        SlackRuntime,
        resolve_api_url,
        resolve_bot_token,
    )

    install_log_filter()
    environ = os.environ if env is None else env
    runtime = SlackRuntime(
        mode="http",
        bot_token=resolve_bot_token(config.slack, environ),
        # [slack] api_url or SLACK_API_URL, as for `slack run` (GovSlack, tests).
        api_url=resolve_api_url(config.slack, environ),
    )
    slack = await create_app(config, runtime)
    try:
        await check_bot_token(slack.bolt)
        task = asyncio.create_task(
            missed_call_watcher(slack.board, slack.bolt.client).run()
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await slack.aclose()


def run(args: argparse.Namespace) -> int:
    """Run ``switchboard watch``; return the exit code."""
    logging.getLogger("switchboard").setLevel(logging.INFO)
    path = find_config(getattr(args, "config", None))
    if path is None:
        sys.stderr.write(
            "switchboard watch needs a configuration file (the PBXs to watch).\n"
        )
        return EXIT_REFUSED
    try:
        asyncio.run(watch(load_config(path)))
    except SwitchboardConfigError as err:
        sys.stderr.write(f"{err.message}\n")
        return EXIT_REFUSED
    except ImportError as err:
        sys.stderr.write(f"The Slack app is not installed ({err}).\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        pass
    return EXIT_OK


SUBCOMMAND = Subcommand(name="watch", help=HELP, configure=configure, run=run)
