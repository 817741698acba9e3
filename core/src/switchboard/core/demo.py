"""The built-in demo: every vendor emulator, a configuration built in code, demo users.

``switchboard`` without a configuration file, ``switchboard demo`` and
``switchboard demo --tour`` all start here:

* each installed vendor's emulator runs on a loopback port (one PBX per vendor,
  named after it), or in-process when ``loopback=False`` (tests);
* a :class:`~switchboard.core.config.SwitchboardConfig` points at them, with state in a
  temporary directory unless one is given;
* two demo users are linked on every PBX: ``alice`` (an admin, on a call so
  recording can be shown) and ``bob`` (a regular user).
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from switchboard.core.capabilities import Capability
from switchboard.core.commands import Actor, CommandService, Outcome, Reply, Surface
from switchboard.core.config import (
    PbxConnection,
    PolicySettings,
    SlackSettings,
    StateSettings,
    SwitchboardConfig,
)
from switchboard.core.emulator import RingsPhones, ring_out, serve
from switchboard.core.errors import SwitchboardConfigError
from switchboard.core.registry import available_vendors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from switchboard.core.commands.state import MissedCallNote
    from switchboard.core.emulator import Emulator
    from switchboard.core.plugin import VendorPlugin

ADMIN = "alice"
USER = "bob"
DEMO_USERS = {
    ADMIN: Actor(ADMIN, "Alice (admin)", Surface.CLI),
    USER: Actor(USER, "Bob", Surface.CLI),
}
# Demo dialling is national (DK); the tour also shows an international refusal.
DEMO_REGION = "DK"


@dataclass
class Demo:
    """A running demo.

    Attributes:
        config: The configuration pointing at the emulators.
        service: The command service over it.
        emulators: Each PBX's emulator, by PBX name.
        urls: Each PBX's base URL.
        users: The demo users by name.
    """

    config: SwitchboardConfig
    service: CommandService
    emulators: dict[str, Emulator]
    urls: dict[str, str]
    users: dict[str, Actor] = field(default_factory=lambda: dict(DEMO_USERS))

    async def run(self, text: str, user: str = ADMIN, pbx: str | None = None) -> Reply:
        """Run a command as a demo user."""
        return await self.service.run(text, self.users[user], pbx=pbx)


def demo_vendors() -> dict[str, VendorPlugin[Any]]:
    """Return the vendors the demo runs: built-ins first, then third-party ones."""
    return available_vendors()


def demo_config(urls: dict[str, str], state_dir: Path) -> SwitchboardConfig:
    """Build the demo configuration: one PBX per vendor at ``urls``."""
    vendors = available_vendors()
    pbx = {
        name: PbxConnection(name, vendors[name], vendors[name].demo_settings(url))
        for name, url in urls.items()
    }
    return SwitchboardConfig(
        pbx=pbx,
        default_pbx=next(iter(pbx)),
        policy=PolicySettings(admins=[ADMIN], default_region=DEMO_REGION),
        slack=SlackSettings(),
        state=StateSettings(
            database_url=f"sqlite+aiosqlite:///{state_dir / 'demo-state.db'}"
        ),
        users={},
    )


async def link_demo_users(demo: Demo) -> None:
    """Link alice (on a call, if anyone is) and bob to extensions on every PBX."""
    for pbx in demo.config.pbx:
        backend = demo.service.backends.get(pbx)
        statuses = await backend.get_statuses()
        statuses.sort(key=lambda s: (len(s.extension.number), s.extension.number))
        talking = [s for s in statuses if s.on_call]
        alice = (talking or statuses)[0]
        others = [s for s in statuses if s is not alice]
        bob = next((s for s in others if s.registered and not s.on_call), others[0])
        await demo.service.link(ADMIN, pbx, alice.extension.number, linked_by="demo")
        await demo.service.link(USER, pbx, bob.extension.number, linked_by="demo")


@contextlib.asynccontextmanager
async def start_demo(
    *,
    state_dir: Path | None = None,
    loopback: bool = True,
    vendors: list[str] | None = None,
) -> AsyncIterator[Demo]:
    """Start the emulators and the command service; stop them on exit.

    Args:
        state_dir: Where the demo state database goes (a temporary directory
            by default, removed afterwards).
        loopback: Serve the emulators on loopback ports (the real thing); when
            False they are reached in-process through ``httpx.ASGITransport``.
        vendors: Only these vendors (default: every installed one).
    """
    plugins = demo_vendors()
    if vendors is not None:
        plugins = {n: p for n, p in plugins.items() if n in vendors}
    if not plugins:
        msg = "No PBX vendor plugin is installed, so there is nothing to demo."
        raise SwitchboardConfigError(msg)
    async with contextlib.AsyncExitStack() as stack:
        if state_dir is None:
            state_dir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="switchboard-"))
            )
        emulators = {
            name: plugin.emulator_factory() for name, plugin in plugins.items()
        }
        urls: dict[str, str] = {}
        client: httpx.AsyncClient | None = None
        if loopback:
            for name, emulator in emulators.items():
                urls[name] = await stack.enter_async_context(serve(emulator))
        else:
            urls = {name: f"http://{name}.emulator.test" for name in emulators}
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    mounts={
                        urls[n]: httpx.ASGITransport(app=e)
                        for n, e in emulators.items()
                    }
                )
            )
        config = demo_config(urls, state_dir)
        service = await CommandService.create(config, http_client=client)
        stack.push_async_callback(service.aclose)
        demo = Demo(config, service, emulators, urls)
        await link_demo_users(demo)
        yield demo


# -- the tour -------------------------------------------------------------------------

# (user, command) pairs run on every PBX; commands a vendor cannot do show its
# own explanation, which is part of the point.
TOUR_PER_PBX: tuple[tuple[str, str], ...] = (
    (ADMIN, "status"),
    (ADMIN, "dnd on for 1h"),
    (ADMIN, "presence holiday"),
    (ADMIN, "forward +4570305050"),
    (ADMIN, "forward noanswer +4570305050 after 20s"),
    (ADMIN, "call +4570305050"),
    (ADMIN, "record start"),
    (ADMIN, "flow list"),
    (ADMIN, "hours"),
    (ADMIN, "calls"),
)

# (user, command, capability): each runs on the first PBX that has the capability,
# so the refusal shown is the policy's, not the vendor's.
TOUR_FINALE: tuple[tuple[str, str, Capability | None], ...] = (
    (USER, "whoami", None),
    (USER, "dnd on", Capability.DND),
    (USER, "flow night on", Capability.FLOWS),
    (USER, "hours off", Capability.OFFICE_HOURS),
    (USER, "service followme unavailable", Capability.EXTENSION_FEATURES),
    (USER, "call +4590123456", Capability.DIAL),
    (USER, "call +12025550123", Capability.DIAL),
    (USER, "stauts", None),
    (ADMIN, "status all", Capability.STATUS),
)


async def run_tour(demo: Demo, emit: Callable[[str], None]) -> int:
    """Run the scripted tour, printing through ``emit``; return the number of PBX failures."""
    failures = 0

    async def step(user: str, text: str, pbx: str | None) -> None:
        nonlocal failures
        reply = await demo.run(text, user, pbx)
        where = f" --pbx {pbx}" if pbx else ""
        emit(f"$ switchboard --as {user}{where} {text}")
        emit(_indent(reply.text))
        emit("")
        failures += reply.outcome is Outcome.FAILED

    emit("Switchboard demo tour: every vendor emulator runs on this machine.")
    emit("")
    emit(capability_table(demo))
    emit("")
    for pbx in demo.config.pbx:
        vendor = demo.service.backends.get(pbx).display_name
        emit(f"=== {vendor} (PBX '{pbx}' at {demo.urls[pbx]}) ===")
        emit("")
        for user, text in TOUR_PER_PBX:
            await step(user, text, pbx)
    await _missed_call_tour(demo, emit)
    emit("=== Policy: what a regular user may not do ===")
    emit("")
    for user, text, capability in TOUR_FINALE:
        await step(user, text, _pbx_with(demo, capability))
    entries = await demo.service.store.audit_entries(limit=1000)
    emit(f"The audit log holds {len(entries)} entries; the last three:")
    for entry in entries[-3:]:
        emit(
            f"  {entry.at:%H:%M:%S} {entry.user_id:<6} {entry.pbx or '-':<9} "
            f"{entry.action:<22} {entry.outcome}"
        )
    return failures


class _TourSender:
    """Prints the missed-call notes the watcher sends (Slack sends them as DMs)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self.emit = emit

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        note = notes[-1]
        again = f" ({len(notes)} times)" if previous is not None else ""
        self.emit(
            f"  -> {note.user_id} is told: missed call from {note.caller}{again} "
            f"on extension {note.extension}  [Call back] [Done]"
        )
        return "tour", note.call_id

    async def find(self, note: MissedCallNote) -> tuple[str, str] | None:  # noqa: ARG002 - the tour never dies mid-way
        return None


async def _missed_call_tour(demo: Demo, emit: Callable[[str], None]) -> None:
    """Ring a user's phone until it rings out; the watcher tells them, once."""
    from switchboard.core.commands.watcher import CallWatcher  # noqa: PLC0415 - tour only

    pbx = _pbx_with(demo, Capability.CALL_HISTORY)
    emulator = demo.emulators[pbx]
    link = await demo.service.linked_extension(USER, pbx)
    if not isinstance(emulator, RingsPhones) or link is None:
        return
    emit(f"=== Missed calls (PBX '{pbx}') ===")
    emit("")
    watcher = CallWatcher(demo.service, _TourSender(emit))
    await watcher.poll_once(pbx)
    emit(f"  +4533123456 calls extension {link.extension} ({USER}); nobody answers.")
    ring_out(emulator, link.extension, "+4533123456")
    await watcher.poll_once(pbx)
    await watcher.poll_once(pbx)  # polled again: nobody is told twice
    emit("")


def _pbx_with(demo: Demo, capability: Capability | None) -> str:
    names = list(demo.config.pbx)
    if capability is None:
        return names[0]
    backends = demo.service.backends
    return next((n for n in names if backends.get(n).supports(capability)), names[0])


def capability_table(demo: Demo) -> str:
    """Render which PBX supports what, as a text table."""
    from switchboard.core.commands.render import table  # noqa: PLC0415 - only the tour needs it

    names = list(demo.config.pbx)
    rows = [
        [capability.value]
        + [
            "yes" if demo.service.backends.get(n).supports(capability) else "-"
            for n in names
        ]
        for capability in Capability
    ]
    headers = ["CAPABILITY"] + [
        demo.service.backends.get(n).display_name for n in names
    ]
    return table(headers, rows)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.splitlines())
