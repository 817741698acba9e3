"""The built-in demo: the README's `switchboard demo --tour`, and the interactive console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from switchboard.core.cli.console import Console
from switchboard.core.demo import demo_vendors, start_demo

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_tour_runs_end_to_end_on_loopback(tmp_path: Path) -> None:
    """`switchboard demo --tour` on a fresh checkout: no config, real loopback ports, exit 0."""
    env = {k: v for k, v in os.environ.items() if k != "SWITCHBOARD_CONFIG"}
    env["HOME"] = str(tmp_path)  # no ~/.config/switchboard/config.toml
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    done = subprocess.run(
        [sys.executable, "-m", "switchboard.core.cli", "demo", "--tour"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for plugin in demo_vendors().values():
        assert (
            f"=== {plugin.display_name} (PBX '{plugin.name}' at http://127.0.0.1:"
            in out
        )
    assert "Refused: Only admins can switch flows." in out
    assert "premium-rate number" in out
    assert "Did you mean 'status'?" in out
    assert "The audit log holds" in out
    # A missed call reaches its user, once (the watcher polled twice after it).
    assert out.count("is told: missed call from +4533123456") == 1
    assert "Traceback" not in out + done.stderr


async def test_console_switches_pbx_and_user(tmp_path: Path) -> None:
    lines = iter(
        [
            "",
            "pbxs",
            "use nowhere",
            "use telecomx",
            "presence busy",
            "as bob",
            "flow night on",
            "as nobody",
            "console",
            "quit",
            "status",
        ]
    )
    written: list[str] = []

    async def read_line(prompt: str) -> str | None:
        written.append(prompt)
        return next(lines)

    async with start_demo(state_dir=tmp_path, loopback=False) as demo:
        console = Console(demo, read_line=read_line, write=written.append)
        await console.loop()
    text = "\n".join(written)
    assert "alice@mirta> " in written  # the first vendor by name is the default
    assert "There is no PBX 'nowhere'" in text
    assert "Now using telecomx (TelecomX)." in text
    assert "is now busy" in text
    assert "bob@telecomx> " in written
    assert "Only admins can switch flows." in text
    assert "There is no demo user 'nobody'" in text
    assert "use PBX" in text
    assert written[-1] == "Bye."
    assert not any(
        w.startswith("Extension") for w in written
    )  # 'status' after quit never ran


async def test_console_ends_on_end_of_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def eof(prompt: str) -> str | None:
        return None

    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        await Console(demo, read_line=eof).loop()
    assert capsys.readouterr().out.rstrip().endswith("Bye.")
