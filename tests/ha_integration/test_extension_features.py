"""Extension features (one select per feature per extension) and forwarding rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from homeassistant.const import EntityCategory
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from switchboard.core.capabilities import Capability
from switchboard.core.models import ForwardCondition

from .test_services import call

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from switchboard.core.backend import PbxBackend
    from switchboard.core.emulator import Emulator


def feature_entities(
    hass: HomeAssistant, entry: MockConfigEntry
) -> list[er.RegistryEntry]:
    registry = er.async_get(hass)
    return [
        e
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.translation_key == "extension_feature"
    ]


async def test_one_select_per_feature_per_extension_disabled_by_default(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
) -> None:
    found = feature_entities(hass, init_integration)
    if not backend.supports(Capability.EXTENSION_FEATURES):
        assert found == []
        return
    extensions = await backend.list_extensions()
    assert (
        len(found)
        == len(backend.feature_specs) * len(extensions)
        == 25 * len(extensions)
    )
    assert all(e.disabled_by is er.RegistryEntryDisabler.INTEGRATION for e in found)
    assert all(e.entity_category is EntityCategory.CONFIG for e in found)
    names = {e.original_name for e in found}
    assert {"Follow Me", "Call Screening", "Do Not Disturb"} <= names
    # Disabled entities cost nothing: no enhanced-service request was sent.
    actions = {r.param("action") or "" for r in emulator.requests}
    assert not {a for a in actions if ".es." in a}


async def test_an_enabled_feature_select_reads_and_changes_the_pbx(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
    advance: Callable[..., Awaitable[None]],
) -> None:
    if not backend.supports(Capability.EXTENSION_FEATURES):
        pytest.skip("this vendor has no extension features")
    extension = (await backend.list_extensions())[0]
    registry = er.async_get(hass)
    unique_id = f"{init_integration.unique_id}_{extension.id}_feature_followme"
    entity_id = registry.async_get_entity_id("select", "switchboard", unique_id)
    assert entity_id is not None
    registry.async_update_entity(entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    await advance()
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "available"
    assert state.attributes["options"] == ["available", "unavailable", "pin"]
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": entity_id, "option": "pin"},
        blocking=True,
    )
    assert hass.states.get(entity_id).state == "pin"
    features = {f.spec.key: f.value for f in await backend.list_features(extension.id)}
    assert features["followme"] == "pin"

    # A PBX that stops answering for this extension's features blanks only them.
    from switchboard.plugins.pbxware.emulator_state import Refusal  # noqa: PLC0415

    def refuse(request: object) -> object:
        msg = "Extension does not exist."
        raise Refusal(msg)

    emulator._states_get = refuse  # type: ignore[attr-defined]
    await advance()
    assert hass.states.get(entity_id).state == "unavailable"
    dnd = registry.async_get_entity_id(
        "switch", "switchboard", f"{init_integration.unique_id}_{extension.id}_dnd"
    )
    assert dnd is not None
    assert hass.states.get(dnd).state != "unavailable"


@pytest.mark.parametrize(
    "condition", [c for c in ForwardCondition if c is not ForwardCondition.ALL]
)
async def test_forward_takes_the_condition(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    condition: ForwardCondition,
) -> None:
    status = (await backend.get_statuses())[0]
    number = status.extension.number
    data = {"extension": number, "number": "+4570305050", "condition": condition.value}
    if condition not in backend.forward_conditions:
        with pytest.raises(ServiceValidationError) as caught:
            await call(hass, "forward", init_integration, **data)
        assert "cannot forward calls" in str(caught.value)
        return
    await call(hass, "forward", init_integration, **data)
    rules = (await backend.get_status(status.extension.id)).forward_rules
    assert [r.number for r in rules if r.condition is condition] == ["+4570305050"]
    await call(
        hass,
        "forward",
        init_integration,
        extension=number,
        condition=condition.value,
    )
    rules = (await backend.get_status(status.extension.id)).forward_rules
    assert all(r.condition is not condition for r in rules)


async def test_forward_ring_time_only_when_unanswered(
    hass: HomeAssistant, init_integration: MockConfigEntry, backend: PbxBackend
) -> None:
    if ForwardCondition.NO_ANSWER not in backend.forward_conditions:
        pytest.skip("this vendor cannot forward on no answer")
    status = (await backend.get_statuses())[0]
    number = status.extension.number
    with pytest.raises(ServiceValidationError) as caught:
        await call(
            hass,
            "forward",
            init_integration,
            extension=number,
            number="+4570305050",
            condition="busy",
            ring_time=20,
        )
    assert caught.value.translation_key == "ring_time_needs_noanswer"
    await call(
        hass,
        "forward",
        init_integration,
        extension=number,
        number="+4570305050",
        condition="noanswer",
        ring_time=25,
    )
    rules = (await backend.get_status(status.extension.id)).forward_rules
    assert [(r.condition, r.timeout_seconds) for r in rules] == [
        (ForwardCondition.NO_ANSWER, 25)
    ]


async def test_dnd_on_an_unavailable_service_is_explained(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    backend: PbxBackend,
    emulator: Emulator,
) -> None:
    """PBXware extension 210: an admin made DND Unavailable; nothing is changed."""
    if backend.vendor != "pbxware":
        pytest.skip("the PBXware emulator seeds an Unavailable DND")
    with pytest.raises(ServiceValidationError) as caught:
        await call(hass, "set_dnd", init_integration, extension="210", enabled=True)
    assert str(caught.value).endswith(
        "DND is not available for extension 210; an admin can make it available."
    )
    seeded = emulator.extension_by_number("210")  # type: ignore[attr-defined]
    assert (seeded.es["dnd"], seeded.dnd_config["dnd"]) == ("no", "0")
