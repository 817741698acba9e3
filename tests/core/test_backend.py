"""The backend base class: honest capability declarations and plain-word refusals."""

from __future__ import annotations

from typing import ClassVar

import pytest

from switchboard.core.backend import PbxBackend
from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import (
    Extension,
    ExtensionStatus,
    RecordingAction,
    RecordingResult,
)

from .fakes import FakeBackend, FakeSettings


def test_declaring_a_capability_without_its_methods_fails() -> None:
    with pytest.raises(TypeError, match="declares DND"):

        class Liar(PbxBackend):
            vendor = "liar"
            display_name = "Liar"
            capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.DND})


def test_implementing_an_undeclared_capability_fails() -> None:
    with pytest.raises(TypeError, match="without declaring"):

        class Shy(PbxBackend):
            vendor = "shy"
            display_name = "Shy"

            async def dial(self, extension_id: str, destination: str) -> object:  # type: ignore[override]
                return None


def _backend() -> FakeBackend:
    from pydantic import SecretStr  # noqa: PLC0415

    return FakeBackend(
        FakeSettings(url="http://x.test", api_key=SecretStr("k" * 12)), None
    )


async def test_unsupported_calls_explain_themselves() -> None:
    backend = _backend()
    assert backend.supports(Capability.STATUS)
    assert not backend.supports(Capability.DIAL)
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.dial("100", "+4512345678")
    assert caught.value.message == "FakePBX cannot place calls (click-to-dial)."
    assert caught.value.capability == "DIAL"


async def test_vendor_specific_reasons_win() -> None:
    class Quiet(FakeBackend):
        unsupported_reasons: ClassVar[dict[Capability, str]] = {
            Capability.FLOWS: "FakePBX keeps its flows to itself."
        }

    from pydantic import SecretStr  # noqa: PLC0415

    backend = Quiet(
        FakeSettings(url="http://x.test", api_key=SecretStr("k" * 12)), None
    )
    with pytest.raises(SwitchboardUnsupportedError, match="keeps its flows"):
        await backend.list_flows()


async def test_get_status_and_find_extension() -> None:
    backend = _backend()
    status = await backend.get_status("100")
    assert status.extension.number == "100"
    assert (await backend.find_extension("100")).id == "100"
    with pytest.raises(SwitchboardNotFoundError):
        await backend.get_status("999")
    with pytest.raises(SwitchboardNotFoundError):
        await backend.find_extension("999")


async def test_pause_needs_its_own_capability() -> None:
    class StartStopOnly(PbxBackend):
        vendor = "ss"
        display_name = "StartStop"
        capabilities: ClassVar[frozenset[Capability]] = frozenset(
            {Capability.RECORDING}
        )

        async def record(
            self, extension_id: str, action: RecordingAction
        ) -> RecordingResult:
            self.check_recording_action(action)
            return RecordingResult(action=action)

    backend = StartStopOnly()
    assert (
        await backend.record("1", RecordingAction.START)
    ).action is RecordingAction.START
    with pytest.raises(SwitchboardUnsupportedError, match="pause and resume"):
        await backend.record("1", RecordingAction.PAUSE)


def test_models_are_immutable() -> None:
    status = ExtensionStatus(extension=Extension(id="1", number="100"))
    with pytest.raises(ValueError):
        status.dnd = True  # type: ignore[misc]
