"""Links and the audit log live in a real SQLite file and survive a restart."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from core.commands import CommandService, Outcome
from core.commands.state import StateStore, normalise_url
from core.demo import ADMIN, USER, start_demo
from core.errors import SwitchboardConfigError

if TYPE_CHECKING:
    from pathlib import Path


async def test_links_and_audit_survive_a_restart(tmp_path: Path) -> None:
    async with start_demo(state_dir=tmp_path, loopback=False) as demo:
        pbx = next(iter(demo.config.pbx))
        other = (await demo.service.backends.directory(pbx).extensions())[7].number
        assert (
            await demo.run(f"link {other} @carol", ADMIN)
        ).outcome is Outcome.SUCCESS
        assert (await demo.run("dnd on", USER)).outcome is Outcome.SUCCESS
        assert (await demo.run("flow night on", USER)).outcome is Outcome.REFUSED
        config = demo.config
        client = demo.service.backends._client
        # a second, fresh service over the same database file = a restart
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
    assert (tmp_path / "demo-state.db").is_file()


async def test_every_action_is_committed_at_once(tmp_path: Path) -> None:
    """A killed process loses nothing: each audited action is on disk before the reply."""
    async with start_demo(state_dir=tmp_path, loopback=False) as demo:
        await demo.run("dnd on", USER)
        # read the file with a separate, plain sqlite3 connection while the service runs
        with sqlite3.connect(tmp_path / "demo-state.db") as db:
            rows = db.execute(
                "select user_id, action, target, outcome from switchboard_audit"
            ).fetchall()
        bob = await demo.service.linked_extension(USER)
        assert bob is not None
        assert (USER, "dnd on", bob.extension, "success") in rows


async def test_reads_are_not_audited(tmp_path: Path) -> None:
    async with start_demo(state_dir=tmp_path, loopback=False) as demo:
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


async def test_link_cache_is_invalidated_by_writes(tmp_path: Path) -> None:
    store = await StateStore.open(
        f"sqlite+aiosqlite:///{tmp_path / 's.db'}", link_cache_seconds=60
    )
    try:
        assert await store.links("u") == []
        await store.set_link("u", "office", "201", linked_by="admin")
        assert [lk.extension for lk in await store.links("u")] == ["201"]
        assert await store.users_linked_to("office", "201") == ["u"]
        assert await store.delete_links("u") == 1
        assert await store.links("u") == []
    finally:
        await store.aclose()
