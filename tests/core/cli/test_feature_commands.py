"""The CLI on a PBXware: `service` and the forwarding rules, exit codes and --json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .test_main import run

if TYPE_CHECKING:
    import pytest

    from switchboard.plugins.pbxware.emulator import PbxwareEmulator

    from .conftest import ConfiguredPbx


def test_service_list_and_set_as_admin(
    configured_pbxware: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(configured_pbxware.path)
    emulator: PbxwareEmulator = configured_pbxware.emulator  # type: ignore[assignment]
    code, out, _ = run(
        capsys, "--config", config, "--as", "alice", "service", "list", "202"
    )
    assert code == 0
    assert "Call Screening" in out
    assert "Speakerphone Page Groups" in out
    code, out, _ = run(
        capsys,
        "--config",
        config,
        "--as",
        "alice",
        "--json",
        "service",
        "callscreening",
        "pin",
        "202",
    )
    assert code == 0
    document = json.loads(out)
    assert document["data"]["label"] == "PIN required"
    assert document["data"]["command"]["feature"] == "callscreening"
    assert emulator.extension_by_number("202").es["callscreening"] == "pin"


def test_service_is_refused_for_users(
    configured_pbxware: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(configured_pbxware.path)
    emulator: PbxwareEmulator = configured_pbxware.emulator  # type: ignore[assignment]
    code, _, err = run(
        capsys, "--config", config, "--as", "bob", "service", "dnd", "unavailable"
    )
    assert code != 0
    assert "Only admins can see and change the services of extensions." in err
    assert emulator.extension_by_number(configured_pbxware.bob).es["dnd"] == "yes"


def test_forward_rules_and_status(
    configured_pbxware: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(configured_pbxware.path)
    bob = configured_pbxware.bob
    emulator: PbxwareEmulator = configured_pbxware.emulator  # type: ignore[assignment]
    code, out, _ = run(
        capsys, "--config", config, "--as", "bob", "forward", "busy", "201"
    )
    assert code == 0
    assert (
        out.strip()
        == f"Calls to {bob} ({emulator.extension_by_number(bob).name}) are forwarded when busy to 201."
    )
    code, out, _ = run(
        capsys,
        "--config",
        config,
        "--as",
        "bob",
        "forward",
        "noanswer",
        "+4570305050",
        "after",
        "15s",
    )
    assert code == 0
    assert out.strip().endswith("forwarded when unanswered to +4570305050 after 15s.")
    fwd = emulator.extension_by_number(bob).callfwd
    assert fwd["enabled"] == ["busy", "no answer"]
    assert fwd["timeouts"]["no answer"] == ["15"]
    code, out, _ = run(capsys, "--config", config, "--as", "bob", "status")
    assert "Forwarding  when busy to 201" in out
    assert "Forwarding  when unanswered to +4570305050 (after 15s)" in out
    code, out, _ = run(
        capsys, "--config", config, "--as", "bob", "forward", "busy", "off"
    )
    assert code == 0
    assert "Forwarding when busy is off" in out
    assert fwd["enabled"] == ["no answer"]
    # `forward off` stops forwarding all calls; it does not claim that the other
    # rules stopped too.
    code, out, _ = run(capsys, "--config", config, "--as", "bob", "forward", "off")
    assert code == 0
    assert "Forwarding of all calls is off for" in out
    assert "still forwarding when unanswered to +4570305050 (after 15s)" in out
    assert fwd["enabled"] == ["no answer"]


def test_a_vendor_without_them_refuses_in_plain_words(
    configured_pbx: ConfiguredPbx, capsys: pytest.CaptureFixture[str]
) -> None:
    """MiRTA has neither extension features nor forwarding rules: exit 2, one sentence."""
    config = str(configured_pbx.path)
    code, out, err = run(capsys, "--config", config, "--as", "alice", "service", "list")
    assert (code, out) == (2, "")
    assert err.strip() == "Refused: MiRTA PBX cannot manage per-extension features."
    code, _, err = run(
        capsys, "--config", config, "--as", "alice", "forward", "busy", "+4570305050"
    )
    assert code == 2
    assert err.strip() == (
        "Refused: MiRTA PBX cannot forward calls only when busy, unanswered or unavailable."
    )
