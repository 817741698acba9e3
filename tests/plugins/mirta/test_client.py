"""Every client method against the emulator, in both response formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core.errors import (
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardResponseError,
)

if TYPE_CHECKING:
    from switchboard.plugins.mirta.client import MirtaClient
    from switchboard.plugins.mirta.emulator import MirtaEmulator


async def test_extensions(client: MirtaClient, emulator: MirtaEmulator) -> None:
    """INFO extensions lists every extension with its SIP username."""
    records = await client.extensions()
    assert len(records) == 24
    first = records[0]
    assert (first.number, first.name, first.username) == (
        "100",
        "Anne Holm",
        "100-ACME",
    )
    assert {r.state for r in records} >= {"NOT_INUSE", "UNAVAILABLE", "INUSE"}
    assert emulator.request_count() == 1


async def test_extensions_dnd_flag_only_in_json(json_client: MirtaClient) -> None:
    """The JSON record carries the DND flag (EXTENSION_DND_FIELD); 106 has it on."""
    records = {r.number: r for r in await json_client.extensions()}
    assert records["106"].dnd is True
    assert records["100"].dnd is False
    assert records["100"].email == "anne.100@example.com"


async def test_peers(client: MirtaClient) -> None:
    """PEERS lists registered phones only, one of them not answering."""
    peers = await client.peers()
    names = {p.name for p in peers}
    assert "100-ACME" in names
    assert "103-ACME" not in names  # not registered
    unreachable = [p.name for p in peers if not p.reachable]
    assert unreachable == ["110-ACME"]
    assert all(p.node in {"srv01", "srv02"} for p in peers)


async def test_count_peers(client: MirtaClient) -> None:
    """COUNTPEERS gives the total and the per-node counts."""
    counts = await client.count_peers()
    assert counts.total == 18
    assert sum(counts.nodes.values()) == 18
    assert set(counts.nodes) == {"srv01", "srv02"}


async def test_ext_state(client: MirtaClient) -> None:
    """EXTSTATE tells idle, talking and unregistered apart."""
    idle = await client.ext_state("100")
    assert idle.registered
    assert not idle.on_call
    talking = await client.ext_state("101")
    assert talking.on_call
    assert talking.connected_line == "+4555501234"
    offline = await client.ext_state("103")
    assert not offline.registered
    with pytest.raises(SwitchboardNotFoundError):
        await client.ext_state("999")


async def test_dnd_get_and_set(client: MirtaClient, emulator: MirtaEmulator) -> None:
    """DND set with value=on / empty value, read back with DND get."""
    assert await client.get_dnd("106") is True
    assert await client.get_dnd("100") is False
    reply = await client.set_dnd("100", enabled=True)
    assert reply.ok
    assert emulator.state.extensions["100"].dnd is True
    assert await client.get_dnd("100") is True
    await client.set_dnd("100", enabled=False)
    assert await client.get_dnd("100") is False
    sent = [r.param("value") for r in emulator.requests if r.param("action") == "set"]
    assert sent == ["on", ""]


async def test_dnd_unknown_extension(client: MirtaClient) -> None:
    """The emulator answers nothing for an unknown number: not found."""
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await client.get_dnd("999")
    assert "999" in caught.value.message
    with pytest.raises(SwitchboardNotFoundError):
        await client.set_dnd("999", enabled=True)


async def test_dial_with_every_parameter(
    client: MirtaClient, emulator: MirtaEmulator
) -> None:
    """DIAL sends every documented option and creates a ringing channel."""
    before = len(await client.channels())
    reply = await client.dial(
        "100",
        "+4555501234",
        account="100-ACME",
        sourceclid="4555500100",
        destclid="4555500100",
        dialtimeout=25,
        timeout=3600,
        recording="yeschange",
        autoanswer=True,
        variables={"TICKET": "4711"},
    )
    assert reply.ok
    assert reply.message == "Originate successfully queued"
    assert reply.id
    sent = emulator.requests[-1]
    assert sent.param("reqtype") == "DIAL"
    expected = {"account": "100-ACME", "sourceclid": "4555500100", "destclid": "4555500100",
                "dialtimeout": "25", "timeout": "3600", "recording": "yeschange",
                "autoanswer": "yes", "var": "TICKET=4711"}  # fmt: skip
    assert {k: sent.param(k) for k in expected} == expected
    channels = await client.channels()
    assert len(channels) == before + 1
    assert any(c.peer == "100-ACME" and c.state == "Ringing" for c in channels)
    info = await client.call_info(reply.id)
    assert (info.source, info.dest, info.status) == ("100", "+4555501234", "ringing")
    assert (await client.recording(reply.id)).startswith(b"RIFF")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"recording": "always"},
        {"dialtimeout": 0},
        {"timeout": 100_000},
        {"variables": {"bad name": "x"}},
        {"sourceclid": "not a number!"},
    ],
)
async def test_dial_refuses_bad_options(
    json_client: MirtaClient, emulator: MirtaEmulator, kwargs: dict[str, object]
) -> None:
    """Bad options are refused before anything is sent."""
    with pytest.raises(SwitchboardInvalidInputError):
        await json_client.dial("100", "+4555501234", **kwargs)  # type: ignore[arg-type]
    assert emulator.request_count() == 0


async def test_call_info_and_recording_not_found(client: MirtaClient) -> None:
    """Unknown call ids are not found, for info and for recordings."""
    with pytest.raises(SwitchboardNotFoundError):
        await client.call_info("ffffffffffffff")
    with pytest.raises(SwitchboardNotFoundError):
        await client.recording("ffffffffffffff")


async def test_recording_of_a_seeded_call(
    client: MirtaClient, emulator: MirtaEmulator
) -> None:
    """INFO recording returns the audio bytes by unique id."""
    uniqueid = emulator.state.cdrs[0]["uniqueid"]
    audio = await client.recording(uniqueid)
    assert audio[:4] == b"RIFF"
    assert audio[8:12] == b"WAVE"


async def test_cdrs_and_filters(client: MirtaClient) -> None:
    """INFO cdrs filters by date and phone."""
    every = await client.cdrs("2026-11-01", "2026-11-30")
    assert len(every) == 6
    assert all(c.uniqueid for c in every)
    day = await client.cdrs("2026-11-21", "2026-11-21")
    assert day
    assert all(c.start.startswith("2026-11-21") for c in day)
    assert await client.cdrs("2020-01-01", "2020-01-02") == []
    with pytest.raises(SwitchboardInvalidInputError):
        await client.cdrs("yesterday", "today")


async def test_dids(client: MirtaClient) -> None:
    """INFO dids parses in both formats (the plain header has no newline)."""
    dids = await client.dids()
    assert [d.number for d in dids] == ["4555500100", "4555500101", "4555500102"]
    assert dids[1].comment == "Support"


async def test_channels_and_count_calls(client: MirtaClient) -> None:
    """CHANNELS lists both legs of the two seeded calls; COUNTCALLS counts calls."""
    channels = await client.channels()
    assert len(channels) == 4
    assert len({c.linkedid for c in channels}) == 2
    assert {c.peer for c in channels} >= {"101-ACME", "104-ACME", "105-ACME"}
    assert all(c.state == "Up" for c in channels)
    assert await client.count_calls() == 2


async def test_hangup_by_channel_and_by_extension(
    client: MirtaClient, emulator: MirtaEmulator
) -> None:
    """HANGUP ends the whole call, addressed by channel or extension."""
    channels = await client.channels()
    first = next(c for c in channels if c.peer == "101-ACME")
    assert (await client.hangup(channel=first.channel)).ok
    assert await client.count_calls() == 1
    assert (await client.hangup(extension="104-ACME")).ok
    assert await client.count_calls() == 0
    assert await client.channels() == []
    assert emulator.state.channels == []


async def test_hangup_needs_exactly_one_target(json_client: MirtaClient) -> None:
    """Neither or both targets are refused; an unknown channel is not found."""
    with pytest.raises(SwitchboardInvalidInputError):
        await json_client.hangup()
    with pytest.raises(SwitchboardInvalidInputError):
        await json_client.hangup(channel="SIP/x", extension="100")
    with pytest.raises(SwitchboardNotFoundError) as caught:
        await json_client.hangup(channel="PJSIP/999-ACME-00000001")
    assert "Channel not found" in caught.value.message


async def test_transfer(client: MirtaClient) -> None:
    """TRANSFER replaces the other leg with a ringing leg to the destination."""
    channels = await client.channels()
    caller = next(c for c in channels if c.peer.startswith("trunk"))
    reply = await client.transfer(caller.channel, "102")
    assert reply.ok
    after = [c for c in await client.channels() if c.linkedid == caller.linkedid]
    assert {c.peer for c in after} == {caller.peer, "102-ACME"}
    with pytest.raises(SwitchboardNotFoundError):
        await client.transfer("SIP/none-00000000", "102")


async def test_flows_and_set_flow(client: MirtaClient, emulator: MirtaEmulator) -> None:
    """FLOWS reads state and value; SETFLOW by state or by value changes both."""
    flows = {f.number: f for f in await client.flows()}
    assert {f.name for f in flows.values()} == {"Day", "Night", "Lunch", "Holiday"}
    assert flows["7001"].is_open
    assert not flows["7002"].is_open
    assert (await client.set_flow("7002", state="INUSE")).ok
    night = next(f for f in await client.flows() if f.number == "7002")
    assert night.is_open
    assert night.value == "open"
    await client.set_flow("7002", value="closed")
    night = next(f for f in await client.flows() if f.number == "7002")
    assert (night.state, night.is_open) == ("NOT_INUSE", False)
    assert emulator.state.flows[1].state == "NOT_INUSE"


async def test_set_flow_errors(json_client: MirtaClient) -> None:
    """Unknown flows are not found; bad states and empty requests are refused."""
    with pytest.raises(SwitchboardNotFoundError):
        await json_client.set_flow("7999", state="INUSE")
    with pytest.raises(SwitchboardInvalidInputError):
        await json_client.set_flow("7001", state="OPEN")
    with pytest.raises(SwitchboardInvalidInputError):
        await json_client.set_flow("7001")


async def test_refused_action_is_a_response_error(json_client: MirtaClient) -> None:
    """An action reply other than Success is reported with the vendor's words."""
    with pytest.raises(SwitchboardResponseError) as caught:
        await json_client.dial("ACCOUNT", "+4555501234")
    assert "Missing account" in caught.value.message
    assert "DIAL" in caught.value.message


async def test_numbers_are_checked(
    json_client: MirtaClient, emulator: MirtaEmulator
) -> None:
    """Garbage numbers never reach the PBX."""
    for bad in ("", "100&reqtype=HANGUP", "1 00", "x" * 41):
        with pytest.raises(SwitchboardInvalidInputError):
            await json_client.get_dnd(bad)
    assert emulator.request_count() == 0
