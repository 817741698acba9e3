"""Wire models: the seed's example, the go-sdk's fixtures and every normalised quirk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from switchboard.core.errors import SwitchboardResponseError
from switchboard.core.responses import validate
from switchboard.plugins.telphin.models import (
    CallbackResult,
    CurrentCall,
    Extension,
    PhoneProperties,
    RegInfo,
    TokenResponse,
)

from .conftest import load_fixture


def test_seed_phone_example_parses_into_the_model() -> None:
    """The seed's PhoneProperties example (extension 54) parses field by field."""
    phone = PhoneProperties.model_validate(load_fixture("phone_seed_example.json"))
    assert phone.external_number == "+79876543210"
    assert phone.auth_type == "digest"
    assert phone.incoming_limit == 1
    assert phone.hangup_timeout == 5
    assert phone.record_enabled is True
    assert phone.record_stereo is False
    assert phone.record_format == "mp3"
    assert phone.geo_list == "RU"
    assert phone.call_screening_enabled is True
    assert phone.vm_enabled is False
    assert phone.hold_music is None
    assert phone.call_status_id is None
    assert phone.call_status_set_dt is None
    assert phone.bundle is not None
    assert phone.bundle.bundle_id == 3
    assert phone.bundle.bundle_list["29196"].active is True
    assert phone.bundle.bundle_list["124"].active is False


def test_every_seed_field_is_modelled() -> None:
    """No field of the seed's example is silently dropped."""
    example = load_fixture("phone_seed_example.json")
    assert set(example) <= set(PhoneProperties.model_fields)


def test_quirks_are_normalised() -> None:
    """``*_dt`` strings become UTC datetimes, 'yes'/'no' booleans, '' None."""
    phone = PhoneProperties.model_validate(
        {
            "call_status_set_dt": "2026-03-01 09:30:00",
            "record_stereo": "yes",
            "external_number": "",
            "password": "sip-password-1",
        }
    )
    assert phone.call_status_set_dt == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert phone.record_stereo is True
    assert phone.external_number is None
    assert "sip-password-1" not in repr(phone)
    assert "password" not in phone.model_dump()


def test_pins_are_hidden_in_reprs() -> None:
    phone = PhoneProperties(conference_pin="4711", replace_pin="9876")
    assert "4711" not in repr(phone)
    assert "9876" not in repr(phone)


def test_changes_sends_only_what_was_set() -> None:
    """A PUT carries only the fields set, including an explicit None."""
    assert PhoneProperties(external_number=None).changes() == {"external_number": None}
    assert PhoneProperties(call_status_id=302).changes() == {"call_status_id": 302}


def test_token_without_expires_in() -> None:
    """The go-sdk's token fixture has no ``expires_in``; zero counts as missing too."""
    token = TokenResponse.model_validate(load_fixture("token_without_expires_in.json"))
    assert token.expires_in is None
    assert token.access_token.get_secret_value() == "123123"
    assert "123123" not in repr(token)
    assert (
        TokenResponse.model_validate({"access_token": "x", "expires_in": 0}).expires_in
        is None
    )
    assert (
        TokenResponse.model_validate(
            {"access_token": "x", "expires_in": "3600"}
        ).expires_in
        == 3600
    )


def test_empty_token_is_refused() -> None:
    with pytest.raises(SwitchboardResponseError) as caught:
        validate(
            TokenResponse,
            {"access_token": " "},
            vendor="telphin",
            display_name="Telphin",
            what="token answer",
        )
    assert "access_token" in caught.value.message


def test_extension_number_is_the_part_after_the_star() -> None:
    assert Extension(id=1, name="00214*101").number == "101"
    assert Extension(id=2, name="reception").number == "reception"


def test_callback_and_registration_fixtures() -> None:
    result = CallbackResult.model_validate(load_fixture("callback_201.json"))
    assert result.call_api_id == "02abb9ee685a11ea94bfe17eb6eaecba"
    info = RegInfo.model_validate(load_fixture("registration_example.json"))
    assert info.registered is True
    assert info.registrations[0].device == "Yealink SIP-T46G 28.72.14.5"


def test_current_call_times_are_utc() -> None:
    call = CurrentCall.model_validate(
        {
            "call_api_id": "a1",
            "init_time_gmt": "2026-03-01 10:00:05",
            "answer_time_gmt": None,
        }
    )
    assert call.init_time_gmt == datetime(2026, 3, 1, 10, 0, 5, tzinfo=UTC)
    assert call.answer_time_gmt is None


def test_schema_drift_is_a_response_error_without_the_value() -> None:
    with pytest.raises(SwitchboardResponseError) as caught:
        validate(
            PhoneProperties,
            {"hangup_timeout": "secret-ish-value"},
            vendor="telphin",
            display_name="Telphin",
            what="phone terminal",
        )
    assert "hangup_timeout" in caught.value.message
    assert "secret-ish-value" not in caught.value.message
