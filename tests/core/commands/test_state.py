"""Links and the audit log live in a real database and survive a restart.

Every test that takes the ``state_db`` fixture runs here on a real SQLite file;
test_state_postgres.py collects the same tests again with ``state_db`` on a real
PostgreSQL server, because the design promises that only the URL changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import pytest

import switchboard.core.demo
from switchboard.core.commands import CommandService, Outcome
from switchboard.core.commands.state import AuditEntry, StateStore, normalise_url
from switchboard.core.config import StateSettings
from switchboard.core.demo import ADMIN, USER, start_demo
from switchboard.core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.core.config import SwitchboardConfig
    from switchboard.core.demo import Demo


class StateDb(Protocol):
    """A state database the store is pointed at, plus a separate way to look inside."""

    url: str

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` on a connection of its own (not the store's)."""
        ...

    async def persisted(self) -> bool:
        """Whether the state database exists (with its tables) outside the process."""
        ...


class SqliteDb:
    """The default: a SQLite file, read back with the plain ``sqlite3`` module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite+aiosqlite:///{path}"

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            return db.execute(sql).fetchall()

    async def persisted(self) -> bool:
        return self.path.is_file()


@pytest.fixture
def state_db(tmp_path: Path) -> StateDb:
    return SqliteDb(tmp_path / "demo-state.db")


@contextlib.asynccontextmanager
async def demo_on(
    db: StateDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Demo]:
    """The in-process demo with its state in ``db`` (only the URL differs)."""
    build = switchboard.core.demo.demo_config

    def config_on_db(urls: dict[str, str], state_dir: Path) -> SwitchboardConfig:
        config = build(urls, state_dir)
        return dataclasses.replace(config, state=StateSettings(database_url=db.url))

    monkeypatch.setattr(switchboard.core.demo, "demo_config", config_on_db)
    async with start_demo(state_dir=tmp_path, loopback=False) as demo:
        assert demo.config.state.database_url == db.url
        yield demo


def entry(user: str, action: str) -> AuditEntry:
    return AuditEntry(
        at=datetime.now(UTC),
        user_id=user,
        user_name=user.title(),
        surface="slack",
        pbx="office",
        action=action,
        target=None,
        outcome="success",
        detail="done",
    )


async def test_links_and_audit_survive_a_restart(
    state_db: StateDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo_on(state_db, tmp_path, monkeypatch) as demo:
        pbx = next(iter(demo.config.pbx))
        other = (await demo.service.backends.directory(pbx).extensions())[7].number
        assert (
            await demo.run(f"link {other} @carol", ADMIN)
        ).outcome is Outcome.SUCCESS
        assert (await demo.run("dnd on", USER)).outcome is Outcome.SUCCESS
        assert (await demo.run("flow night on", USER)).outcome is Outcome.REFUSED
        config = demo.config
        client = demo.service.backends._client
        # a second, fresh service over the same database = a restart
        restarted = await CommandService.create(config, http_client=client)
        try:
            link = await restarted.linked_extension("carol")
            assert link is not None
            assert (link.pbx, link.extension, link.linked_by) == (pbx, other, ADMIN)
            entries = await restarted.store.audit_entries()
            tail = [(e.user_id, e.action, e.outcome) for e in entries[-3:]]
            assert tail == [
                (ADMIN, f"link {other} @carol", "success"),
                (USER, "dnd on", "success"),
                (USER, "flow night on", "refused"),
            ]
            assert entries[-1].at.tzinfo is not None
            assert entries[-1].detail.startswith("PBXware") or entries[-1].detail
        finally:
            await restarted.aclose()
    assert await state_db.persisted()


async def test_every_action_is_committed_at_once(
    state_db: StateDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A killed process loses nothing: each audited action is on disk before the reply."""
    async with demo_on(state_db, tmp_path, monkeypatch) as demo:
        await demo.run("dnd on", USER)
        # read the database over a separate connection while the service runs
        rows = await state_db.fetch(
            "select user_id, action, target, outcome from switchboard_audit"
        )
        bob = await demo.service.linked_extension(USER)
        assert bob is not None
        assert (USER, "dnd on", bob.extension, "success") in rows


async def test_reads_are_not_audited(
    state_db: StateDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo_on(state_db, tmp_path, monkeypatch) as demo:
        before = len(await demo.service.store.audit_entries(1000))
        for text in ("status", "whoami", "help", "calls", "flow list"):
            await demo.run(text)
        assert len(await demo.service.store.audit_entries(1000)) == before


def test_plain_urls_get_the_async_driver() -> None:
    assert normalise_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalise_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


async def test_unusable_database_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(SwitchboardConfigError, match=r"state\.database_url"):
        await StateStore.open("nosuchdb://whatever")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SwitchboardConfigError, match=r"state\.database_url"):
        await StateStore.open(f"sqlite+aiosqlite:///{blocker}/sub/state.db")


async def test_link_cache_is_invalidated_by_writes(state_db: StateDb) -> None:
    store = await StateStore.open(state_db.url, link_cache_seconds=60)
    try:
        assert await store.links("u") == []
        await store.set_link("u", "office", "201", linked_by="admin")
        assert [lk.extension for lk in await store.links("u")] == ["201"]
        assert await store.users_linked_to("office", "201") == ["u"]
        assert await store.delete_links("u") == 1
        assert await store.links("u") == []
    finally:
        await store.aclose()


async def test_two_workers_start_and_write_at_the_same_time(
    state_db: StateDb,
) -> None:
    """Two Slack workers = two stores on one database, starting and writing at once."""
    # Both start on a fresh database: both try to create the tables.
    first, second = await asyncio.gather(
        StateStore.open(state_db.url, link_cache_seconds=0),
        StateStore.open(state_db.url, link_cache_seconds=0),
    )
    try:
        writes = [
            worker.audit(entry(name, f"dnd on {i}"))
            for i in range(10)
            for worker, name in ((first, "ann"), (second, "ben"))
        ]
        await asyncio.gather(*writes)
        entries = await first.audit_entries(1000)
        assert len(entries) == 20
        assert {(e.user_id, e.action) for e in entries} == {
            (name, f"dnd on {i}") for i in range(10) for name in ("ann", "ben")
        }
        assert [e.user_id for e in await second.audit_entries(1000)] == [
            e.user_id for e in entries
        ]
        # An admin links carol from both workers at the same moment: the last one
        # wins and neither fails.
        for round_ in range(3):
            await asyncio.gather(
                first.set_link("carol", "office", f"20{round_}", linked_by="ann"),
                second.set_link("carol", "office", f"30{round_}", linked_by="ben"),
            )
            seen_by_first = [
                (lk.extension, lk.linked_by) for lk in await first.links("carol")
            ]
            assert seen_by_first in (
                [(f"20{round_}", "ann")],
                [(f"30{round_}", "ben")],
            )
            assert [
                (lk.extension, lk.linked_by) for lk in await second.links("carol")
            ] == seen_by_first
    finally:
        await first.aclose()
        await second.aclose()


async def test_another_workers_link_changes_are_seen_after_the_cache(
    state_db: StateDb,
) -> None:
    writer = await StateStore.open(state_db.url, link_cache_seconds=0)
    reader = await StateStore.open(state_db.url, link_cache_seconds=0.2)
    try:
        assert await reader.links("dan") == []
        await writer.set_link("dan", "office", "204", linked_by="admin")
        await asyncio.sleep(0.25)  # longer than the reader's link cache
        assert [lk.extension for lk in await reader.links("dan")] == ["204"]
        assert await reader.users_linked_to("office", "204") == ["dan"]
        assert await writer.delete_links("dan", "office") == 1
        await asyncio.sleep(0.25)
        assert await reader.links("dan") == []
    finally:
        await writer.aclose()
        await reader.aclose()


async def test_workers_on_one_database_share_the_dial_limit(
    state_db: StateDb,
) -> None:
    """Two Slack workers count one user's dials together, also when simultaneous.

    Five dials at once against a limit of three: exactly three are counted,
    whichever worker each lands on; the refusals say how long to wait.
    """
    first = await StateStore.open(state_db.url, link_cache_seconds=0)
    second = await StateStore.open(state_db.url, link_cache_seconds=0)
    try:
        answers = await asyncio.gather(
            *(
                worker.count_dial("erin", limit=3, window=60)
                for worker in (first, second, first, second, first)
            )
        )
        assert answers.count(None) == 3
        waits = [a for a in answers if a is not None]
        assert len(waits) == 2
        assert all(50 < wait <= 60 for wait in waits), waits
        # Another user has a budget of their own.
        assert await second.count_dial("finn", limit=3, window=60) is None
        rows = await state_db.fetch(
            "SELECT user_id, COUNT(*) FROM switchboard_dials GROUP BY user_id "
            "ORDER BY user_id"
        )
        assert [tuple(r) for r in rows] == [("erin", 3), ("finn", 1)]
    finally:
        await first.aclose()
        await second.aclose()


async def test_dials_leave_the_count_after_the_window(state_db: StateDb) -> None:
    """Once the window has passed, dials are allowed again and the rows are gone."""
    store = await StateStore.open(state_db.url, link_cache_seconds=0)
    try:
        # A window of a second: short for a test, long enough for a loaded CI box.
        assert await store.count_dial("gus", limit=1, window=1.0) is None
        wait = await store.count_dial("gus", limit=1, window=1.0)
        assert wait is not None
        assert 0 < wait <= 1.0
        await asyncio.sleep(wait + 0.05)
        assert await store.count_dial("gus", limit=1, window=1.0) is None
        rows = await state_db.fetch("SELECT COUNT(*) FROM switchboard_dials")
        assert rows[0][0] == 1  # the expired dial was removed, the new one kept
    finally:
        await store.aclose()


async def test_a_lease_has_one_holder_until_it_expires(state_db: StateDb) -> None:
    """The watcher's lease: renewed by its holder, refused to others, taken when it expires."""
    first, second = await asyncio.gather(
        StateStore.open(state_db.url), StateStore.open(state_db.url)
    )
    try:
        takes = await asyncio.gather(
            *(
                store.acquire_lease("watch:office", name, 0.6)
                for store, name in ((first, "one"), (second, "two")) * 3
            )
        )
        # One wins and renews; every take of the other is refused.
        assert sorted((takes[0::2].count(True), takes[1::2].count(True))) == [0, 3]
        winner = "one" if takes[0] else "two"
        loser, other = ("two", second) if winner == "one" else ("one", first)
        assert not await other.acquire_lease("watch:office", loser, 0.6)
        assert await first.acquire_lease("watch:other-pbx", loser, 0.6)  # per PBX
        await asyncio.sleep(0.8)  # the winner stops renewing (it died)
        assert await other.acquire_lease("watch:office", loser, 0.6)
        assert await state_db.fetch(
            "select holder from switchboard_leases where name = 'watch:office'"
        ) == [(loser,)]
        await other.release_lease("watch:office", loser)
        assert await first.acquire_lease("watch:office", winner, 0.6)
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_missed_call_is_claimed_once_across_workers(state_db: StateDb) -> None:
    """Of several workers recording the same missed call, exactly one gets to send it."""
    from switchboard.core.commands.state import MissedCallNote  # noqa: PLC0415

    stores = await asyncio.gather(*(StateStore.open(state_db.url) for _ in range(3)))
    try:
        note = MissedCallNote(
            "office", "call-1", "U1", "+4533123456", "Ada", "201", datetime.now(UTC)
        )
        claims = await asyncio.gather(
            *(s.claim_missed_call(note) for _ in range(3) for s in stores)
        )
        assert claims.count(True) == 1
        other_user = dataclasses.replace(note, user_id="U2")
        assert await stores[0].claim_missed_call(other_user)  # per user
        await stores[1].set_missed_call_message([note], "D1", "1.1")
        assert [
            n.call_id for n in await stores[2].missed_calls_of_message("D1", "1.1")
        ] == ["call-1"]
        assert await stores[2].mark_missed_calls_done("D1", "1.1") == 1
        [latest] = await stores[0].recent_missed_calls("U1")
        assert latest.done is True
        assert latest.caller_name == "Ada"
    finally:
        for store in stores:
            await store.aclose()


async def test_user_settings(state_db: StateDb) -> None:
    store = await StateStore.open(state_db.url)
    try:
        assert await store.setting("U1", "notify_missed") is None
        await store.set_setting("U1", "notify_missed", "off")
        await store.set_setting("U1", "notify_missed", "on")
        assert await store.setting("U1", "notify_missed") == "on"
        await store.set_setting("U1", "notify_missed", None)
        assert await store.setting("U1", "notify_missed") is None
    finally:
        await store.aclose()


async def test_webhook_deliveries_pass_from_any_worker_to_the_leader(
    state_db: StateDb,
) -> None:
    """Two workers' relays on one database: the leader's inbox reads what the other got."""
    from switchboard.core.commands.webhook_relay import (  # noqa: PLC0415
        DELIVERY_KEPT,
        WebhookRelay,
        token_hash,
    )
    from switchboard.core.push import PushKind, WebhookInbox  # noqa: PLC0415

    leader, other = await asyncio.gather(
        StateStore.open(state_db.url), StateStore.open(state_db.url)
    )
    try:
        inbox = WebhookInbox({"EventType": {"hangup": PushKind.CALLS}})
        digest = token_hash(inbox.token)
        await leader.publish_webhook_inbox("office", "one", digest)
        await leader.publish_webhook_inbox("office", "one", digest)  # an upsert
        relay = WebhookRelay(other, "https://sb.example/", ["office"])
        assert (
            relay.url_for("office") == "https://sb.example/switchboard/webhooks/office/"
        )
        fields = {"EventType": "hangup", "CallID": "7"}
        # Refused at once, nothing stored.
        assert await relay.receive("office", "wrong", fields) == "refused"
        assert await relay.receive("elsewhere", inbox.token, fields) == "refused"
        assert await other.webhook_delivery_count() == 0

        async def lead() -> None:
            while True:
                await relay.drain_once("office", digest, inbox)
                await asyncio.sleep(0.02)

        reader = asyncio.create_task(lead())
        try:
            answers = [
                await relay.receive("office", inbox.token, fields),
                await relay.receive("office", inbox.token, fields),
                await relay.receive("office", inbox.token, {"EventType": "voicemail"}),
            ]
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        assert answers == ["accepted", "duplicate", "refused"]
        assert (await inbox.next_delivery()).signal.kind is PushKind.CALLS
        assert await other.webhook_delivery_count() == 0  # answered rows go
        # The hash is in the database, never the token.
        rows = await state_db.fetch(
            "select token_hash from switchboard_webhook_inboxes"
        )
        assert rows == [(digest,)]
        assert inbox.token not in repr(rows)

        # Rows nobody read go when old; the withdrawn inbox takes nothing.
        await other.store_webhook_delivery("office", digest, fields)
        later = datetime.now(UTC) + DELIVERY_KEPT
        assert await leader.delete_webhook_deliveries(before=later) == 1
        unread = await other.store_webhook_delivery("office", digest, fields)
        await leader.withdraw_webhook_inbox("office", "two")  # not its holder
        assert await other.webhook_token_hash("office") == digest
        assert await other.webhook_delivery_count() == 1
        # The holder's withdrawal takes its unread deliveries: nobody could read them.
        await leader.withdraw_webhook_inbox("office", "one")
        assert await other.webhook_token_hash("office") is None
        assert await other.webhook_delivery_count() == 0
        assert await other.webhook_verdict(unread) is None
        assert await relay.receive("office", inbox.token, fields) == "refused"
    finally:
        await asyncio.gather(leader.aclose(), other.aclose())
