from __future__ import annotations

from switchboard.slack_app.phone_numbers import (
    MAX_NUMBERS,
    display_number,
    find_phone_numbers,
)


def test_finds_national_and_international_numbers_in_order() -> None:
    text = "Ring mig på +45 70 30 50 50 eller 33 12 34 56 (ikke 2024)."
    assert find_phone_numbers(text, "DK") == ["+4570305050", "+4533123456"]


def test_reads_slack_tel_links_and_ignores_mentions() -> None:
    text = "<@U01234567> call <tel:+4533123456|33 12 34 56> please, see <#C0123|ops>"
    assert find_phone_numbers(text, "DK") == ["+4533123456"]


def test_duplicates_are_dropped_and_the_list_is_capped() -> None:
    text = "+45 70 30 50 50 and +4570305050"
    assert find_phone_numbers(text, "DK") == ["+4570305050"]
    many = " ".join(f"+45 70 30 50 {i:02d}" for i in range(20))
    assert len(find_phone_numbers(many, "DK")) == MAX_NUMBERS


def test_region_decides_national_numbers() -> None:
    assert find_phone_numbers("call (202) 555-0143", "US") == ["+12025550143"]
    assert find_phone_numbers("no numbers here, just 42", "DK") == []


def test_display_number() -> None:
    assert display_number("+4570305050") == "+45 70 30 50 50"
    assert display_number("not a number") == "not a number"
