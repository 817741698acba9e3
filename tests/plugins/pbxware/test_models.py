"""The wire models parse every manual example we use, quirks included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from switchboard.core.errors import SwitchboardResponseError
from switchboard.core.responses import validate
from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    CallForwardConfiguration,
    CdrPage,
    DidList,
    DndConfiguration,
    DndMode,
    EsSetResponse,
    EsState,
    EsStateResponse,
    EsStates,
    ExtensionConfiguration,
    ExtensionList,
    ExtensionsOnline,
    LiveCallList,
    MonitorList,
    OperationTimesList,
    RecordingResponse,
    RegistrationStatus,
    SuccessResponse,
    number_of,
)
from switchboard.plugins.pbxware.quirks import format_cdr_date, parse_cdr_date

from .conftest import load_fixture


def test_ext_list_is_keyed_by_internal_id() -> None:
    """ext.list: a dict keyed by id becomes a list whose items carry the id."""
    entries = ExtensionList.model_validate(load_fixture("ext_list")).root
    assert [(e.id, e.ext, e.name) for e in entries] == [
        ("1", "530", "User 530"),
        ("53", "100", "User 100"),
    ]
    assert entries[0].department == ["4", "6"]
    assert entries[1].email == "name1@provider.com"


def test_empty_lists_come_as_a_json_array() -> None:
    """PHP encodes an empty list as [], which must read as no items."""
    assert ExtensionList.model_validate([]).root == []
    assert MonitorList.model_validate([]).root == []
    assert LiveCallList.model_validate([]).root == []
    assert OperationTimesList.model_validate([]).root == []


def test_a_non_empty_array_is_not_mistaken_for_a_keyed_list() -> None:
    with pytest.raises(ValidationError):
        ExtensionList.model_validate([{"ext": "100"}])


def test_ext_configuration_drops_every_secret() -> None:
    """ext.configuration: pin and SIP secret/username never reach the model."""
    config = ExtensionConfiguration.model_validate(load_fixture("ext_configuration"))
    assert config.id == "1"
    assert config.ext == "530"
    assert config.smuser is False
    assert config.options.callerid == "User 530 <530>"
    assert config.options.recordcalls is False
    dumped = config.model_dump()
    assert "pin" not in dumped
    assert set(dumped["options"]) == {"callerid", "context", "recordcalls"}
    assert "1234" not in repr(config)
    assert "344530" not in repr(config)


def test_es_answers() -> None:
    assert EsStateResponse.model_validate(load_fixture("es_get")).state is EsState.YES
    answer = EsSetResponse.model_validate(load_fixture("es_set"))
    assert (answer.success, answer.state) == ("11: 2.", EsState.YES)
    states = EsStates.model_validate(load_fixture("es_states_get")).root
    assert states["callfwd"] is EsState.PIN
    assert states["dnd"] is EsState.NO
    assert len(states) == 25
    message = SuccessResponse.model_validate(load_fixture("es_states_set")).success
    assert message == "Updated Enhanced Service states successfully."


def test_es_state_rejects_unknown_values() -> None:
    with pytest.raises(ValidationError):
        EsStateResponse.model_validate({"state": "maybe"})


def test_dnd_configuration() -> None:
    config = DndConfiguration.model_validate(load_fixture("dnd_configuration"))
    assert config.dnd is DndMode.NOT_ACTIVE
    assert (config.dst, config.dsttype, config.duration) == ("123", "voicemail", 1)
    assert (
        DndConfiguration.model_validate({"dnd": "2", "duration": ""}).duration is None
    )
    with pytest.raises(ValidationError):
        DndConfiguration.model_validate({"dnd": "3"})


def test_call_forward_configuration() -> None:
    config = CallForwardConfiguration.model_validate(
        load_fixture("callfwd_configuration")
    )
    assert config.play is True
    assert config.cid is True
    assert config.enabled == [
        CallForwardCondition.UNCONDITIONAL,
        CallForwardCondition.BUSY,
    ]
    assert config.destinations_for(CallForwardCondition.BUSY) == ["106", "107"]
    assert config.timeouts_for(CallForwardCondition.NO_ANSWER) == ["10", "10"]
    assert config.destinations_for(CallForwardCondition.UNCONDITIONAL) == []


def test_call_forward_configuration_with_empty_maps() -> None:
    """An all-empty map may come as [] as well."""
    config = CallForwardConfiguration.model_validate(
        {"play": "0", "cid": "0", "enabled": [], "destinations": [], "timeouts": []}
    )
    assert config.destinations == {}
    assert config.play is False


def test_monitor_list_string_booleans_are_parsed_not_truthy() -> None:
    """monitor.list: "false" is False (bool("false") would be True)."""
    (entry,) = MonitorList.model_validate(load_fixture("monitor_list")).root
    assert entry.id == "123"
    assert entry.ext == "530"
    assert entry.status is RegistrationStatus.ONLINE
    assert entry.dnd is False
    assert entry.on_call is True


@pytest.mark.parametrize("bad", ["yes", "1", "", "FALSE!", 0])
def test_monitor_flags_reject_other_encodings(bad: object) -> None:
    row = {"9": {"ext": "100", "status": "online", "dnd": bad, "on_call": "false"}}
    with pytest.raises(ValidationError) as caught:
        MonitorList.model_validate(row)
    assert "expected 'true' or 'false'" in str(caught.value)


def test_unknown_registration_status_reads_as_unknown() -> None:
    row = {"9": {"ext": "100", "status": "Unreachable", "dnd": "false"}}
    (entry,) = MonitorList.model_validate(row).root
    assert entry.status is RegistrationStatus.UNKNOWN
    assert MonitorList.model_validate({"9": {"status": "ONLINE"}}).root[0].status is (
        RegistrationStatus.ONLINE
    )


def test_live_calls() -> None:
    (call,) = LiveCallList.model_validate(load_fixture("monitor_live_calls")).root
    assert call.id == "1675644925.2"
    assert (call.from_number, call.to_number) == ("203", "210")
    assert call.started == datetime(2023, 2, 6, 0, 55, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("party", "number"),
    [("User1 (203)", "203"), ("+4570305050", "+4570305050"), ("A (b) (42)", "42")],
)
def test_number_of_a_party(party: str, number: str) -> None:
    assert number_of(party) == number


def test_recording_answer() -> None:
    answer = RecordingResponse.model_validate(load_fixture("recording"))
    assert answer.affected_calls == 1
    assert answer.success == "Call status updated successfully."


def test_operation_times_list() -> None:
    (entry,) = OperationTimesList.model_validate(load_fixture("otimes_list")).root
    assert entry.id == "12451"
    assert entry.status == "on"
    assert entry.default_dest_is_vm is True
    assert entry.custom_destinations[0].is_open_range is True
    assert entry.closed_dates[0].date_from == "2022-05-05"
    assert entry.open_days[0].days == "1,2,6"
    message = SuccessResponse.model_validate(load_fixture("otimes_set")).success
    assert message == "Edited Operation Times successfully."


def test_did_list_samples() -> None:
    """Both of the manual's did.list examples: the intro sample and the full one."""
    dids = {d.id: d for d in DidList.model_validate(load_fixture("did_list")).root}
    assert set(dids) == {"7", "8"}
    assert (dids["7"].number, dids["7"].ext, dids["7"].server) == ("12345", "530", "7")
    assert (dids["8"].type, dids["8"].status) == ("Extension", "enabled")
    (full,) = DidList.model_validate(load_fixture("did_list_full")).root
    assert (full.id, full.number, full.name) == ("7", "1212400700", "DID name")
    assert DidList.model_validate([]).root == []


def test_operation_times_status_follows_the_documented_spelling() -> None:
    """The manual lists "On, Off, Inherit"; its example says "on"."""
    entry = OperationTimesList.model_validate({"1": {"status": "Inherit"}}).root[0]
    assert entry.status == "inherit"
    with pytest.raises(ValidationError):
        OperationTimesList.model_validate({"1": {"status": "closed"}})


def test_cdr_page_maps_columns_by_header() -> None:
    page = CdrPage.model_validate(load_fixture("cdr_download"))
    assert page.next_page is False
    assert (page.limit, page.records) == (16, 2)
    first = page.rows[0]
    assert first.from_ == "Test (1000)"
    assert first.started == datetime.fromtimestamp(1246462678, tz=UTC)
    assert first.duration == 6
    assert first.rating_cost == 1.0
    assert first.recording_available is True
    assert first.mos == 4.4


def test_cdr_page_without_billing_columns() -> None:
    """Outside billing mode the rating columns are absent: mapping is by name."""
    page = CdrPage.model_validate(
        {
            "next_page": True,
            "limit": 1,
            "records": 1,
            "header": ["To", "From", "Date/Time", "Total Duration", "Status"],
            "csv": [["210", "203", "1700000000", "12", "Busy"]],
        }
    )
    assert page.next_page is True
    row = page.rows[0]
    assert (row.from_, row.to, row.status) == ("203", "210", "Busy")
    assert row.rating_cost is None


def test_cdr_row_of_the_wrong_length_is_a_response_error() -> None:
    data = {"limit": 1, "records": 1, "header": ["From", "To"], "csv": [["1"]]}
    with pytest.raises(SwitchboardResponseError) as caught:
        validate(CdrPage, data, vendor="pbxware", display_name="PBXware", what="CDRs")
    assert "one value per header column" in caught.value.message


def test_dashboard_ext_online() -> None:
    online = ExtensionsOnline.model_validate(load_fixture("dashboard_ext_online"))
    assert online.count == 1


def test_validation_errors_never_quote_the_payload() -> None:
    """A bad value is described by place and rule, not repeated."""
    with pytest.raises(SwitchboardResponseError) as caught:
        validate(
            MonitorList,
            {"9": {"dnd": "secret-looking-value"}},
            vendor="pbxware",
            display_name="PBXware",
            what="monitor list",
        )
    assert "secret-looking-value" not in caught.value.message
    assert "dnd" in caught.value.message


def test_cdr_dates_are_english_whatever_the_locale() -> None:
    assert format_cdr_date(date(2009, 2, 1)) == "Feb-01-2009"
    assert parse_cdr_date("Feb-01-2009") == date(2009, 2, 1)
    with pytest.raises(ValueError, match="Feb-01-2009"):
        parse_cdr_date("2009-02-01")


def test_php_empty_values_in_configurations() -> None:
    """PHP sends an empty options map as [] and may send null for no conditions."""
    config = ExtensionConfiguration.model_validate({"ext": "100", "options": []})
    assert config.options.callerid == ""
    forward = CallForwardConfiguration.model_validate({"enabled": None})
    assert forward.enabled == []


@pytest.mark.parametrize("epoch", ["99999999999999999999", "99999999999999"])
def test_cdr_time_out_of_range_is_a_response_error(epoch: str) -> None:
    """A corrupt epoch fails the page as a response error, not OverflowError."""
    data = {
        "limit": 1,
        "records": 1,
        "header": ["From", "To", "Date/Time", "Total Duration"],
        "csv": [["203", "210", epoch, "1"]],
    }
    with pytest.raises(SwitchboardResponseError):
        validate(CdrPage, data, vendor="pbxware", display_name="PBXware", what="CDRs")


@pytest.mark.parametrize("uniqueid", ["99999999999999999999.7", "99999999999999.7"])
def test_live_call_id_out_of_range_has_no_start(uniqueid: str) -> None:
    """A unique id whose epoch is no date gives no start time instead of crashing."""
    (call,) = LiveCallList.model_validate({uniqueid: {"from": "A (1)"}}).root
    assert call.started is None
