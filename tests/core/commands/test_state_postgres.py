"""The state tests of test_state.py again, on a real PostgreSQL server.

The design promises that links, the audit log and the dial count work unchanged on PostgreSQL
when several Slack workers share state: only the URL changes. The tests imported
below are collected here a second time, and this module's ``state_db`` fixture
(a fresh database on the server, dropped afterwards) replaces the SQLite one.

Set SWITCHBOARD_TEST_POSTGRES_URL to a ``postgresql+asyncpg://`` URL whose user may
create databases; ``script/postgres`` starts a throwaway server and prints one,
and ``script/test`` does both.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import make_url

from switchboard.core.commands.state import StateStore
from switchboard.core.errors import SwitchboardConfigError
from tests.core.commands.test_state import (  # noqa: F401 - collected again, on PostgreSQL
    test_a_lease_has_one_holder_until_it_expires,
    test_a_missed_call_is_claimed_once_across_workers,
    test_another_workers_link_changes_are_seen_after_the_cache,
    test_dials_leave_the_count_after_the_window,
    test_every_action_is_committed_at_once,
    test_link_cache_is_invalidated_by_writes,
    test_links_and_audit_survive_a_restart,
    test_reads_are_not_audited,
    test_two_workers_start_and_write_at_the_same_time,
    test_user_settings,
    test_webhook_deliveries_pass_from_any_worker_to_the_leader,
    test_workers_on_one_database_share_the_dial_limit,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import URL

ENV = "SWITCHBOARD_TEST_POSTGRES_URL"
SERVER_URL = os.environ.get(ENV, "")

pytestmark = pytest.mark.skipif(
    not SERVER_URL,
    reason=f"{ENV} is not set: run `export {ENV}=$(script/postgres)` first (script/test does)",
)


def _dsn(url: URL) -> str:
    """The URL as plain asyncpg wants it (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresDb:
    """One database on the server, read back over a separate asyncpg connection."""

    def __init__(self, url: URL) -> None:
        self.url = url.render_as_string(hide_password=False)
        self._dsn = _dsn(url)

    async def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        import asyncpg  # noqa: PLC0415 - only needed when a server is configured

        conn = await asyncpg.connect(self._dsn)
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    async def persisted(self) -> bool:
        tables = await self.fetch(
            "select tablename from pg_tables where tablename like 'switchboard_%'"
        )
        return {t for (t,) in tables} >= {
            "switchboard_links",
            "switchboard_audit",
            "switchboard_dials",
            "switchboard_user_settings",
            "switchboard_missed_calls",
            "switchboard_leases",
        }


@pytest.fixture
async def state_db() -> AsyncIterator[PostgresDb]:
    """A fresh, empty database per test: runs never see each other's rows."""
    import asyncpg  # noqa: PLC0415 - a missing driver must fail here, not skip

    server = make_url(SERVER_URL)
    name = f"switchboard_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_dsn(server))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield PostgresDb(server.set(database=name))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_the_server_url_is_postgresql(state_db: PostgresDb) -> None:
    # Guards the whole module against silently testing something else.
    assert state_db.url.startswith("postgresql+asyncpg://")
    assert await state_db.fetch("select 1") == [(1,)]


async def test_wrong_password_is_a_config_error_without_the_password(
    state_db: PostgresDb,
) -> None:
    url = make_url(state_db.url)
    wrong = url.set(password="not-the-password-x9").render_as_string(
        hide_password=False
    )
    with pytest.raises(SwitchboardConfigError, match=r"state\.database_url") as info:
        await StateStore.open(wrong)
    assert "not-the-password-x9" not in str(info.value)
    assert str(url.password) not in str(info.value)


async def test_unreachable_server_is_a_config_error(state_db: PostgresDb) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused.
    closed = make_url(state_db.url).set(port=1).render_as_string(hide_password=False)
    with pytest.raises(SwitchboardConfigError, match=r"cannot open the database"):
        await StateStore.open(closed)
