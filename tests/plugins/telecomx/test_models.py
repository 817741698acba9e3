"""The wiki's examples (converted from JS object literals to JSON) parse into the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from switchboard.core.errors import SwitchboardResponseError
from switchboard.core.responses import validate
from switchboard.plugins.telecomx.models import (
    AppRecord,
    ExtensionDetail,
    GotoRef,
    LoginResult,
    NoAnswerUpdate,
    PbxSettings,
    PhoneType,
    PresenceState,
    RecordingMode,
)

from .conftest import load_fixture


def test_settings_example_parses() -> None:
    """Every field of the api:pbx:settings:get example lands in the model."""
    settings = PbxSettings.model_validate(load_fixture("settings_get.json"))
    assert settings.id == "1234567890124567890AAAA"  # 23 chars in the wiki
    assert settings.default_number == "+4570305050"
    assert settings.national_prefix == "+45"
    assert settings.caller_id_name_outbound == "CUSTOMER"
    assert settings.voicemail_breakout is None
    assert settings.recording is not None
    assert settings.recording.mode is RecordingMode.ALWAYS
    assert settings.recording.retension == 7
    assert settings.billing is not None
    assert settings.billing.invoiced_until == datetime(2019, 1, 1, tzinfo=UTC)
    assert settings.present_mobile_on_local_to_mobile is False


def test_master_pin_is_hidden_in_reprs() -> None:
    """The hot-desking master PIN is a credential: it never shows in a repr."""
    data = load_fixture("settings_get.json")
    assert data["masterPinCode"] == "1234567890"
    data["masterPinCode"] = "9081726354"  # the wiki's PIN also occurs in its ids
    settings = PbxSettings.model_validate(data)
    assert settings.master_pin_code is not None
    assert settings.master_pin_code.get_secret_value() == "9081726354"
    assert "9081726354" not in repr(settings)
    assert "9081726354" not in str(settings)


def test_extension_example_parses_with_nested_sections() -> None:
    """The api:pbx:extension:get example, incl. noAnswer, busy and outbound."""
    ext = ExtensionDetail.model_validate(load_fixture("extension_get.json"))
    assert (ext.id, ext.type, ext.number, ext.name) == (
        "12345678901234567890ABCD",
        "EXTENSION",
        "592",
        "Donald Duck",
    )
    assert ext.employee == "12345678901234567890AAAA"
    assert ext.direct == "+4570305051"
    assert ext.mobile_delay == 10
    assert ext.on_presence_holiday == "BUSY"
    assert ext.no_answer is not None
    assert ext.no_answer.timeout == 30
    assert ext.no_answer.int_action == "NUMBER"
    assert ext.no_answer.int_number == "100"
    assert ext.busy is not None
    assert ext.busy.ext_action == "QUEUE"
    assert ext.outbound is not None
    assert ext.outbound.destinations == "NATIONAL"
    assert ext.outbound.caller_id is not None
    assert ext.outbound.caller_id.on_presence_off_work == "+4571919998"
    assert ext.outbound.caller_id.on_presence_work_ask is True
    assert ext.outbound.goto == "123456789012345678901234"
    assert ext.phones is None  # only with includePhones=true


def test_extension_with_phones_and_expanded_gotos_parses() -> None:
    """includePhones gives phones[] of every type; expandGoto gives objects."""
    ext = ExtensionDetail.model_validate(
        load_fixture("extension_get_expanded_with_phones.json")
    )
    assert ext.phones is not None
    assert [p.type for p in ext.phones] == [
        PhoneType.SIP,
        PhoneType.MVNO,
        PhoneType.EXTERNAL,
    ]
    sip, mvno, external = ext.phones
    assert sip.model == "Yealink T54W"
    assert sip.online is True
    assert mvno.dnd is True
    assert mvno.rate_plan == "5f0c1a2b3c4d5e6f70819bbb"
    assert external.online is False
    assert isinstance(ext.inbound_goto, GotoRef)
    assert ext.inbound_goto.type == "MENU_ROUTER"
    assert ext.outbound is not None
    assert isinstance(ext.outbound.goto, GotoRef)
    assert ext.outbound.goto.number is None


def test_omitted_properties_default_to_none() -> None:
    """'Properties holding no value may be omitted': only _id is required."""
    ext = ExtensionDetail.model_validate({"_id": "12345678901234567890ABCD"})
    assert ext.number is None
    assert ext.no_answer is None
    settings = PbxSettings.model_validate({"_id": "x"})
    assert settings.recording is None


def test_unknown_vendor_values_fall_back_to_unknown() -> None:
    """A new enum value on the PBX never breaks parsing."""
    record = AppRecord.model_validate(
        {
            "_id": "a" * 24,
            "presence": "IN_A_MEETING",
            "extensions": [
                {"_id": "b" * 24, "phones": [{"_id": "c" * 24, "type": "DECT"}]}
            ],
        }
    )
    assert record.presence is PresenceState.UNKNOWN
    assert record.extensions[0].phones[0].type is PhoneType.UNKNOWN


def test_schema_drift_is_a_response_error_without_values() -> None:
    """A wrong type becomes a response error that names the field, not the value."""
    with pytest.raises(SwitchboardResponseError) as caught:
        validate(
            ExtensionDetail,
            {"_id": "a" * 24, "noAnswer": {"timeout": "secret-looking-value"}},
            vendor="telecomx",
            display_name="TelecomX",
            what="extension",
        )
    assert "noAnswer.timeout" in caught.value.message
    assert "secret-looking-value" not in caught.value.message


def test_login_token_is_hidden_in_reprs() -> None:
    """The login answer keeps the token as a secret."""
    result = LoginResult.model_validate(
        {"token": "tok-abcdef123456", "expiresInMinutes": 15, "accessLevel": "OWNER"}
    )
    assert result.token == SecretStr("tok-abcdef123456")
    assert "tok-abcdef123456" not in repr(result)


def test_update_body_uses_vendor_names_and_only_set_fields() -> None:
    """A partial update sends only what the caller set, with camelCase names."""
    update = NoAnswerUpdate(timeout=20, ext_action="NUMBER", ext_number="+4520000000")
    assert update.body() == {
        "timeout": 20,
        "extAction": "NUMBER",
        "extNumber": "+4520000000",
    }
