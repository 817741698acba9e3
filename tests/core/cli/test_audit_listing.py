"""``switchboard audit``: pending rows are listed as pending, never as done."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from switchboard.core.cli.audit import PENDING_LABEL
from switchboard.core.cli.main import main
from switchboard.core.commands.state import PENDING, AuditEntry, StateStore
from switchboard.core.config import load_config

if TYPE_CHECKING:
    import pytest

    from .conftest import ConfiguredPbx


async def _pending_row(url: str) -> None:
    store = await StateStore.open(url)
    try:
        entry = AuditEntry(
            datetime.now(UTC),
            "bob",
            "bob",
            "cli",
            "office",
            "call 4570305050",
            None,
            PENDING,
            "",
        )
        await store.audit(entry)
    finally:
        await store.aclose()


def test_pending_rows_are_marked_in_the_listing(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(configured_pbx.path)
    assert main(["--config", config, "--as", "bob", "dnd", "on"]) == 0
    asyncio.run(_pending_row(load_config(configured_pbx.path).state.database_url))
    capsys.readouterr()

    assert main(["--config", config, "audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "dnd on" in lines[0]
    assert ": success" in lines[0]
    assert "call 4570305050" in lines[1]
    assert PENDING_LABEL in lines[1]
    assert "success" not in lines[1]

    assert main(["--config", config, "audit", "--json", "--limit", "1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["action"], row["outcome"], row["pending"]) == (
        "call 4570305050",
        "pending",
        True,
    )
    assert row["completed_at"] is None


def test_audit_without_a_configuration_says_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(
        "switchboard.core.cli.main.DEFAULT_CONFIG", tmp_path / "none.toml"
    )
    assert main(["audit"]) == 2
    assert "demo keeps its audit log only while it runs" in capsys.readouterr().err
