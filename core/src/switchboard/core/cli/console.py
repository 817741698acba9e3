"""The interactive demo console: type commands, switch PBX and user, quit."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import TYPE_CHECKING

from switchboard.core.demo import ADMIN, capability_table

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from switchboard.core.demo import Demo

QUIT_WORDS = frozenset({"quit", "exit", "q", ":q", "bye"})

CONSOLE_HELP = """\
Console commands (besides the Switchboard commands, see 'help'):
  use PBX      run the next commands against another PBX ({pbxs})
  as USER      act as another demo user ({users})
  pbxs         list the PBXs and their addresses
  quit         leave (Ctrl-D works too)"""


async def _read_line(prompt: str) -> str | None:
    """Read a line without blocking the event loop (the emulators keep serving).

    A daemon thread, not the default executor: after Ctrl-C the interpreter
    must not wait for a thread stuck in ``input()``.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def deliver(line: str | None) -> None:
        if not future.done():
            future.set_result(line)

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except (EOFError, OSError, ValueError):
            line = None
        with contextlib.suppress(RuntimeError):  # the loop may be gone already
            loop.call_soon_threadsafe(deliver, line)

    threading.Thread(target=read, name="switchboard-console", daemon=True).start()
    return await future


class Console:
    """A read-eval-print loop over a running demo."""

    def __init__(
        self,
        demo: Demo,
        *,
        read_line: Callable[[str], Awaitable[str | None]] = _read_line,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.demo = demo
        self.pbx = next(iter(demo.config.pbx))
        self.user = ADMIN
        self._read = read_line
        self._write = write or (lambda text: sys.stdout.write(text + "\n"))

    def _help(self) -> str:
        return CONSOLE_HELP.format(
            pbxs=", ".join(self.demo.config.pbx), users=", ".join(self.demo.users)
        )

    def intro(self) -> str:
        """The banner: what runs where, and how to start."""
        lines = ["Switchboard demo: vendor emulators are running on this machine.", ""]
        lines.append(capability_table(self.demo))
        lines += [
            "",
            self._help(),
            "",
            "Try: status, dnd on, call +4570305050, flow list, help",
            "",
        ]
        return "\n".join(lines)

    async def handle(self, line: str) -> bool:
        """Handle one line; return False when the user wants to leave."""
        words = line.split()
        if not words:
            return True
        head = words[0].lower()
        if head in QUIT_WORDS:
            return False
        if head == "use" and len(words) == 2:
            self._use(words[1])
        elif head == "as" and len(words) == 2:
            self._as(words[1])
        elif head in {"pbxs", "pbx"} and len(words) == 1:
            for name, url in self.demo.urls.items():
                vendor = self.demo.service.backends.get(name).display_name
                self._write(f"  {name:<10} {vendor:<12} {url}")
        elif head in {"console", "?"}:
            self._write(self._help())
        else:
            reply = await self.demo.run(line, self.user, self.pbx)
            self._write(reply.text)
        return True

    def _use(self, name: str) -> None:
        if name not in self.demo.config.pbx:
            self._write(
                f"There is no PBX '{name}'. Choose one of: {', '.join(self.demo.config.pbx)}."
            )
            return
        self.pbx = name
        vendor = self.demo.service.backends.get(name).display_name
        self._write(f"Now using {name} ({vendor}).")

    def _as(self, name: str) -> None:
        if name not in self.demo.users:
            self._write(
                f"There is no demo user '{name}'. Choose one of: {', '.join(self.demo.users)}."
            )
            return
        self.user = name
        self._write(f"Now acting as {self.demo.users[name].label}.")

    async def loop(self) -> None:
        """Read and run lines until quit or end of input."""
        self._write(self.intro())
        while True:
            line = await self._read(f"{self.user}@{self.pbx}> ")
            if line is None or not await self.handle(line):
                break
        self._write("Bye.")
