"""The watcher on its own: the lease between two watchers, and quota-aware pacing."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.config import UserSettings
from switchboard.core.demo import USER, start_demo
from switchboard.core.emulator import RingsPhones, ring_out

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.commands.state import MissedCallNote


class Recorder:
    """A sender that remembers what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[list[MissedCallNote]] = []
        self.places: list[tuple[str, str]] = []

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        self.sent.append(notes)
        place = ("D1", f"{len(self.sent)}.0" if previous is None else str(previous.ts))
        self.places.append(place)
        return place

    async def find(self, note: MissedCallNote) -> tuple[str, str] | None:
        found = [
            place
            for notes, place in zip(self.sent, self.places, strict=True)
            if note.call_id in {n.call_id for n in notes}
        ]
        return found[-1] if found else None


async def test_only_the_lease_holder_polls_and_a_call_is_sent_once(
    tmp_path: Path,
) -> None:
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        first, second = Recorder(), Recorder()
        leader = CallWatcher(demo.service, first)
        follower = CallWatcher(demo.service, second)
        await leader.poll_once("mirta")
        before = demo.emulators["mirta"].request_count()
        await follower.poll_once("mirta")
        assert demo.emulators["mirta"].request_count() == before  # it did not poll

        emulator = demo.emulators["mirta"]
        assert isinstance(emulator, RingsPhones)
        link = await demo.service.linked_extension(USER, "mirta")
        assert link is not None
        ring_out(emulator, link.extension, "+4533123456")
        assert await leader.poll_once("mirta") == 1
        # Without the lease the other one polls too; the record stops a second DM.
        follower.use_lease = False
        assert await follower.poll_once("mirta") == 0
        assert [[n.caller for n in notes] for notes in first.sent] == [["+4533123456"]]
        assert second.sent == []


async def test_polling_slows_down_with_the_vendors_quota(tmp_path: Path) -> None:
    """Telphin's hourly quota stretches the interval, as in Home Assistant."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["telphin"]
    ) as demo:
        emulator = demo.emulators["telphin"]
        watcher = CallWatcher(demo.service, Recorder(), interval=timedelta(seconds=10))
        await watcher.poll_once("telphin")
        relaxed = watcher.interval_of("telphin")
        emulator.quota_per_hour = (
            emulator.quota_per_hour - emulator.quota_remaining + 30
        )  # type: ignore[attr-defined]
        await watcher.poll_once("telphin")
        assert relaxed == timedelta(seconds=10)
        assert watcher.interval_of("telphin") > timedelta(minutes=5)


class SlowRecorder(Recorder):
    """Sending takes a while (Slack's round trip), long enough for a race."""

    async def send(
        self, notes: list[MissedCallNote], previous: MissedCallNote | None
    ) -> tuple[str, str] | None:
        await asyncio.sleep(0.2)
        return await super().send(notes, previous)


@pytest.mark.parametrize("use_lease", [True, False])
async def test_without_the_lease_one_callers_calls_split_into_two_messages(
    tmp_path: Path, *, use_lease: bool
) -> None:
    """Two calls from one caller promise one message; two workers without a lease race."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        sender = SlowRecorder()
        workers = [
            CallWatcher(demo.service, sender, use_lease=use_lease) for _ in range(2)
        ]
        await asyncio.gather(*(w.poll_once("mirta") for w in workers))
        emulator = demo.emulators["mirta"]
        assert isinstance(emulator, RingsPhones)
        link = await demo.service.linked_extension(USER, "mirta")
        assert link is not None
        ring_out(emulator, link.extension, "+4533123456")
        ring_out(emulator, link.extension, "+4533123456")

        await asyncio.gather(*(w.poll_once("mirta") for w in workers))

        messages = set(sender.places)
        # Each call is still sent once (the record), but only the lease keeps the
        # caller's calls in one message.
        assert sorted(len(notes) for notes in sender.sent) == (
            [1, 2] if use_lease else [1, 1]
        )
        assert len(messages) == (1 if use_lease else 2)


async def test_a_cli_user_on_the_extension_gets_no_note(tmp_path: Path) -> None:
    """[users.carol] is who the CLI acts as: once a chat user links the same
    extension (by `link` or e-mail), that user gets the one note, not carol."""
    async with start_demo(
        state_dir=tmp_path, loopback=False, vendors=["mirta"]
    ) as demo:
        link = await demo.service.linked_extension(USER, "mirta")
        assert link is not None
        await demo.service.store.delete_links(USER, "mirta")
        cli_user = UserSettings(extension=link.extension, pbx="mirta")
        demo.service.config = dataclasses.replace(
            demo.service.config, users={"carol": cli_user}
        )
        recorder = Recorder()
        watcher = CallWatcher(demo.service, recorder)
        await watcher.poll_once("mirta")
        emulator = demo.emulators["mirta"]
        assert isinstance(emulator, RingsPhones)
        # Nobody linked in chat yet: carol's [users] entry is who is told.
        ring_out(emulator, link.extension, "+4533123456")
        assert await watcher.poll_once("mirta") == 1
        await demo.service.store.set_link(
            "U0CAROL", "mirta", link.extension, linked_by="e-mail"
        )
        ring_out(emulator, link.extension, "+4533999888")
        assert await watcher.poll_once("mirta") == 1
        told = [(n.user_id, n.caller) for notes in recorder.sent for n in notes]
        assert told == [("carol", "+4533123456"), ("U0CAROL", "+4533999888")]
