"""The real ``switchboard slack run --http`` in a subprocess, as an operator starts it.

The configuration file points the PBX at an emulator on a loopback port and
Slack (``[slack] api_url`` and ``response_url_origins``) at the fake Slack of
:mod:`tests.slack_app.fake_slack`; tokens come from the environment, as in
production. The server's log goes to a file the tests read (tracebacks, secrets).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from switchboard.slack_app.http_server import HEALTH_PATH
from tests.slack_app.signing import SIGNING_SECRET

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from switchboard.core.plugin import VendorPlugin

BOT_TOKEN = "xoxb-server-0000-secret-token"
START_SECONDS = 60.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    path: Path,
    plugin: VendorPlugin[Any],
    pbx_url: str,
    *,
    slack: Mapping[str, Any],
    users: Mapping[str, str],
    admins: list[str],
) -> dict[str, str]:
    """Write a configuration file; return the environment its secrets need."""
    settings = plugin.demo_settings(pbx_url)
    env: dict[str, str] = {}
    lines = ['default_pbx = "office"', "", "[pbx.office]", f'vendor = "{plugin.name}"']
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            env[f"SB_TEST_{name.upper()}"] = value.get_secret_value()
            lines.append(f'{name} = "${{SB_TEST_{name.upper()}}}"')
        elif value is not None:
            lines.append(f"{name} = {json.dumps(value)}")
    lines += ["", "[policy]", f"admins = {json.dumps(admins)}", "", "[slack]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in slack.items()]
    lines += [
        "",
        "[state]",
        f'database_url = "sqlite+aiosqlite:///{path.parent / "state.db"}"',
    ]
    for user, extension in users.items():
        lines += ["", f"[users.{user}]", f'extension = "{extension}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


@dataclass
class SlackServer:
    """A running ``switchboard slack run --http``."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def switchboard_command() -> list[str]:
    """The ``switchboard`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("switchboard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "switchboard"]


@contextlib.asynccontextmanager
async def slack_server(
    config: Path,
    env: Mapping[str, str],
    log: Path,
    *,
    port: int | None = None,
    workers: int = 1,
) -> AsyncIterator[SlackServer]:
    """Start the server, wait for ``/healthz``, stop it with SIGTERM afterwards.

    Waiting never blocks the event loop: the server asks the fake Slack (which
    may run in this loop) who it is before it answers ``/healthz``.

    Args:
        config: The configuration file.
        env: The environment its secrets need.
        log: Where the server's output goes.
        port: The port (default: a free one), for a configuration that names it.
        workers: ``--workers N`` (the parent's pid is the process's).
    """
    port = port or free_port()
    full_env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        **env,
    }
    command = [
        *switchboard_command(),
        "--config",
        str(config),
        "slack",
        "run",
        "--http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *(["--workers", str(workers)] if workers > 1 else []),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: ASYNC220 - returns at once; waits run off the loop
            command, env=full_env, stdout=sink, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    server = SlackServer(url, log, process)
    try:
        await _wait_healthy(server)
        yield server
    finally:
        await stop_server(server)


async def stop_server(server: SlackServer) -> int:
    """SIGTERM (a graceful stop), then the exit code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(server.process.wait, 20)
        except subprocess.TimeoutExpired:
            server.process.kill()
    return await asyncio.to_thread(server.process.wait)


async def _wait_healthy(server: SlackServer) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS
    async with httpx.AsyncClient(timeout=1) as http:
        while loop.time() < deadline:
            if server.process.poll() is not None:
                msg = f"the Slack server exited at start-up:\n{server.log_text()}"
                raise RuntimeError(msg)
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{server.url}{HEALTH_PATH}")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    msg = f"the Slack server did not answer /healthz:\n{server.log_text()}"
    raise RuntimeError(msg)
