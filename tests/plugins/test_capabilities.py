"""The capability suite every vendor backend must pass against its own emulator.

It is written once, against the vendor-neutral API; a new vendor plugs in by
having a plugin, an emulator and honest capability declarations.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import OfficeHoursState, Presence, RecordingAction

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from switchboard.core.backend import PbxBackend

    from .conftest import Rig

DESTINATION = "+4570305050"


async def first_extension(backend: PbxBackend) -> str:
    extensions = await backend.list_extensions()
    assert extensions, "the emulator must be seeded with extensions"
    return extensions[0].id


def calls_for(
    backend: PbxBackend, ext: str
) -> dict[Capability, Callable[[], Awaitable[object]]]:
    """One representative call per capability."""
    return {
        Capability.STATUS: backend.list_extensions,
        Capability.DND: lambda: backend.set_dnd(ext, enabled=True),
        Capability.DND_TIMED: lambda: backend.set_dnd_for(ext, timedelta(hours=2)),
        Capability.PRESENCE: lambda: backend.set_presence(ext, Presence.BUSY),
        Capability.FORWARD: lambda: backend.set_forward(ext, DESTINATION),
        Capability.DIAL: lambda: backend.dial(ext, DESTINATION),
        Capability.RECORDING: lambda: backend.record(ext, RecordingAction.START),
        Capability.RECORDING_PAUSE: lambda: backend.record(ext, RecordingAction.PAUSE),
        Capability.FLOWS: backend.list_flows,
        Capability.OFFICE_HOURS: backend.list_office_hours,
        Capability.LIVE_CALLS: backend.list_calls,
    }


async def test_account_info_identifies_the_account(rig: Rig) -> None:
    info = await rig.backend.account_info()
    assert info.vendor == rig.plugin.name
    assert info.unique_id
    assert info.name


async def test_status_lists_every_extension(rig: Rig) -> None:
    rig.backend.require(Capability.STATUS)
    extensions = await rig.backend.list_extensions()
    statuses = await rig.backend.get_statuses()
    assert len(extensions) >= 10
    assert {s.extension.id for s in statuses} == {e.id for e in extensions}
    assert any(s.registered for s in statuses)
    assert any(s.registered is False for s in statuses)
    one = await rig.backend.get_status(extensions[3].id)
    assert one.extension == extensions[3]


async def test_unsupported_capabilities_say_so_in_plain_words(rig: Rig) -> None:
    ext = await first_extension(rig.backend)
    missing = [c for c in Capability if not rig.backend.supports(c)]
    for capability, call in calls_for(rig.backend, ext).items():
        if capability not in missing:
            continue
        with pytest.raises(SwitchboardUnsupportedError) as caught:
            await call()
        assert rig.backend.display_name in caught.value.message
        assert caught.value.capability == capability.name


async def test_dnd_round_trip(rig: Rig) -> None:
    if not rig.backend.supports(Capability.DND):
        pytest.skip("vendor has no DND")
    ext = await first_extension(rig.backend)
    on = await rig.backend.set_dnd(ext, enabled=True)
    assert on.dnd is True
    assert (await rig.backend.get_status(ext)).dnd is True
    off = await rig.backend.set_dnd(ext, enabled=False)
    assert off.dnd is False
    assert (await rig.backend.get_status(ext)).dnd is False


async def test_timed_dnd(rig: Rig) -> None:
    if not rig.backend.supports(Capability.DND_TIMED):
        pytest.skip("vendor has no timed DND")
    ext = await first_extension(rig.backend)
    status = await rig.backend.set_dnd_for(ext, timedelta(hours=2))
    assert status.dnd is True


async def test_forward_round_trip(rig: Rig) -> None:
    if not rig.backend.supports(Capability.FORWARD):
        pytest.skip("vendor has no forwarding")
    ext = await first_extension(rig.backend)
    status = await rig.backend.set_forward(ext, DESTINATION)
    assert status.forward_to == DESTINATION
    assert (await rig.backend.get_status(ext)).forward_to == DESTINATION
    off = await rig.backend.set_forward(ext, None)
    assert off.forward_to is None


async def test_presence_round_trip(rig: Rig) -> None:
    if not rig.backend.supports(Capability.PRESENCE):
        pytest.skip("vendor has no presence")
    ext = await first_extension(rig.backend)
    for presence in (Presence.HOLIDAY, Presence.WORK):
        status = await rig.backend.set_presence(ext, presence)
        assert status.presence is presence
        assert (await rig.backend.get_status(ext)).presence is presence


async def test_dial_creates_a_live_call(rig: Rig) -> None:
    if not rig.backend.supports(Capability.DIAL):
        pytest.skip("vendor has no click-to-dial")
    ext = await first_extension(rig.backend)
    before = (
        await rig.backend.list_calls()
        if rig.backend.supports(Capability.LIVE_CALLS)
        else []
    )
    result = await rig.backend.dial(ext, DESTINATION)
    assert result.call_id
    if rig.backend.supports(Capability.LIVE_CALLS):
        after = await rig.backend.list_calls()
        assert len(after) == len(before) + 1


async def test_recording_on_a_live_call(rig: Rig) -> None:
    if not rig.backend.supports(Capability.RECORDING):
        pytest.skip("vendor has no live recording control")
    statuses = await rig.backend.get_statuses()
    talking = next(s for s in statuses if s.on_call)
    started = await rig.backend.record(talking.extension.id, RecordingAction.START)
    assert started.action is RecordingAction.START
    assert started.affected_calls >= 1
    if rig.backend.supports(Capability.RECORDING_PAUSE):
        paused = await rig.backend.record(talking.extension.id, RecordingAction.PAUSE)
        assert paused.affected_calls >= 1
        await rig.backend.record(talking.extension.id, RecordingAction.RESUME)
    else:
        with pytest.raises(SwitchboardUnsupportedError):
            await rig.backend.record(talking.extension.id, RecordingAction.PAUSE)
    stopped = await rig.backend.record(talking.extension.id, RecordingAction.STOP)
    assert stopped.action is RecordingAction.STOP


async def test_flow_round_trip(rig: Rig) -> None:
    if not rig.backend.supports(Capability.FLOWS):
        pytest.skip("vendor has no flows")
    flows = await rig.backend.list_flows()
    assert flows
    target = flows[0]
    changed = await rig.backend.set_flow(target.id, active=not target.active)
    assert changed.active is (not target.active)
    again = {f.id: f for f in await rig.backend.list_flows()}
    assert again[target.id].active is (not target.active)


async def test_office_hours_round_trip(rig: Rig) -> None:
    if not rig.backend.supports(Capability.OFFICE_HOURS):
        pytest.skip("vendor has no office hours")
    schedules = await rig.backend.list_office_hours()
    assert schedules
    for state in (OfficeHoursState.OFF, OfficeHoursState.INHERIT):
        changed = await rig.backend.set_office_hours(schedules[0].id, state)
        assert changed.state is state
        again = {h.id: h for h in await rig.backend.list_office_hours()}
        assert again[schedules[0].id].state is state


async def test_live_calls_are_listed(rig: Rig) -> None:
    if not rig.backend.supports(Capability.LIVE_CALLS):
        pytest.skip("vendor has no live calls")
    calls = await rig.backend.list_calls()
    assert calls, "the emulator must be seeded with calls in progress"
    assert all(c.id for c in calls)


# -- failure modes ------------------------------------------------------------


async def test_wrong_credentials_are_an_auth_error(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig.emulator.faults.bad_credentials = True
    with pytest.raises(SwitchboardAuthError) as caught:
        await rig.backend.account_info()
    assert caught.value.reauth_needed
    assert_no_secret(rig, str(caught.value), caplog.text)


async def test_server_errors_are_retried_for_reads(rig: Rig) -> None:
    rig.emulator.faults.server_errors = 1
    before = len(rig.emulator.requests)
    extensions = await rig.backend.list_extensions()
    assert extensions
    assert len(rig.emulator.requests) - before >= 2


async def test_persistent_server_errors_are_connection_errors(rig: Rig) -> None:
    rig.emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardConnectionError):
        await rig.backend.list_extensions()


async def test_writes_are_never_retried(rig: Rig) -> None:
    ext = await first_extension(rig.backend)
    # A write that is the action's first request (PBXware reads DND's
    # accessibility and configuration before its edit: tested with respx).
    writes = [
        c
        for c in (
            Capability.EXTENSION_FEATURES,
            Capability.DND,
            Capability.DIAL,
            Capability.FLOWS,
        )
        if rig.backend.supports(c)
    ]
    assert writes, "every vendor has at least one write"
    capability = writes[0]
    if capability is Capability.EXTENSION_FEATURES:
        spec = rig.backend.feature_specs[0]

        async def write() -> object:
            return await rig.backend.set_feature(ext, spec.key, spec.options[0].key)
    elif capability is Capability.FLOWS:
        flow = (await rig.backend.list_flows())[0]

        async def write() -> object:
            return await rig.backend.set_flow(flow.id, active=not flow.active)
    else:
        write = calls_for(rig.backend, ext)[capability]  # type: ignore[assignment]
    rig.emulator.faults.server_errors = 1
    rig.emulator.requests.clear()
    with pytest.raises(SwitchboardConnectionError):
        await write()
    assert len(rig.emulator.requests) == 1


async def test_timeouts_become_timeout_errors(rig: Rig) -> None:
    rig.emulator.faults.hangs = -1
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await rig.backend.list_extensions()
    assert "0.5" in caught.value.message


async def test_malformed_bodies_are_response_errors(rig: Rig) -> None:
    rig.emulator.faults.malformed = -1
    with pytest.raises(SwitchboardResponseError):
        await rig.backend.list_extensions()


async def test_rate_limiting_is_reported(rig: Rig) -> None:
    rig.emulator.faults.rate_limited = -1
    with pytest.raises(SwitchboardRateLimitError):
        await rig.backend.list_extensions()


async def test_no_secret_in_any_error_or_log(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts = [repr(rig.backend), repr(rig.settings)]
    for switch in ("server_errors", "malformed", "rate_limited", "hangs"):
        rig.emulator.faults.reset()
        setattr(rig.emulator.faults, switch, -1)
        with pytest.raises(SwitchboardError) as caught:
            await rig.backend.list_extensions()
        texts.extend([str(caught.value), repr(caught.value)])
    assert_no_secret(rig, "\n".join(texts), caplog.text)


def assert_no_secret(rig: Rig, *texts: str) -> None:
    secrets = rig.settings.secret_values()
    assert secrets, "every vendor has at least one secret setting"
    for secret in secrets:
        for text in texts:
            assert secret not in text
