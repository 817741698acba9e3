"""One Slack HTTP worker in its own process, for the multi-worker PostgreSQL test.

    python -m tests.slack_app.watch_worker PBX_URL DATABASE_URL SLACK_API_URL [--no-lease]

It runs :func:`switchboard.slack_app.app.run` (what ``switchboard slack run --http``
runs in each worker), so the watcher, its lease and the DMs are the real ones; the
configuration is the demo's MiRTA PBX, on the shared PostgreSQL state database.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
import tempfile
from pathlib import Path

from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.config import SlackSettings, StateSettings
from switchboard.core.demo import demo_config
from switchboard.slack_app.app import run

VENDOR = "mirta"
ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test-0000-secret-token",
    "SLACK_SIGNING_SECRET": "test-signing-secret-0123456789",
}


def main() -> None:
    pbx_url, database_url, slack_api_url, *flags = sys.argv[1:]
    if "--no-lease" in flags:
        CallWatcher.USE_LEASE = False
    logging.basicConfig(level=logging.INFO, format="%(process)d %(name)s: %(message)s")
    config = demo_config({VENDOR: pbx_url}, Path(tempfile.mkdtemp()))
    config = dataclasses.replace(
        config,
        state=StateSettings(database_url=database_url),
        slack=SlackSettings(mode="http", missed_call_interval=1.0),
    )
    asyncio.run(
        run(
            config,
            mode="http",
            port=0,
            host="127.0.0.1",
            env={**ENV, "SLACK_API_URL": slack_api_url},
        )
    )


if __name__ == "__main__":
    main()
