"""The switchboard.* actions against the emulators: effects, refusals and failures."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from switchboard.core.capabilities import Capability

from .conftest import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator


def assert_unsupported(
    error: Exception, backend: PbxBackend, capability: Capability
) -> None:
    """The refusal names what is missing, on which vendor, and the vendor's advice."""
    assert isinstance(error, ServiceValidationError)
    assert error.translation_key == f"unsupported_{capability.name.lower()}"
    message = str(error)
    assert backend.display_name in message
    assert backend.unsupported_reasons.get(capability, "") in message
    assert "{" not in message


async def call(
    hass: HomeAssistant,
    service: str,
    entry: MockConfigEntry,
    *,
    response: bool = False,
    **data: Any,
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=response,
    )


async def first_extension(backend: PbxBackend, **wanted: Any) -> str:
    for status in await backend.get_statuses():
        if all(getattr(status, k) == v for k, v in wanted.items()):
            return status.extension.number
    pytest.skip(f"the emulator has no extension with {wanted}")


async def test_dial(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
) -> None:
    """Dial places the call on the PBX, or says in plain words why it cannot."""
    number = await first_extension(backend, registered=True)
    if not backend.supports(Capability.DIAL):
        with pytest.raises(ServiceValidationError) as caught:
            await call(
                hass,
                "dial",
                init_integration,
                extension=number,
                destination="+4570305050",
            )
        assert_unsupported(caught.value, backend, Capability.DIAL)
        return
    before = emulator.request_count()
    result = await call(
        hass,
        "dial",
        init_integration,
        response=True,
        extension=number,
        destination="+45 70 30 50 50",
    )
    assert set(result) == {"call_id", "message"}
    assert emulator.request_count() > before


async def test_dial_refuses_a_bad_number(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """A destination that is not a phone number is refused before the PBX is asked."""
    if not backend.supports(Capability.DIAL):
        pytest.skip("this vendor cannot dial")
    number = await first_extension(backend)
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass, "dial", init_integration, extension=number, destination="call mom"
        )
    assert caught.value.translation_key == "invalid_number"
    assert "is not a phone number" in str(caught.value)


async def test_unknown_extension(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """An extension the PBX does not have is a validation error that names it."""
    service, data = (
        ("set_dnd", {"enabled": True})
        if backend.supports(Capability.DND)
        else ("forward", {"number": "+4570305050"})
    )
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, service, init_integration, extension="99999", **data)
    assert caught.value.translation_key == "not_found"
    assert "99999" in str(caught.value)
    assert init_integration.title in str(caught.value)


@pytest.mark.parametrize("action", ["start", "pause"])
async def test_record(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    action: str,
) -> None:
    """Recording works where the vendor can; elsewhere the refusal is plain words."""
    needed = [Capability.RECORDING]
    if action == "pause":
        needed.append(Capability.RECORDING_PAUSE)
    missing = [c for c in needed if not backend.supports(c)]
    number = await first_extension(backend, on_call=True)
    if missing:
        with pytest.raises(ServiceValidationError) as caught:
            await call(
                hass, "record", init_integration, extension=number, action=action
            )
        assert_unsupported(caught.value, backend, missing[0])
        return
    if action == "pause":
        await call(hass, "record", init_integration, extension=number, action="start")
    result = await call(
        hass, "record", init_integration, response=True, extension=number, action=action
    )
    assert result["affected_calls"] >= 1


async def test_set_dnd(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """set_dnd switches DND on the PBX and the switch follows at once."""
    if not backend.supports(Capability.DND):
        with pytest.raises(ServiceValidationError):
            await call(hass, "set_dnd", init_integration, extension="101", enabled=True)
        return
    statuses = await backend.get_statuses()
    status = statuses[0]
    await call(
        hass,
        "set_dnd",
        init_integration,
        extension=status.extension.number,
        enabled=True,
    )
    assert (await backend.get_status(status.extension.id)).dnd is True
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.data.statuses[status.extension.id].dnd is True
    # The vendor's extension id works as well as the number.
    await call(
        hass, "set_dnd", init_integration, extension=status.extension.id, enabled=False
    )
    assert (await backend.get_status(status.extension.id)).dnd is False


async def test_set_dnd_for_a_while(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """Timed DND works where the vendor has it, and is refused plainly elsewhere."""
    number = await first_extension(backend)
    if not backend.supports(Capability.DND_TIMED):
        with pytest.raises(ServiceValidationError) as caught:
            await call(
                hass,
                "set_dnd",
                init_integration,
                extension=number,
                enabled=True,
                duration={"hours": 1},
            )
        assert_unsupported(caught.value, backend, Capability.DND_TIMED)
        return
    await call(
        hass,
        "set_dnd",
        init_integration,
        extension=number,
        enabled=True,
        duration=timedelta(hours=1),
    )
    extension = await backend.find_extension(number)
    assert (await backend.get_status(extension.id)).dnd is True


@pytest.mark.usefixtures("http_client")
async def test_set_dnd_duration_needs_on(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A duration with DND off makes no sense and is refused."""
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass,
            "set_dnd",
            init_integration,
            extension="101",
            enabled=False,
            duration="01:00:00",
        )
    assert caught.value.translation_key == "duration_needs_enabled"
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass,
            "set_dnd",
            init_integration,
            extension="101",
            enabled=True,
            duration="00:00:00",
        )
    assert caught.value.translation_key == "duration_zero"


async def test_forward(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    """forward sets and clears call forwarding on the PBX."""
    status = (await backend.get_statuses())[0]
    number = status.extension.number
    if not backend.supports(Capability.FORWARD):
        with pytest.raises(ServiceValidationError) as caught:
            await call(
                hass,
                "forward",
                init_integration,
                extension=number,
                number="+4570305050",
            )
        assert_unsupported(caught.value, backend, Capability.FORWARD)
        return
    await call(
        hass, "forward", init_integration, extension=number, number="+45 70 30 50 50"
    )
    forwarded = (await backend.get_status(status.extension.id)).forward_to
    assert forwarded is not None
    assert forwarded.endswith("70305050")
    await call(hass, "forward", init_integration, extension=number)
    assert (await backend.get_status(status.extension.id)).forward_to is None


async def test_pbx_failure_is_a_translated_error(
    hass: HomeAssistant,
    emulator: Emulator,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
) -> None:
    """A failing PBX gives HomeAssistantError with a readable, translated message."""
    service, data = (
        ("set_dnd", {"enabled": True})
        if backend.supports(Capability.DND)
        else ("forward", {"number": "+4570305050"})
    )
    number = await first_extension(backend)
    emulator.faults.server_errors = -1
    with pytest.raises(HomeAssistantError) as caught:
        await call(hass, service, init_integration, extension=number, **data)
    assert not isinstance(caught.value, ServiceValidationError)
    assert caught.value.translation_key == "communication_error"
    assert "Could not reach the PBX" in str(caught.value)


@pytest.mark.usefixtures("http_client")
async def test_unknown_or_unloaded_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    config_entry: MockConfigEntry,
) -> None:
    """Actions name the problem when the account is unknown or not loaded."""
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "set_dnd",
            {"config_entry_id": "nope", "extension": "101", "enabled": True},
            blocking=True,
        )
    assert caught.value.translation_key == "entry_not_found"

    await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_dnd", init_integration, extension="101", enabled=True)
    assert caught.value.translation_key == "entry_not_loaded"
    assert init_integration.title in str(caught.value)
