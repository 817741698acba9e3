"""Find phone numbers in a Slack message, for the "Call this number" shortcut."""

from __future__ import annotations

import re

import phonenumbers

# Slack wraps links as <target|label> or <target>; user and channel mentions as
# <@U123> / <#C123|name>. Their ids must not be read as digits.
_MENTION_RE = re.compile(r"<[@#!][^>]*>")
_LINK_RE = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE_LINK_RE = re.compile(r"<([^<>]+)>")
MAX_NUMBERS = 10


def _plain_text(text: str) -> str:
    text = _MENTION_RE.sub(" ", text)
    # A tel: link keeps its target, which is the exact number.
    text = _LINK_RE.sub(
        lambda m: m.group(1)[4:] if m.group(1).startswith("tel:") else m.group(2),
        text,
    )
    return _BARE_LINK_RE.sub(
        lambda m: m.group(1)[4:] if m.group(1).startswith("tel:") else " ", text
    )


def find_phone_numbers(text: str, region: str) -> list[str]:
    """Return the valid phone numbers in ``text`` as E.164, first seen first.

    Args:
        text: A Slack message text (mrkdwn with Slack's link markup).
        region: Two-letter region for numbers written without a country code.
    """
    found: list[str] = []
    matcher = phonenumbers.PhoneNumberMatcher(
        _plain_text(text), region.upper(), leniency=phonenumbers.Leniency.VALID
    )
    for match in matcher:
        number = phonenumbers.format_number(
            match.number, phonenumbers.PhoneNumberFormat.E164
        )
        if number not in found:
            found.append(number)
        if len(found) == MAX_NUMBERS:
            break
    return found


def display_number(e164: str) -> str:
    """Format an E.164 number the international way (``+45 70 30 50 50``)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def display_number_for(number: str, region: str) -> str:
    """Format a caller's number for a user in ``region``: national at home, else international.

    ``+4570305050`` reads ``70 30 50 50`` in Denmark and ``+45 70 30 50 50`` elsewhere;
    an extension (``201``) or anything that is no phone number stays as it is.
    """
    try:
        parsed = phonenumbers.parse(number, region.upper())
    except phonenumbers.NumberParseException:
        return number
    if not number.startswith("+") and len(number) <= 6:
        return number
    if phonenumbers.region_code_for_number(parsed) == region.upper():
        return phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.NATIONAL
        )
    return phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
