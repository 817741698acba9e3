"""`service` and the forwarding rules through the real service: admins, refusals, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.capabilities import Capability
from switchboard.core.commands import Outcome
from switchboard.core.demo import ADMIN, USER

from .test_service import first_pbx_with, first_pbx_without

if TYPE_CHECKING:
    from switchboard.core.demo import Demo
    from switchboard.plugins.pbxware.emulator import PbxwareEmulator


async def test_service_list_shows_the_human_names(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    reply = await demo.run("service list 210", ADMIN, pbx)
    assert reply.outcome is Outcome.SUCCESS, reply.text
    assert len(reply.data["features"]) == 25
    assert "Follow Me" in reply.text
    assert "Call Screening" in reply.text
    rows = {line.split("  ")[0]: line.split() for line in reply.text.splitlines()}
    assert rows["Do Not Disturb"][-2:] == ["Unavailable", "dnd"]
    assert rows["Call Pickup"][-3:] == ["PIN", "required", "callpickup"]


async def test_service_set_is_for_admins_and_audited(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    emulator: PbxwareEmulator = demo.emulators[pbx]  # type: ignore[assignment]
    refused = await demo.run("service followme pin 201", USER, pbx)
    assert refused.outcome is Outcome.REFUSED
    assert refused.text == (
        "Refused: Only admins can see and change the services of extensions."
    )
    listing = await demo.run("service list", USER, pbx)
    assert listing.outcome is Outcome.REFUSED
    assert emulator.extensions["1"].es["followme"] == "yes"
    done = await demo.run("service Follow Me pin 201", ADMIN, pbx)
    assert done.outcome is Outcome.SUCCESS, done.text
    assert done.text == "Follow Me is now PIN required for extension 201."
    assert emulator.extensions["1"].es["followme"] == "pin"
    entries = await demo.service.store.audit_entries()
    actions = [(e.user_id, e.action, e.outcome) for e in entries]
    assert (ADMIN, "service Follow Me pin 201", "success") in actions
    assert (USER, "service followme pin 201", "refused") in actions


async def test_service_all_sets_every_extension(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    emulator: PbxwareEmulator = demo.emulators[pbx]  # type: ignore[assignment]
    reply = await demo.run("service sms notifications available all", ADMIN, pbx)
    assert reply.outcome is Outcome.SUCCESS, reply.text
    count = len(emulator.extensions)
    assert reply.text == f"SMS Notifications is now Available for {count} extensions."
    assert {e.es["smsnotifications"] for e in emulator.extensions.values()} == {"yes"}


async def test_service_bad_name_or_value_changes_nothing(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    emulator: PbxwareEmulator = demo.emulators[pbx]  # type: ignore[assignment]
    emulator.requests.clear()
    bad_value = await demo.run("service followme availble 201", ADMIN, pbx)
    assert bad_value.outcome is Outcome.REFUSED
    assert (
        "'availble' is not a value of Follow Me: use available or unavailable or pin."
        in bad_value.text
    )
    assert "Did you mean 'available'?" in bad_value.text
    bad_name = await demo.run("service folowme available 201", ADMIN, pbx)
    assert "PBXware has no feature called 'folowme'" in bad_name.text
    assert not [
        r for r in emulator.requests if (r.param("action") or "").endswith("set")
    ]


async def test_vendors_without_features_say_so(demo: Demo) -> None:
    pbx = first_pbx_without(demo, Capability.EXTENSION_FEATURES)
    vendor = demo.service.backends.get(pbx).display_name
    reply = await demo.run("service list", ADMIN, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert reply.text == f"Refused: {vendor} cannot manage per-extension features."


async def test_forward_rules_refused_in_plain_words(demo: Demo) -> None:
    pbx = first_pbx_without(demo, Capability.FORWARD_RULES)
    vendor = demo.service.backends.get(pbx).display_name
    reply = await demo.run("forward busy +4570305050", ADMIN, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert reply.text.startswith(
        f"Refused: {vendor} cannot forward calls only when busy, unanswered or unavailable."
    )
    telecomx = "telecomx"
    if telecomx in demo.config.pbx:
        partial = await demo.run("forward unavailable +4570305050", ADMIN, telecomx)
        assert partial.outcome is Outcome.REFUSED
        assert "TelecomX cannot forward calls on 'unavailable'" in partial.text


async def test_unavailable_dnd_is_explained_and_nothing_changes(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    emulator: PbxwareEmulator = demo.emulators[pbx]  # type: ignore[assignment]
    reply = await demo.run("dnd on 210", ADMIN, pbx)
    assert reply.outcome is Outcome.REFUSED
    assert reply.text == (
        "Refused: DND is not available for extension 210; an admin can make it "
        "available."
    )
    assert emulator.extensions["10"].es["dnd"] == "no"
    assert emulator.extensions["10"].dnd_config["dnd"] == "0"


async def test_status_shows_each_active_rule(demo: Demo) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    await demo.run("forward unavailable +4570305050 209", ADMIN, pbx)
    reply = await demo.run("status 209", ADMIN, pbx)
    assert "Forwarding  when busy to 201" in reply.text
    assert "Forwarding  when unanswered to 201 (after 20s)" in reply.text
    assert "Forwarding  when unavailable to +4570305050" in reply.text


async def test_service_all_reports_the_extensions_it_could_not_change(
    demo: Demo,
) -> None:
    pbx = first_pbx_with(demo, Capability.EXTENSION_FEATURES)
    emulator: PbxwareEmulator = demo.emulators[pbx]  # type: ignore[assignment]
    from switchboard.plugins.pbxware.emulator_state import Refusal  # noqa: PLC0415

    original = emulator._set_state

    def refuse_203(extension, service, state):  # type: ignore[no-untyped-def]
        if extension.number == "203":
            msg = "Permission denied for this extension."
            raise Refusal(msg)
        original(extension, service, state)

    emulator._set_state = refuse_203  # type: ignore[method-assign]
    reply = await demo.run("service wakeupcall pin all", ADMIN, pbx)
    assert reply.outcome is Outcome.SUCCESS, reply.text
    assert reply.data["failed"] == [
        {
            "extension": "203",
            "error": "PBXware does not allow this API key to use "
            "ext.es.states.set: Permission denied for this extension.",
        }
    ]
    count = len(emulator.extensions) - 1
    assert reply.text.splitlines()[0] == (
        f"Wake-up Call is now PIN required for {count} extensions."
    )
    assert "Not changed on 203: PBXware does not allow" in reply.text
    assert emulator.extension_by_number("203").es["wakeupcall"] == "no"
    assert emulator.extension_by_number("204").es["wakeupcall"] == "pin"
