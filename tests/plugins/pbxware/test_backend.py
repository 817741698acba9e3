"""The backend's mapping of capabilities onto PBXware, against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import ValidationError

from switchboard.core.capabilities import Capability
from switchboard.core.errors import (
    SwitchboardFeatureUnavailableError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import (
    CallDirection,
    ForwardCondition,
    OfficeHoursState,
    RecordingAction,
)
from switchboard.core.registry import get_vendor
from switchboard.plugins.pbxware import PLUGIN
from switchboard.plugins.pbxware.backend import PbxwareBackend
from switchboard.plugins.pbxware.emulator import PbxwareEmulator
from switchboard.plugins.pbxware.settings import PbxwareSettings

from .conftest import BASE_URL, make_backend


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def test_plugin_is_registered_and_honest() -> None:
    assert get_vendor("pbxware") is PLUGIN
    assert PbxwareBackend.capabilities == {
        Capability.STATUS,
        Capability.DND,
        Capability.DND_TIMED,
        Capability.FORWARD,
        Capability.RECORDING,
        Capability.RECORDING_PAUSE,
        Capability.OFFICE_HOURS,
        Capability.LIVE_CALLS,
        Capability.FORWARD_RULES,
        Capability.EXTENSION_FEATURES,
        Capability.CALL_HISTORY,
    }
    assert PbxwareBackend.pushes_events is False
    assert PbxwareBackend.downloads_recordings is False


async def test_dial_is_refused_in_plain_words(backend: PbxwareBackend) -> None:
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.dial("1", "+4570305050")
    assert caught.value.message == "PBXware has no click-to-dial in its HTTP API."
    assert caught.value.capability == "DIAL"
    with pytest.raises(SwitchboardUnsupportedError, match="use do-not-disturb"):
        await backend.set_presence("1", "busy")  # type: ignore[arg-type]


async def test_account_info_is_cheap_and_stable(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    info = await backend.account_info()
    assert info.unique_id == "pbx.emulator.test#1"
    assert info.vendor == "pbxware"
    assert info.name == "PBXware pbx.emulator.test"
    assert [r.param("action") for r in emulator.requests] == [
        "pbxware.dashboard.ext_online"
    ]


@pytest.mark.parametrize("count", [10, 200])
async def test_statuses_cost_two_requests_whatever_the_size(count: int) -> None:
    emulator = PbxwareEmulator(extensions=count)
    backend = make_backend(emulator)
    statuses = await backend.get_statuses()
    assert len(statuses) == count
    assert sorted(r.param("action") or "" for r in emulator.requests) == [
        "pbxware.ext.list",
        "pbxware.monitor.list",
    ]
    await backend.client.transport.client.aclose()


async def test_statuses_map_monitor_list(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    statuses = {s.extension.id: s for s in await backend.get_statuses()}
    assert statuses["1"].extension.number == "201"
    assert statuses["1"].extension.email == emulator.extensions["1"].email
    assert statuses["4"].registered is False
    assert statuses["1"].registered is True
    assert statuses["7"].dnd is True
    talking = {n for c in emulator.calls.values() for n in c.numbers}
    assert {s.extension.number for s in statuses.values() if s.on_call} == talking
    assert all(s.forward_to is None for s in statuses.values())  # no bulk read


async def test_single_status_reads_forwarding(backend: PbxwareBackend) -> None:
    forwarded = await backend.get_status("8")
    assert forwarded.forward_to == "4540404040"
    busy_only = await backend.get_status("9")  # busy/no-answer rules, state "pin"
    assert busy_only.forward_to is None


async def test_unknown_extension_is_not_found(backend: PbxwareBackend) -> None:
    with pytest.raises(SwitchboardNotFoundError, match="Extension 999 does not exist"):
        await backend.get_status("999")
    with pytest.raises(SwitchboardNotFoundError):
        await backend.set_dnd("999", enabled=True)


async def test_extension_missing_from_monitor_has_unknown_state(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    """An extension the monitor does not list is unknown, not 'offline'."""
    emulator.extensions["2"].number = "299"  # monitor keys follow, so break the id
    original = emulator._monitor_list

    def without_two(request):  # type: ignore[no-untyped-def]
        response = original(request)
        import json  # noqa: PLC0415

        data = json.loads(response.body)
        data.pop("2")
        response.body = json.dumps(data).encode()
        return response

    emulator._monitor_list = without_two  # type: ignore[method-assign]
    statuses = {s.extension.id: s for s in await backend.get_statuses()}
    assert statuses["2"].registered is None
    assert statuses["2"].dnd is None


async def test_dnd_round_trip_shows_in_monitor(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    on = await backend.set_dnd("1", enabled=True)
    assert on.dnd is True
    assert emulator.extensions["1"].dnd_config["dnd"] == "2"  # Permanent
    assert {s.extension.id: s.dnd for s in await backend.get_statuses()}["1"] is True
    off = await backend.set_dnd("7", enabled=False)
    assert off.dnd is False
    # Today's bug, caught: DND off leaves the service Available.
    assert emulator.extensions["7"].es["dnd"] == "yes"
    assert emulator.extensions["7"].dnd_config["dnd"] == "0"


async def test_timed_dnd_expires(  # the emulator switches it off like PBXware
) -> None:
    clock = Clock()
    emulator = PbxwareEmulator(clock=clock)
    backend = make_backend(emulator)
    status = await backend.set_dnd_for("1", timedelta(hours=2))
    assert status.dnd is True
    config = await backend.client.get_dnd_configuration("1", server="1")
    assert (config.dnd.name, config.duration) == ("TEMPORARY", 2)
    clock.now += 3600
    assert (await backend.get_status("1")).dnd is True
    clock.now += 3600
    assert (await backend.get_status("1")).dnd is False
    await backend.client.transport.client.aclose()


@pytest.mark.parametrize("minutes", [30, 90, 0])
async def test_timed_dnd_needs_whole_hours(
    backend: PbxwareBackend, emulator: PbxwareEmulator, minutes: int
) -> None:
    with pytest.raises(SwitchboardInvalidInputError) as caught:
        await backend.set_dnd_for("1", timedelta(minutes=minutes))
    assert caught.value.message == (
        "PBXware times do-not-disturb in whole hours: choose 1h, 2h, 3h..."
    )
    assert emulator.request_count() == 0


async def test_forward_keeps_the_other_rules(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    status = await backend.set_forward("9", "+45 70 30-50-50")
    assert status.forward_to == "+4570305050"
    fwd = emulator.extensions["9"].callfwd
    assert fwd["enabled"] == ["unconditional", "busy", "no answer"]
    assert fwd["destinations"]["busy"] == ["201"]
    assert fwd["timeouts"]["no answer"] == ["20"]
    assert emulator.extensions["9"].es["callfwd"] == "pin"  # accessibility kept
    off = await backend.set_forward("9", None)
    assert off.forward_to is None
    assert fwd["enabled"] == ["busy", "no answer"]
    assert [r.condition.value for r in off.forward_rules] == ["busy", "noanswer"]
    assert emulator.extensions["9"].es["callfwd"] == "pin"


async def test_forward_off_without_other_rules_keeps_the_service_available(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    await backend.set_forward("8", None)
    assert emulator.extensions["8"].callfwd["enabled"] == []
    # The destination is kept for next time; only the condition is off.
    assert emulator.extensions["8"].callfwd["destinations"]["unconditional"] == [
        "4540404040"
    ]
    assert emulator.extensions["8"].es["callfwd"] == "yes"


@pytest.mark.parametrize("number", ["", "call me", "+45 7030 50 50 x2", "1" * 40])
async def test_forward_refuses_what_is_not_a_number(
    backend: PbxwareBackend, number: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError, match="digits"):
        await backend.set_forward("1", number)


async def test_recording_on_a_live_call(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    call = next(c for c in emulator.calls.values() if c.recording == "off")
    ext = emulator.extension_by_number(call.numbers[0])
    started = await backend.record(ext.id, RecordingAction.START)
    assert (started.affected_calls, started.message) == (
        1,
        "Call status updated successfully.",
    )
    resumed = await backend.record(ext.id, RecordingAction.RESUME)
    assert resumed.affected_calls == 0  # nothing paused
    assert emulator.requests[-1].param("action") == "pbxware.recording.unpause"
    assert emulator.requests[-1].param("ext") == ext.number


async def test_recording_without_a_call_says_so(backend: PbxwareBackend) -> None:
    result = await backend.record("1", RecordingAction.START)
    assert result.affected_calls == 0
    assert result.message == "No calls have been updated."
    with pytest.raises(SwitchboardNotFoundError):
        await backend.record("999", RecordingAction.STOP)


async def test_office_hours_override_keeps_the_schedule(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    before = dict(emulator.operation_times["ivr"]["2"])
    changed = await backend.set_office_hours("ivr:2", OfficeHoursState.OFF)
    assert (changed.id, changed.state) == ("ivr:2", OfficeHoursState.OFF)
    after = emulator.operation_times["ivr"]["2"]
    assert after == {**before, "status": "off"}


@pytest.mark.parametrize("hours_id", ["12", "fax:3", "did:", ""])
async def test_office_hours_id_must_name_a_kind(
    backend: PbxwareBackend, hours_id: str
) -> None:
    with pytest.raises(SwitchboardInvalidInputError, match="look like 'did:12'"):
        await backend.set_office_hours(hours_id, OfficeHoursState.ON)


async def test_office_hours_of_a_missing_destination(backend: PbxwareBackend) -> None:
    with pytest.raises(SwitchboardNotFoundError, match="queues 77"):
        await backend.set_office_hours("queues:77", OfficeHoursState.ON)


async def test_live_calls_are_linked_to_extensions(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    calls = {c.id: c for c in await backend.list_calls()}
    assert set(calls) == set(emulator.calls)
    for uniqueid, seeded in emulator.calls.items():
        call = calls[uniqueid]
        # A call to an extension is incoming to it (internal calls: the callee's).
        own = (
            seeded.numbers[-1]
            if call.to_number in seeded.numbers
            else seeded.numbers[0]
        )
        ext = emulator.extension_by_number(own)
        assert call.extension_id == ext.id
        assert call.direction is (
            CallDirection.INCOMING if own == call.to_number else CallDirection.OUTGOING
        )
        assert call.started is not None
    placed = emulator.start_call(emulator.extensions["1"], "+4512345678")
    again = {c.id: c for c in await backend.list_calls()}
    assert again[placed.uniqueid].to_number == "+4512345678"
    assert (await backend.get_status("1")).on_call is True


def test_settings_validation_explains_itself() -> None:
    settings = PbxwareSettings.model_validate(
        {"url": "https://pbx.example.com/index.php", "api_key": "k" * 10}
    )
    assert settings.url == "https://pbx.example.com"
    assert settings.server == "1"
    with pytest.raises(ValidationError) as short:
        PbxwareSettings.model_validate({"url": BASE_URL, "api_key": "short"})
    problem = short.value.errors(include_input=False)[0]
    assert problem["loc"] == ("api_key",)
    assert "at least 10 characters" in problem["msg"]
    with pytest.raises(ValidationError, match="server"):
        PbxwareSettings.model_validate(
            {"url": BASE_URL, "api_key": "k" * 10, "server": "acme"}
        )


def test_demo_settings_use_the_emulator_key() -> None:
    settings = PLUGIN.demo_settings("http://127.0.0.1:8080")
    emulator = PLUGIN.emulator_factory()
    assert isinstance(emulator, PbxwareEmulator)
    assert settings.api_key.get_secret_value() == emulator.api_key
    assert settings.secret_field_names() == ["api_key"]


def test_emulator_seeds_a_thousand_extensions() -> None:
    emulator = PbxwareEmulator(extensions=1000)
    assert len(emulator.extensions) == 1000
    assert len({e.email for e in emulator.extensions.values()}) == 1000
    assert len({e.number for e in emulator.extensions.values()}) == 1000
    assert PbxwareEmulator(extensions=1).calls == {}


async def test_account_of_a_tenant() -> None:
    emulator = PbxwareEmulator(server="7")
    backend = make_backend(emulator, server="7")
    info = await backend.account_info()
    assert info.unique_id == "pbx.emulator.test#7"
    assert info.name == "PBXware pbx.emulator.test tenant 7"
    assert len(await backend.list_extensions()) == 24
    await backend.client.transport.client.aclose()


async def test_features_use_the_bulk_call(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    """P8: ext.es.states.get answers all 25 services in one request."""
    features = await backend.list_features("10")
    assert len(features) == 25
    by_key = {f.spec.key: f for f in features}
    assert (by_key["dnd"].value, by_key["dnd"].label) == ("unavailable", "Unavailable")
    assert by_key["callpickup"].label == "PIN required"
    assert by_key["followme"].spec.name == "Follow Me"
    assert [r.param("action") for r in emulator.requests] == [
        "pbxware.ext.es.states.get"
    ]


async def test_features_fall_back_to_one_call_per_service() -> None:
    """P8: an older PBXware without ext.es.states: per-service get and set."""
    emulator = PbxwareEmulator(bulk_es_states=False)
    backend = make_backend(emulator)
    features = await backend.list_features("1")
    assert len(features) == 25
    actions = [r.param("action") or "" for r in emulator.requests]
    assert actions[0] == "pbxware.ext.es.states.get"
    assert sorted(actions[1:]) == sorted(
        f"pbxware.ext.es.{f.spec.key}.get" for f in features
    )
    emulator.requests.clear()
    changed = await backend.set_feature("1", "Follow Me", "pin")
    assert changed.label == "PIN required"
    # The refusal of the bulk call is remembered: straight to the single set.
    assert [r.param("action") for r in emulator.requests] == [
        "pbxware.ext.es.followme.set"
    ]
    assert emulator.extensions["1"].es["followme"] == "pin"
    await backend.client.transport.client.aclose()


async def test_set_feature_checks_the_name_and_the_value(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    with pytest.raises(SwitchboardNotFoundError, match="no feature called 'fly'"):
        await backend.set_feature("1", "fly", "available")
    with pytest.raises(
        SwitchboardInvalidInputError, match="available, unavailable, pin"
    ):
        await backend.set_feature("1", "dnd", "on")
    assert emulator.request_count() == 0
    await backend.set_feature("1", "callscreening", "available")
    (request,) = emulator.requests
    assert request.param("action") == "pbxware.ext.es.states.set"
    assert request.param("callscreening") == "yes"


async def test_flipping_p2_sends_the_status_alone(
    backend: PbxwareBackend, emulator: PbxwareEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P2: if set turns out to merge, the read is skipped and only status is sent."""
    from switchboard.plugins.pbxware import client as client_module  # noqa: PLC0415

    monkeypatch.setattr(client_module, "OTIMES_SET_REPLACES_STATE", False)
    changed = await backend.set_office_hours("erg:9", OfficeHoursState.ON)
    assert changed.state is OfficeHoursState.ON
    (request,) = emulator.requests
    assert request.param("action") == "pbxware.otimes.erg.set"
    assert {k for k, _ in request.query} == {
        "apikey",
        "action",
        "id",
        "server",
        "status",
    }


async def test_a_failed_half_of_a_status_read_cancels_the_other(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    """ext.list and monitor.list run together; one failure is the error raised."""
    from switchboard.core.errors import SwitchboardResponseError  # noqa: PLC0415

    emulator.faults.malformed = 1
    with pytest.raises(SwitchboardResponseError, match="not JSON"):
        await backend.get_statuses()
    assert backend.rate_limit is None  # PBXware reports no quota
    assert len(await backend.get_statuses()) == 24


async def test_a_pasted_key_with_whitespace_works(emulator: PbxwareEmulator) -> None:
    """The length check ignores surrounding whitespace, so the key sent must too.

    A key copied with a trailing newline passed validation and was then refused
    by PBXware as "Invalid API key.", with nothing visible to correct.
    """
    settings = PbxwareSettings.model_validate(
        {"url": BASE_URL, "api_key": f"  {emulator.api_key}\n"}
    )
    assert settings.api_key.get_secret_value() == emulator.api_key
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator))
    async with http, PLUGIN.create_backend(settings, http) as backend:
        info = await backend.account_info()
    assert info.vendor == "pbxware"


async def test_an_unavailable_service_is_reported_not_fixed(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    """Extension 210 (id 10): an admin made DND and forwarding Unavailable."""
    with pytest.raises(SwitchboardFeatureUnavailableError) as caught:
        await backend.set_dnd("10", enabled=True)
    assert caught.value.message == (
        "DND is not available for extension 210; an admin can make it available."
    )
    with pytest.raises(SwitchboardFeatureUnavailableError):
        await backend.set_forward_rule("10", ForwardCondition.BUSY, "201")
    ext = emulator.extensions["10"]
    assert (ext.es["dnd"], ext.es["callfwd"]) == ("no", "no")
    assert ext.dnd_config["dnd"] == "0"
    assert ext.callfwd["enabled"] == []
    actions = {r.param("action") or "" for r in emulator.requests}
    assert not {a for a in actions if a.endswith((".set", ".edit"))}


async def test_accessibility_survives_dnd_and_forwarding(
    backend: PbxwareBackend, emulator: PbxwareEmulator
) -> None:
    before = {i: dict(e.es) for i, e in emulator.extensions.items()}
    await backend.set_dnd("1", enabled=True)
    await backend.set_dnd_for("2", timedelta(hours=1))
    await backend.set_dnd("7", enabled=False)
    await backend.set_forward_rule("9", ForwardCondition.UNAVAILABLE, "+4570305050")
    await backend.set_forward_rule("9", ForwardCondition.BUSY, None)
    await backend.set_forward("8", None)
    await backend.get_status("9")
    assert {i: e.es for i, e in emulator.extensions.items()} == before
    status = await backend.get_status("9")
    assert [
        (r.condition.value, r.number, r.timeout_seconds) for r in status.forward_rules
    ] == [
        ("noanswer", "201", 20),
        ("unavailable", "+4570305050", None),
    ]
