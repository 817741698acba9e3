"""The MiRTA backend: capabilities mapped onto the client, against the emulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr, ValidationError

from switchboard.core.capabilities import Capability
from switchboard.core.emulator import serve
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardUnsupportedError,
)
from switchboard.core.models import CallDirection, RecordingAction
from switchboard.core.registry import get_vendor
from switchboard.plugins.mirta import PLUGIN
from switchboard.plugins.mirta import const as mirta_const
from switchboard.plugins.mirta.backend import MirtaBackend
from switchboard.plugins.mirta.emulator import DEMO_API_KEY, MirtaEmulator
from switchboard.plugins.mirta.settings import MirtaSettings

from .conftest import make_backend

if TYPE_CHECKING:
    from switchboard.plugins.mirta.emulator_state import EmuExtension


async def test_plugin_is_registered() -> None:
    """The registry finds the plugin; its factories build the demo tenant."""
    assert get_vendor("mirta") is PLUGIN
    emulator = PLUGIN.emulator_factory()
    assert isinstance(emulator, MirtaEmulator)
    assert len(emulator.state.extensions) == 24
    settings = PLUGIN.demo_settings("http://127.0.0.1:8123/")
    assert settings.url == "http://127.0.0.1:8123"
    assert settings.secret_values() == [DEMO_API_KEY]
    assert DEMO_API_KEY not in repr(settings)


def test_capabilities_follow_the_unknowns() -> None:
    """Undeclared capabilities are exactly those the §7 constants rule out."""
    caps = MirtaBackend.capabilities
    assert (Capability.RECORDING in caps) is mirta_const.LIVE_RECORDING_SUPPORTED
    forward = (
        mirta_const.PROXY_FORWARDING_SUPPORTED or mirta_const.OPENAPI_PATH is not None
    )
    assert (Capability.FORWARD in caps) is forward
    assert (Capability.OFFICE_HOURS in caps) is mirta_const.OFFICE_HOURS_SUPPORTED
    assert caps == {
        Capability.STATUS,
        Capability.DND,
        Capability.DIAL,
        Capability.FLOWS,
        Capability.LIVE_CALLS,
        Capability.CALL_HISTORY,
    }


async def test_unsupported_capabilities_explain_why(backend: MirtaBackend) -> None:
    """Recording, forwarding and presence refusals say why, in plain words."""
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.record("101", RecordingAction.START)
    assert caught.value.message == (
        "MiRTA PBX can only record a call when it is placed; "
        "it cannot start or stop recording a live call."
    )
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.record("101", RecordingAction.PAUSE)
    assert caught.value.capability == "RECORDING_PAUSE"
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.set_forward("101", "+4555501234")
    assert "OpenAPI" in caught.value.message
    assert not backend.supports(Capability.PRESENCE)


async def test_account_info(backend: MirtaBackend, emulator: MirtaEmulator) -> None:
    """One cheap request; the unique id is host + tenant and stable."""
    info = await backend.account_info()
    assert info.unique_id == "mirta.emulator.test/acme"
    assert info.name == "MiRTA PBX ACME (mirta.emulator.test)"
    assert emulator.request_count() == 1
    assert emulator.requests[0].param("reqtype") == "COUNTPEERS"
    assert (await backend.account_info()).unique_id == info.unique_id


async def test_account_info_with_a_wrong_key(emulator: MirtaEmulator) -> None:
    """A wrong key fails the credentials check with a reauth-needed error."""
    backend = make_backend(emulator, api_key=SecretStr("not-the-key"))
    with pytest.raises(SwitchboardAuthError) as caught:
        await backend.account_info()
    assert caught.value.reauth_needed


async def test_list_extensions(backend: MirtaBackend) -> None:
    """Extensions are identified by number, sorted by number."""
    extensions = await backend.list_extensions()
    assert [e.number for e in extensions] == [str(n) for n in range(100, 124)]
    assert all(e.id == e.number for e in extensions)
    assert extensions[0].name == "Anne Holm"
    assert extensions[0].email == "anne.100@example.com"


async def test_statuses(backend: MirtaBackend) -> None:
    """Registered, unreachable, talking and DND come out right."""
    statuses = {s.extension.id: s for s in await backend.get_statuses()}
    assert statuses["100"].registered is True
    assert statuses["100"].on_call is False
    assert statuses["103"].registered is False  # never registered
    assert statuses["110"].registered is False  # registered, but not answering
    assert statuses["101"].on_call is True
    assert statuses["104"].on_call is True
    assert statuses["106"].dnd is True
    assert statuses["100"].dnd is False
    assert statuses["100"].presence is None
    assert statuses["100"].forward_to is None


@pytest.mark.parametrize("size", [10, 200])
async def test_status_request_count_does_not_grow(size: int) -> None:
    """A full refresh is three bulk requests, for 10 or 200 extensions."""
    emulator = MirtaEmulator(extensions=size)
    backend = make_backend(emulator)
    statuses = await backend.get_statuses()
    assert len(statuses) == size
    assert emulator.request_count() == 3
    assert sorted(r.param("reqtype") or "" for r in emulator.requests) == [
        "CHANNELS",
        "INFO",
        "PEERS",
    ]


async def test_a_thousand_extensions() -> None:
    """The benchmark size: 1,000 extensions, still three requests."""
    emulator = MirtaEmulator(extensions=1000)
    backend = make_backend(emulator)
    statuses = await backend.get_statuses()
    assert len(statuses) == 1000
    assert sum(1 for s in statuses if s.registered) >= 700
    assert emulator.request_count() == 3


class NoDndFieldEmulator(MirtaEmulator):
    """A server whose extension records do not carry the DND flag."""

    def extension_record(self, ext: EmuExtension) -> dict[str, str]:
        record = super().extension_record(ext)
        del record[mirta_const.EXTENSION_DND_FIELD]
        return record


async def test_dnd_falls_back_to_the_dnd_request_for_small_lookups() -> None:
    """Without the record flag: DND get for a few extensions, unknown for a full refresh."""
    emulator = NoDndFieldEmulator()
    backend = make_backend(emulator)
    one = await backend.get_status("106")
    assert one.dnd is True
    assert emulator.request_count() == 4
    emulator.requests.clear()
    every = await backend.get_statuses()
    assert all(s.dnd is None for s in every)
    assert emulator.request_count() == 3


async def test_set_dnd_round_trip(
    backend: MirtaBackend, emulator: MirtaEmulator
) -> None:
    """DND on and off, each confirmed by reading the PBX back."""
    status = await backend.set_dnd("100", enabled=True)
    assert status.dnd is True
    assert emulator.state.extensions["100"].dnd is True
    assert emulator.requests[0].param("reqtype") == "DND"
    status = await backend.set_dnd("100", enabled=False)
    assert status.dnd is False


async def test_set_dnd_unknown_extension(backend: MirtaBackend) -> None:
    """An unknown extension is not found, in plain words."""
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await backend.set_dnd("999", enabled=True)
    assert "999" in caught.value.message


async def test_dial_creates_a_live_call(
    backend: MirtaBackend, emulator: MirtaEmulator
) -> None:
    """Dial returns the originate id; the new call shows in the live calls."""
    before = await backend.list_calls()
    result = await backend.dial("100", "+4555501234")
    assert result.call_id in emulator.state.originations
    assert result.message == "Originate successfully queued"
    after = await backend.list_calls()
    assert len(after) == len(before) + 1
    new = next(c for c in after if c.id not in {b.id for b in before})
    assert new.extension_id == "100"
    assert new.to_number == "+4555501234"
    assert new.answered is False


async def test_dial_refuses_garbage(
    backend: MirtaBackend, emulator: MirtaEmulator
) -> None:
    """A destination that is no number never reaches the PBX."""
    with pytest.raises(SwitchboardInvalidInputError):
        await backend.dial("100", "call mom")
    assert emulator.request_count() == 0


async def test_live_calls(backend: MirtaBackend) -> None:
    """Two seeded calls, each from its two channels."""
    calls = {c.extension_id: c for c in await backend.list_calls()}
    assert len(calls) == 2
    inbound = calls["101"]
    assert inbound.from_number == "+4555501234"
    assert inbound.to_number == "101"
    assert inbound.answered is True
    assert inbound.started is not None
    assert 150 <= (datetime.now(UTC) - inbound.started).total_seconds() <= 400
    assert inbound.direction is CallDirection.INCOMING
    # An internal call belongs to the extension called: the one that can miss it.
    assert calls["105"].to_number == "105"
    assert calls["105"].direction is CallDirection.INCOMING


async def test_flows(backend: MirtaBackend, emulator: MirtaEmulator) -> None:
    """Flows list as open/closed; switching writes the mapped state only (M6)."""
    flows = {f.name: f for f in await backend.list_flows()}
    assert set(flows) == {"Day", "Night", "Lunch", "Holiday"}
    assert flows["Day"].active is True
    assert flows["Night"].active is False
    changed = await backend.set_flow(flows["Night"].id, active=True)
    assert changed.active is True
    setflow = next(r for r in emulator.requests if r.param("reqtype") == "SETFLOW")
    assert setflow.param("state") == mirta_const.FLOW_STATE_MAP["open"].state
    assert setflow.param("value") is None
    changed = await backend.set_flow(flows["Night"].id, active=False)
    assert changed.active is False
    assert {f.id: f.active for f in await backend.list_flows()}["7002"] is False


async def test_unknown_flow(backend: MirtaBackend) -> None:
    """Switching a flow that does not exist is not found."""
    with pytest.raises(SwitchboardNotFoundError):
        await backend.set_flow("7999", active=True)
    with pytest.raises(SwitchboardInvalidInputError):
        await backend.set_flow(" ", active=True)


async def test_owned_client_lifecycle() -> None:
    """Without an injected client the backend owns one, on a real loopback port, and closes it."""
    emulator = MirtaEmulator(extensions=12)
    async with serve(emulator) as base_url:
        settings = PLUGIN.demo_settings(base_url)
        async with PLUGIN.create_backend(settings) as backend:
            assert isinstance(backend, MirtaBackend)
            assert (await backend.account_info()).unique_id == "127.0.0.1/acme"
            assert len(await backend.list_extensions()) == 12
        assert backend.client.transport.client.is_closed


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("tenant", "AC ME", "tenant code"),
        ("tenant", "", "tenant code"),
        ("api_key", "two words", "spaces"),
        ("api_key", "", "empty"),
        ("proxy_path", "/pbx/", ".php"),
        ("url", "pbx.example.com", "http"),
    ],
)
def test_settings_are_validated(field: str, value: str, words: str) -> None:
    """Bad settings are refused with a message that says what to enter."""
    data = {
        "url": "https://pbx.example.com",
        "api_key": "k3y-k3y-k3y",
        "tenant": "ACME",
        field: value,
    }
    with pytest.raises(ValidationError) as caught:
        MirtaSettings.model_validate(data)
    assert words in str(caught.value)
    if field == "api_key" and value:
        assert value not in str(caught.value).split("input_value")[0]


def test_settings_defaults_and_normalisation() -> None:
    """The proxy path defaults to M1 and is normalised; the key is a secret."""
    settings = MirtaSettings.model_validate(
        {
            "url": "https://pbx.example.com/",
            "api_key": "k3y-k3y-k3y",
            "tenant": " ACME ",
        }
    )
    assert settings.proxy_path == mirta_const.PROXY_API_PATH
    assert settings.tenant == "ACME"
    assert MirtaSettings.secret_field_names() == ["api_key"]
    assert "k3y-k3y-k3y" not in repr(settings)
    demo = MirtaSettings.model_validate(
        {
            "url": "https://demo.mirtapbx.com",
            "api_key": "k",
            "tenant": "DEMO",
            "proxy_path": "mirtapbx/proxyapi.php",
        }
    )
    assert demo.proxy_path == "/mirtapbx/proxyapi.php"


async def test_set_dnd_on_a_server_without_the_dnd_request_type(
    backend: MirtaBackend, emulator: MirtaEmulator
) -> None:
    """Older servers answer the unknown DND request type with nothing (M3).

    That empty answer used to read "does not know extension 100" for an
    extension that exists; the user is told DND is missing on the server.
    """
    del emulator._handlers[mirta_const.DND_REQTYPE]
    with pytest.raises(SwitchboardUnsupportedError) as caught:
        await backend.set_dnd("100", enabled=True)
    assert caught.value.capability == Capability.DND.name
    assert "DND request type" in caught.value.message
    with pytest.raises(SwitchboardNotFoundError):
        await backend.set_dnd("999", enabled=True)


async def test_status_on_a_server_without_the_dnd_request_type() -> None:
    """Without the DND request type (M3) DND is unknown; the status still reads.

    With records that lack the DND flag, the empty answer used to fail the
    whole status of an existing extension with "does not know extension 106".
    """
    emulator = NoDndFieldEmulator()
    del emulator._handlers[mirta_const.DND_REQTYPE]
    backend = make_backend(emulator)
    status = await backend.get_status("106")
    await backend.client.transport.client.aclose()
    assert status.extension.number == "106"
    assert status.dnd is None
    assert status.registered is not None
