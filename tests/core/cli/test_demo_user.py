"""The demo never acts as someone the user did not name."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from switchboard.core.cli import main as cli
from switchboard.core.cli.main import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_demo_refuses_an_unknown_user_instead_of_acting_as_the_admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """'--as carol' must not silently run as alice, the demo's admin."""
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.setattr(cli, "DEFAULT_CONFIG", tmp_path / "missing.toml")
    code = main(["--as", "carol", "--json", "whoami"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "There is no demo user 'carol'" in err
    assert "alice" in err
    assert "bob" in err
    code = main(["--as", "bob", "--json", "whoami"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["data"]["admin"] is False
