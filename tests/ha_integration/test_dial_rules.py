"""switchboard.dial and .forward obey the core's dial rules: destinations, abroad, rate.

Real Home Assistant, real vendor emulators: a refused call must not reach the PBX at
all, so the tests check the emulator's request log, not only the error.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError

from switchboard.core.capabilities import Capability

from .test_services import call, first_extension

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator, Request

# A Danish fixed line; Home Assistant's country is Denmark in these tests.
NATIONAL = "+4570305050"
# A Berlin fixed line: abroad from Denmark, fine once calls abroad are allowed.
ABROAD = "+4930123456"
LIMIT = 5


@pytest.fixture(autouse=True)
def home_country(hass: HomeAssistant) -> None:
    """Home Assistant is set up in Denmark (Settings > System > General)."""
    hass.config.country = "DK"


@pytest.fixture
async def caller(backend: PbxBackend) -> str:
    """A registered extension that places the calls (vendors that can dial only)."""
    if not backend.supports(Capability.DIAL):
        pytest.skip("this vendor cannot dial")
    return await first_extension(backend, registered=True)


def request_text(request: Request) -> str:
    return " ".join(
        [request.path, str(request.query), request.body.decode("utf-8", "replace")]
    )


async def dial(
    hass: HomeAssistant, entry: MockConfigEntry, caller: str, destination: str
) -> dict[str, Any]:
    result: dict[str, Any] = await call(
        hass,
        "dial",
        entry,
        response=True,
        extension=caller,
        destination=destination,
    )
    return result


async def refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    emulator: Emulator,
    caller: str,
    destination: str,
) -> ServiceValidationError:
    """Dial ``destination``, expect a refusal, and check the PBX heard nothing."""
    before = emulator.request_count()
    with pytest.raises(ServiceValidationError) as caught:
        await dial(hass, entry, caller, destination)
    assert emulator.request_count() == before
    return caught.value


@pytest.mark.parametrize(
    ("destination", "key", "message"),
    [
        (
            "112",
            "dial_emergency",
            (
                "112 is an emergency number. Switchboard never calls or forwards "
                "to emergency services from Home Assistant: call it from a phone "
                "directly"
            ),
        ),
        (
            "+45 90 12 34 56",
            "dial_premium_rate",
            (
                "+4590123456 is a premium-rate number. Switchboard never calls or "
                "forwards to those, because they are charged at a high rate"
            ),
        ),
        (
            # German shared-cost: refused for what it is, not merely as abroad.
            "+49 180 12345",
            "dial_shared_cost",
            (
                "+4918012345 is a shared-cost number. Switchboard never calls or "
                "forwards to those, because the caller pays part of the cost"
            ),
        ),
        (
            "+49 30 123456",
            "dial_abroad",
            (
                "+4930123456 is a number abroad (DE); Home Assistant's country is "
                "DK. Calls abroad are off for"
            ),
        ),
        (
            "+45 123",
            "dial_not_valid",
            (
                "+45123 is not a valid phone number (a number without a country "
                "code is read as a number in DK)."
            ),
        ),
    ],
)
async def test_refused_destinations(  # noqa: PLR0917 - pytest fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
    destination: str,
    key: str,
    message: str,
) -> None:
    """Each rule refuses with its own plain-words reason; the PBX is never asked.

    (Home Assistant drops a message's final full stop.)
    """
    err = await refused(hass, init_integration, emulator, caller, destination)
    assert err.translation_key == key
    assert str(err).startswith(message)


async def test_abroad_refusal_says_how_to_allow_it(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
) -> None:
    """The refusal names the account and the option that allows calls abroad."""
    err = await refused(hass, init_integration, emulator, caller, ABROAD)
    assert f'off for {init_integration.title}: to allow them, turn on "Allow calls' in (
        str(err)
    )


@pytest.mark.parametrize("destination", ["+45 70 30 50 50", "70 30 50 50"])
async def test_national_numbers_dial(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
    destination: str,
) -> None:
    """National numbers, with or without +45, reach the PBX as the E.164 number."""
    before = len(emulator.requests)
    result = await dial(hass, init_integration, caller, destination)
    assert result["call_id"]
    sent = [request_text(r) for r in emulator.requests[before:]]
    assert any(NATIONAL[1:] in text for text in sent), sent


async def test_internal_numbers_dial(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
    caller: str,
) -> None:
    """Another extension of the PBX is dialled, even one the options hide."""
    other = next(
        s.extension
        for s in await backend.get_statuses()
        if s.extension.number != caller
    )
    before = emulator.request_count()
    assert (await dial(hass, init_integration, caller, other.number))["call_id"]
    assert emulator.request_count() > before

    # Shown in Home Assistant: only the caller. The PBX's list still knows `other`.
    caller_id = (await backend.find_extension(caller)).id
    hass.config_entries.async_update_entry(
        init_integration, options={"extensions": [caller_id]}
    )
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    coordinator = init_integration.runtime_data.coordinator
    assert other.id not in coordinator.data.statuses
    assert (await dial(hass, init_integration, caller, other.number))["call_id"]


async def test_unknown_short_number(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
    caller: str,
) -> None:
    """A short number that is no extension is refused; only the PBX's list is read."""
    numbers = {e.number for e in await backend.list_extensions()}
    unknown = next(n for n in ("4321", "5432", "6543") if n not in numbers)
    before = len(emulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await dial(hass, init_integration, caller, unknown)
    assert caught.value.translation_key == "dial_no_extension"
    assert str(caught.value).startswith(
        f"There is no extension {unknown} on {backend.display_name}."
    )
    # The extension list was read again; nothing else (no dial) was sent.
    new = emulator.requests[before:]
    assert new
    assert not any(unknown in request_text(r) for r in new)


async def test_home_region_is_home_assistants_country(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
) -> None:
    """Moving Home Assistant to the UK makes Danish numbers abroad at once."""
    hass.config.country = "GB"
    err = await refused(hass, init_integration, emulator, caller, NATIONAL)
    assert err.translation_key == "dial_abroad"
    assert "(DK); Home Assistant's country is GB" in str(err)
    # A UK number without the country code is national there, and dialled.
    before = len(emulator.requests)
    assert (await dial(hass, init_integration, caller, "0121 234 5678"))["call_id"]
    assert any("441212345678" in request_text(r) for r in emulator.requests[before:])


async def test_unset_country_falls_back_and_says_so(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without a country Denmark is home; the log and the refusal say so."""
    hass.config.country = None
    assert (await dial(hass, init_integration, caller, NATIONAL))["call_id"]
    err = await refused(hass, init_integration, emulator, caller, ABROAD)
    assert err.translation_key == "dial_abroad_no_country"
    assert "Home Assistant has no country set, so Switchboard counts DK as home" in (
        str(err)
    )
    err = await refused(hass, init_integration, emulator, caller, "112")
    assert err.translation_key == "dial_emergency"
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "no country set" in r.getMessage()
    ]
    assert warnings == [
        (
            "Home Assistant has no country set; the dial action treats DK as home. "
            "Set the country under Settings > System > General"
        )
    ]


async def test_option_allows_calls_abroad(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
) -> None:
    """ "Allow calls abroad" (off by default) lets numbers abroad through, no more."""
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    toggle = next(
        key for key in result["data_schema"].schema if key == "allow_international"
    )
    assert toggle.default() is False
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"allow_international": True}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options["allow_international"] is True

    before = len(emulator.requests)
    assert (await dial(hass, init_integration, caller, ABROAD))["call_id"]
    assert any(ABROAD[1:] in request_text(r) for r in emulator.requests[before:])
    # Premium-rate abroad and emergency numbers stay refused.
    err = await refused(hass, init_integration, emulator, caller, "+49 900 1234567")
    assert err.translation_key == "dial_premium_rate"
    err = await refused(hass, init_integration, emulator, caller, "112")
    assert err.translation_key == "dial_emergency"


async def test_rate_limit_trips_and_recovers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    emulator: Emulator,
    caller: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A looping automation is stopped after 5 calls a minute, then may call again."""
    # Refused destinations never reached the PBX, so they do not count.
    for _ in range(LIMIT + 1):
        await refused(hass, init_integration, emulator, caller, "112")
    for _ in range(LIMIT):
        assert (await dial(hass, init_integration, caller, NATIONAL))["call_id"]
    err = await refused(hass, init_integration, emulator, caller, NATIONAL)
    assert err.translation_key == "dial_rate_limit"
    assert str(err) == (
        f"{init_integration.title} has placed 5 calls in the last minute, the most "
        "Switchboard allows, so that a looping automation cannot run up a phone "
        "bill. Try again in 60 s"
    )
    # Reloading the entry (as saving its options does) does not reset the count.
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    freezer.tick(45)
    err = await refused(hass, init_integration, emulator, caller, NATIONAL)
    assert str(err).endswith("Try again in 15 s")
    freezer.tick(16)
    assert (await dial(hass, init_integration, caller, NATIONAL))["call_id"]


@pytest.fixture
async def forwarder(backend: PbxBackend) -> str:
    """An extension whose calls get forwarded (vendors that can forward only)."""
    if not backend.supports(Capability.FORWARD):
        pytest.skip("this vendor cannot forward calls")
    return await first_extension(backend)


async def forward(
    hass: HomeAssistant, entry: MockConfigEntry, extension: str, number: str
) -> None:
    await call(hass, "forward", entry, extension=extension, number=number)


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("+45 90 12 34 56", "dial_premium_rate"),
        ("+49 180 12345", "dial_shared_cost"),
        ("112", "dial_emergency"),
        (ABROAD, "dial_abroad"),
    ],
)
async def test_forward_obeys_the_destination_rules(  # noqa: PLR0917 - pytest fixtures
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
    forwarder: str,
    number: str,
    key: str,
) -> None:
    """Forwarding every caller to a premium-rate number is refused like dialling it.

    The PBX is not asked and the extension's forwarding stays as it was.
    """
    extension_id = (await backend.find_extension(forwarder)).id
    was = (await backend.get_status(extension_id)).forward_to
    before = emulator.request_count()
    with pytest.raises(ServiceValidationError) as caught:
        await forward(hass, init_integration, forwarder, number)
    assert caught.value.translation_key == key
    assert emulator.request_count() == before
    assert (await backend.get_status(extension_id)).forward_to == was


async def test_forward_sends_the_checked_number(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    forwarder: str,
) -> None:
    """A national number typed without +45 is forwarded with its country code; the
    dial rate limit does not count forwards (they place no call)."""
    extension_id = (await backend.find_extension(forwarder)).id
    for _ in range(LIMIT + 1):
        await forward(hass, init_integration, forwarder, "70 30 50 50")
    forwarded = (await backend.get_status(extension_id)).forward_to
    assert forwarded is not None
    assert NATIONAL[1:] in forwarded
