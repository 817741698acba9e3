"""Audit intent rows and honest answers when a write's outcome is unknown.

The real command service drives MiRTA's emulator in-process with a short
timeout; the emulator carries a write out and then waits before answering
(``answer_latency``), which is what a timed-out write looks like from outside.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
import pytest

from switchboard.core.actors import Actor, Surface
from switchboard.core.cli.output import EXIT_FAILED, exit_code
from switchboard.core.commands import CommandService, Outcome
from switchboard.core.commands.state import AuditEntry, StateStore
from switchboard.core.config import (
    PbxConnection,
    PolicySettings,
    SlackSettings,
    StateSettings,
    SwitchboardConfig,
)
from switchboard.core.registry import available_vendors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from switchboard.core.emulator import Emulator

TIMEOUT = 0.3
ALICE = Actor("alice", "Alice", Surface.CLI)


class Office:
    def __init__(self, service: CommandService, emulator: Emulator, other: str) -> None:
        self.service = service
        self.emulator = emulator
        self.other = other

    def requests(self, reqtype: str) -> int:
        return sum(1 for r in self.emulator.requests if r.param("reqtype") == reqtype)


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    plugin = available_vendors()["mirta"]
    emulator = plugin.emulator_factory()
    settings = plugin.demo_settings("http://mirta.test").model_copy(
        update={"timeout": TIMEOUT, "max_retries": 0}
    )
    config = SwitchboardConfig(
        pbx={"office": PbxConnection("office", plugin, settings)},
        default_pbx="office",
        policy=PolicySettings(admins=["alice"], default_region="DK"),
        slack=SlackSettings(),
        state=StateSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}"),
        users={},
    )
    transport = httpx.ASGITransport(app=emulator)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://mirta.test") as client,
        await CommandService.create(config, http_client=client) as service,
    ):
        numbers = sorted(
            e.number for e in await service.backends.get("office").list_extensions()
        )
        await service.link("alice", "office", numbers[0], linked_by="test")
        yield Office(service, emulator, numbers[1])


async def test_a_timed_out_dial_says_the_outcome_is_unknown(office: Office) -> None:
    """The PBX may have dialled: no 'try again', but how to check; audited as unknown."""
    office.emulator.faults.answer_latency = TIMEOUT * 4
    reply = await office.service.run(f"call {office.other}", ALICE)
    assert office.requests("DIAL") == 1  # it reached the PBX, which acted on it
    assert reply.outcome is Outcome.UNKNOWN
    assert "outcome is unknown" in reply.text
    assert "switchboard calls" in reply.text
    assert "try again in a moment" not in reply.text.lower()
    assert exit_code(reply) == EXIT_FAILED
    last = (await office.service.store.audit_entries(1))[0]
    assert (last.action, last.outcome) == (f"call {office.other}", "unknown")
    assert not last.pending
    assert last.completed_at is not None


async def test_a_timed_out_write_in_slack_names_the_slash_command(
    office: Office,
) -> None:
    office.emulator.faults.answer_latency = TIMEOUT * 4
    reply = await office.service.run("dnd on", Actor("alice", "Alice", Surface.SLACK))
    assert reply.outcome is Outcome.UNKNOWN
    assert "/pbx status" in reply.text


async def test_a_timed_out_read_is_a_plain_failure(office: Office) -> None:
    """Nothing changed when a read times out: trying again is the right advice."""
    office.emulator.faults.answer_latency = TIMEOUT * 4
    reply = await office.service.run("calls", ALICE)
    assert reply.outcome is Outcome.FAILED
    assert "try again" in reply.text.lower()


async def test_the_intent_row_is_written_before_the_pbx_is_asked(
    office: Office,
) -> None:
    """While the PBX works on a write, its audit row already exists, pending."""
    seen: list[AuditEntry] = []
    dial = office.emulator._handlers["DIAL"]

    async def dial_and_look(request: object) -> object:
        seen.extend(await office.service.store.audit_entries(1))
        return await dial(request)  # type: ignore[arg-type]

    office.emulator._handlers["DIAL"] = dial_and_look  # type: ignore[assignment]
    reply = await office.service.run(f"call {office.other}", ALICE)
    assert reply.outcome is Outcome.SUCCESS
    assert [(e.action, e.pending) for e in seen] == [(f"call {office.other}", True)]
    done = (await office.service.store.audit_entries(1))[0]
    assert done.id == seen[0].id
    assert (done.outcome, done.target) == ("success", office.other)


async def test_no_pbx_write_when_the_audit_log_cannot_be_written(
    office: Office,
) -> None:
    """Switchboard changes nothing it cannot record."""
    async with office.service.store._engine.begin() as conn:
        await conn.exec_driver_sql("DROP TABLE switchboard_audit")
    reply = await office.service.run(f"call {office.other}", ALICE)
    assert reply.outcome is Outcome.FAILED
    assert "audit log could not be written" in reply.text
    assert office.requests("DIAL") == 0


async def test_an_audit_table_of_the_first_schema_is_migrated(tmp_path: Path) -> None:
    """A database written by an older version gains completed_at; its rows stay."""
    path = tmp_path / "old.db"
    # closing(): sqlite3's own context manager commits but does not close.
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "CREATE TABLE switchboard_audit (id INTEGER PRIMARY KEY, at DATETIME,"
            " user_id VARCHAR(128), user_name VARCHAR(256), surface VARCHAR(16),"
            " pbx VARCHAR(128), action VARCHAR(64), target VARCHAR(256),"
            " outcome VARCHAR(16), detail TEXT)"
        )
        conn.execute(
            "INSERT INTO switchboard_audit VALUES (1, '2026-01-01 10:00:00.000000',"
            " 'bob', 'Bob', 'cli', 'office', 'dnd on', '201', 'success', 'DND is on')"
        )
    store = await StateStore.open(f"sqlite:///{path}")
    try:
        intent = await store.audit(
            AuditEntry(
                datetime.now(UTC),
                "alice",
                "Alice",
                "cli",
                "office",
                "dnd off",
                None,
                "pending",
                "",
            )
        )
        before = await store.audit_entries()
        await store.complete_audit(intent, outcome="success", target="202", detail="ok")
        after = await store.audit_entries()
    finally:
        await store.aclose()
    assert [(e.action, e.pending) for e in before] == [
        ("dnd on", False),
        ("dnd off", True),
    ]
    assert after[1].outcome == "success"
    assert after[1].target == "202"
    assert after[1].completed_at is not None


async def test_a_timed_out_change_that_is_safe_to_repeat_says_so(
    office: Office,
) -> None:
    """The flow list (a read) times out before the switch: repeating is harmless."""
    office.emulator.faults.answer_latency = TIMEOUT * 4
    reply = await office.service.run("flow night on", ALICE)
    assert office.requests("SETFLOW") == 0
    assert reply.outcome is Outcome.FAILED
    assert "Check with 'switchboard flow list'; trying again is safe." in reply.text
