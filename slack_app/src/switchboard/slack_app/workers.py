"""``slack run --http --workers N``: the parent that keeps N worker processes running.

The workers share one port (``SO_REUSEPORT``) and each runs the whole app. A worker
that dies while the parent is not stopping (killed, out of memory, crashed) is
started again in its slot: a process supervisor (systemd) watches only the parent,
which would otherwise go on with one worker fewer for ever. Restarts of one slot
wait 1, 2, 4 ... seconds, at most :data:`RESTART_WAIT_CAP_SECONDS`, so a worker
that fails at start does not spin; a worker that ran longer than the cap starts
over from 1 second. SIGTERM or SIGINT stops every worker (each finishes the
answers in flight) and restarts nothing.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.process import BaseProcess
    from types import FrameType

_LOGGER = logging.getLogger(__name__)

RESTART_WAIT_CAP_SECONDS = 30.0
"""The longest wait before a worker that keeps dying is started again."""

_FIRST_WAIT_SECONDS = 1.0
_STOP_GRACE_SECONDS = 15.0  # answers in flight finish; then SIGKILL


def describe_exit(exitcode: int | None) -> str:
    """``exit code 3`` or ``killed by SIGKILL``, from a process's exit code."""
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}"
    return f"exit code {exitcode}"


@dataclass
class _Slot:
    """One worker place: its current process and when to restart it."""

    index: int
    process: BaseProcess | None = None
    started_at: float = 0.0
    wait: float = _FIRST_WAIT_SECONDS
    restart_at: float | None = None


class WorkerPool:
    """Start ``count`` processes of ``target(*args)``; restart those that die."""

    def __init__(
        self,
        target: Callable[..., None],
        args: tuple[object, ...],
        count: int,
        *,
        name: str = "switchboard-slack",
    ) -> None:
        self._target = target
        self._args = args
        self._name = name
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(index) for index in range(count)]
        self._stopping = False
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)

    def _start(self, slot: _Slot) -> None:
        process = self._context.Process(
            target=self._target, args=self._args, name=f"{self._name}-{slot.index}"
        )
        process.start()
        slot.process = process
        slot.started_at = time.monotonic()
        slot.restart_at = None
        _LOGGER.info("Slack worker %d started (pid %s)", slot.index, process.pid)

    def _stop_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):  # the pipe is full: a wake-up is pending
            os.write(self._wake_write, b"\0")

    def _reap(self, slot: _Slot) -> None:
        """A worker died while the pool runs: log it and plan its restart."""
        process = slot.process
        assert process is not None  # noqa: S101 - only running slots are reaped
        process.join()
        now = time.monotonic()
        if now - slot.started_at > RESTART_WAIT_CAP_SECONDS:
            slot.wait = _FIRST_WAIT_SECONDS  # it ran well: no penalty from long ago
        slot.process = None
        slot.restart_at = now + slot.wait
        _LOGGER.warning(
            "Slack worker %d (pid %s) died (%s); restarting it in %g s",
            slot.index,
            process.pid,
            describe_exit(process.exitcode),
            slot.wait,
        )
        slot.wait = min(slot.wait * 2, RESTART_WAIT_CAP_SECONDS)

    def _stop_requested(self) -> bool:
        """Whether SIGTERM/SIGINT arrived (a signal handler may set it at any time)."""
        return self._stopping

    def _supervise(self) -> None:
        while not self._stop_requested():
            now = time.monotonic()
            for slot in self._slots:
                if slot.restart_at is not None and slot.restart_at <= now:
                    self._start(slot)
            running = {
                s.process.sentinel: s for s in self._slots if s.process is not None
            }
            due = [s.restart_at for s in self._slots if s.restart_at is not None]
            timeout = max(0.0, min(due) - time.monotonic()) if due else None
            ready = wait([*running, self._wake_read], timeout)
            if self._stop_requested():
                return  # a worker that stops with the others did not die
            for sentinel in ready:
                if sentinel == self._wake_read:
                    os.read(self._wake_read, 64)
                elif isinstance(sentinel, int) and sentinel in running:
                    self._reap(running[sentinel])

    def _stop_all(self) -> list[int | None]:
        """SIGTERM every worker, wait for the graceful stop, then SIGKILL the rest."""
        processes = [s.process for s in self._slots if s.process is not None]
        for process in processes:
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        return [process.exitcode for process in processes]

    def run(self) -> bool:
        """Run until SIGTERM/SIGINT; return whether every worker stopped cleanly."""
        previous = {
            sig: signal.signal(sig, self._stop_signal)
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            for slot in self._slots:
                if not self._stopping:
                    self._start(slot)
            self._supervise()
        finally:
            exits = self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            os.close(self._wake_read)
            os.close(self._wake_write)
        return all(code in (0, -signal.SIGTERM) for code in exits)
