"""``switchboard slack ...``: run the Slack app, check its tokens, print its manifest.

    switchboard slack run                 Socket Mode (SLACK_BOT_TOKEN + SLACK_APP_TOKEN)
    switchboard slack run --http --port 3000
                                          HTTP mode (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET)
    switchboard --config office.toml slack run --http --port 3000 --workers 4
                                          four HTTP processes sharing the port
    switchboard slack check [--http]      check the tokens with Slack, then exit
    switchboard slack manifest [--http-url https://...] [--link]
                                          the app manifest, for one-step app creation

The Slack packages are optional (``pip install switchboard-pbx[slack]``), so
this module imports them only when a sub-command runs. Without a configuration
file the app runs against the built-in demo PBXs, so Slack can be tried first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from switchboard.core.cli.main import find_config
from switchboard.core.cli.output import EXIT_FAILED, EXIT_OK, EXIT_REFUSED
from switchboard.core.cli.subcommands import Subcommand
from switchboard.core.config import load_config
from switchboard.core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    from switchboard.core.config import SwitchboardConfig

HELP = "Run the Slack app: run (Socket Mode or --http), check, manifest."


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"{text!r} is not a whole number of 1 or more"
        raise argparse.ArgumentTypeError(msg)
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``run``, ``check`` and ``manifest`` to ``switchboard slack``."""
    actions = parser.add_subparsers(dest="slack_action", metavar="ACTION")
    actions.required = True
    run = actions.add_parser(
        "run", help="connect to Slack and serve /pbx, buttons, App Home"
    )
    run.add_argument(
        "--http",
        action="store_true",
        help="HTTP mode (signed requests on /slack/events) instead of Socket Mode",
    )
    run.add_argument("--port", type=int, help="HTTP port (default: slack.port, 3000)")
    run.add_argument("--host", help="HTTP bind address (default: 0.0.0.0)")
    run.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="HTTP mode: N processes sharing the port (default 1)",
    )
    check = actions.add_parser(
        "check", help="check the Slack tokens and the configuration, then exit"
    )
    check.add_argument(
        "--http",
        action="store_true",
        help="check for HTTP mode (signing secret, no app-level token)",
    )
    manifest = actions.add_parser(
        "manifest", help="print the Slack app manifest (YAML)"
    )
    manifest.add_argument(
        "--http-url",
        metavar="URL",
        help="public https base URL for HTTP mode (default: a Socket Mode manifest)",
    )
    manifest.add_argument(
        "--link",
        action="store_true",
        help="print a link that opens Slack's 'create app' page with the manifest",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``slack`` to an argparse sub-parser set (for a parser built that way)."""
    parser = subparsers.add_parser("slack", help=HELP, description=HELP)
    configure(parser)
    parser.set_defaults(handler=run)


def _config(path: Path | None) -> SwitchboardConfig | None:
    return None if path is None else load_config(path)


async def _serve(args: argparse.Namespace) -> int:
    from switchboard.slack_app.app import run as run_app  # noqa: PLC0415 - optional dependency
    from switchboard.slack_app.settings import Mode  # noqa: PLC0415

    mode: Mode | None = "http" if args.http else None
    config = _config(find_config(getattr(args, "config", None)))
    if config is not None:
        await run_app(config, mode=mode, port=args.port, host=args.host)
        return EXIT_OK
    from switchboard.core.config import SlackSettings  # noqa: PLC0415
    from switchboard.core.demo import start_demo  # noqa: PLC0415 - only without configuration
    from switchboard.slack_app.settings import resolve_runtime  # noqa: PLC0415

    # Fail fast on missing tokens, before any emulator starts.
    resolve_runtime(SlackSettings(), mode=mode, port=args.port, host=args.host)
    sys.stderr.write(
        "No configuration file found: the Slack app runs against the built-in demo PBXs.\n"
    )
    async with start_demo() as demo:
        await run_app(
            demo.config, service=demo.service, mode=mode, port=args.port, host=args.host
        )
    return EXIT_OK


def _worker(path: str, port: int, host: str) -> None:
    """One HTTP worker process: load the configuration and serve until stopped."""
    from switchboard.slack_app.app import run as run_app  # noqa: PLC0415 - optional dependency

    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_app(load_config(Path(path)), mode="http", port=port, host=host))


def _worker_plan(args: argparse.Namespace) -> tuple[Path, int, str]:
    """Check everything ``--workers`` needs, once, before any worker starts."""
    from switchboard.slack_app.settings import resolve_runtime  # noqa: PLC0415 - optional dependency

    path = find_config(getattr(args, "config", None))
    if path is None:
        msg = (
            "--workers needs a configuration file (the demo PBXs live in one process)."
        )
        raise SwitchboardConfigError(msg)
    config = load_config(path)
    if not args.http and config.slack.mode != "http":
        msg = "--workers needs HTTP mode: add --http (Socket Mode uses one connection)."
        raise SwitchboardConfigError(msg)
    runtime = resolve_runtime(config.slack, mode="http", port=args.port, host=args.host)
    if runtime.port == 0:
        msg = "--workers needs a fixed --port for the workers to share."
        raise SwitchboardConfigError(msg)
    return path, runtime.port, runtime.host


def _serve_workers(args: argparse.Namespace) -> int:
    """Run ``--workers`` HTTP processes on one port (``SO_REUSEPORT``).

    The parent restarts a worker that dies and stops them all on SIGTERM/SIGINT
    (see :mod:`switchboard.slack_app.workers`).
    """
    from switchboard.slack_app.workers import WorkerPool  # noqa: PLC0415

    path, port, host = _worker_plan(args)
    pool = WorkerPool(_worker, (str(path), port, host), args.workers)
    return EXIT_OK if pool.run() else EXIT_FAILED


async def _check(args: argparse.Namespace) -> int:
    from switchboard.slack_app.app import check_bot_token, create_app  # noqa: PLC0415
    from switchboard.slack_app.settings import resolve_runtime  # noqa: PLC0415

    path = find_config(getattr(args, "config", None))
    config = _config(path)
    slack_settings = config.slack if config is not None else None
    if slack_settings is None:
        from switchboard.core.config import SlackSettings  # noqa: PLC0415

        slack_settings = SlackSettings()
    runtime = resolve_runtime(slack_settings, mode="http" if args.http else None)
    if config is None:
        sys.stdout.write(
            f"Slack tokens for {runtime.mode} mode are set (no PBX configured).\n"
        )
        return EXIT_OK
    app = await create_app(config, runtime)
    try:
        team = await check_bot_token(app.bolt)
    finally:
        await app.aclose()
    sys.stdout.write(
        f"Slack accepted the bot token (workspace: {team}); {runtime.mode} mode is ready.\n"
    )
    return EXIT_OK


def _manifest(args: argparse.Namespace) -> int:
    from switchboard.slack_app.manifest import creation_link, manifest_yaml  # noqa: PLC0415

    text = creation_link(args.http_url) if args.link else manifest_yaml(args.http_url)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    if args.slack_action == "manifest":
        return _manifest(args)
    if args.slack_action == "check":
        return asyncio.run(_check(args))
    if args.workers > 1:
        return _serve_workers(args)
    return asyncio.run(_serve(args))


def run(args: argparse.Namespace) -> int:
    """Run ``switchboard slack ACTION``; return the exit code."""
    logging.getLogger("switchboard.slack_app").setLevel(logging.INFO)
    try:
        return _dispatch(args)
    except SwitchboardConfigError as err:
        sys.stderr.write(f"{err.message}\n")
        return EXIT_REFUSED
    except ImportError as err:
        sys.stderr.write(f"The Slack app is not installed ({err}). {HELP}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK


SUBCOMMAND = Subcommand(name="slack", help=HELP, configure=configure, run=run)
