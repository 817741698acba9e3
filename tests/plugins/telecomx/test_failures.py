"""Failure modes against the emulator: reads are retried, writes are sent once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from switchboard.core.errors import (
    SwitchboardConnectionError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.plugins.telecomx.models import NoAnswerUpdate, PhoneType, PresenceState

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from switchboard.plugins.telecomx.client import TelecomXClient
    from switchboard.plugins.telecomx.emulator import TelecomXEmulator


def reads(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> dict[str, Callable[[], Awaitable[object]]]:
    ext_id = next(iter(emulator.tenant.extensions))
    return {
        "settings": client.get_settings,
        "extension": lambda: client.get_extension(ext_id, include_phones=True),
        "switches": client.list_switches,
        "switch": lambda: client.get_switch("DAYNIGHT"),
        "employees": lambda: client.list_employees(calls=True),
    }


def writes(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> dict[str, Callable[[], Awaitable[object]]]:
    ext_id = next(iter(emulator.tenant.extensions))
    phone = emulator.tenant.phones[ext_id][0]["_id"]
    talking = emulator.tenant.calls[0]["extension"]
    employee = next(iter(emulator.tenant.employees))
    return {
        "dnd": lambda: client.set_phone_dnd(ext_id, PhoneType.SIP, phone, state=True),
        "redirect": lambda: client.set_redirect(ext_id, "+4570305050"),
        "update": lambda: client.update_extension(
            ext_id, no_answer=NoAnswerUpdate(timeout=15)
        ),
        "dial": lambda: client.call(phone, "+4570305050"),
        "recording": lambda: client.set_ondemand_recording(talking, enabled=True),
        "switch": lambda: client.set_switch("DAYNIGHT", value=False),
        "presence": lambda: client.set_employee_presence(employee, PresenceState.BUSY),
    }


READS = ["settings", "extension", "switches", "switch", "employees"]
WRITES = ["dnd", "redirect", "update", "dial", "recording", "switch", "presence"]


@pytest.mark.parametrize("name", READS)
async def test_reads_are_retried_after_a_5xx(
    client: TelecomXClient, emulator: TelecomXEmulator, name: str
) -> None:
    emulator.faults.server_errors = 2
    result = await reads(client, emulator)[name]()
    assert result is not None
    assert emulator.request_count() == 3


@pytest.mark.parametrize("name", WRITES)
async def test_writes_are_sent_once(
    client: TelecomXClient, emulator: TelecomXEmulator, name: str
) -> None:
    """Dial, recording, switch and every other write: never retried."""
    emulator.faults.server_errors = 1
    with pytest.raises(SwitchboardConnectionError):
        await writes(client, emulator)[name]()
    assert emulator.request_count() == 1


async def test_dial_is_not_repeated_after_a_timeout(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """A dial that timed out may have rung: it is not sent again."""
    emulator.faults.hangs = 1
    emulator.faults.hang_seconds = 2
    before = len(emulator.tenant.calls)
    with pytest.raises(SwitchboardTimeoutError):
        await writes(client, emulator)["dial"]()
    assert emulator.request_count() == 1
    assert len(emulator.tenant.calls) == before


async def test_persistent_5xx_is_a_connection_error(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    emulator.faults.server_errors = -1
    with pytest.raises(SwitchboardConnectionError) as caught:
        await client.get_settings()
    assert caught.value.status_code == 500


async def test_timeout_is_a_timeout_error(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    emulator.faults.hangs = -1
    emulator.faults.hang_seconds = 2
    with pytest.raises(SwitchboardTimeoutError) as caught:
        await client.get_settings()
    assert caught.value.timeout == 0.5
    assert "did not answer within 0.5 s" in caught.value.message


@pytest.mark.parametrize("name", READS)
async def test_malformed_body_is_a_response_error(
    client: TelecomXClient, emulator: TelecomXEmulator, name: str
) -> None:
    emulator.faults.malformed = -1
    with pytest.raises(SwitchboardResponseError) as caught:
        await reads(client, emulator)[name]()
    assert "not JSON" in caught.value.message


@pytest.mark.parametrize("name", READS)
async def test_empty_body_is_a_response_error(
    client: TelecomXClient, emulator: TelecomXEmulator, name: str
) -> None:
    emulator.faults.empty = -1
    with pytest.raises(SwitchboardResponseError) as caught:
        await reads(client, emulator)[name]()
    assert "0 bytes" in caught.value.message


async def test_rate_limit_is_retried_then_reported(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    emulator.faults.rate_limited = 1
    assert await client.list_switches()
    assert emulator.request_count() == 2
    emulator.faults.rate_limited = -1
    with pytest.raises(SwitchboardRateLimitError) as caught:
        await client.list_switches()
    assert caught.value.retry_after == pytest.approx(1)


async def test_wrong_shape_is_a_response_error(
    client: TelecomXClient, emulator: TelecomXEmulator
) -> None:
    """Schema drift: a switch without its value."""
    for switch in emulator.tenant.switches.values():
        del switch["value"]
    with pytest.raises(SwitchboardResponseError) as caught:
        await client.list_switches()
    assert "switch list" in caught.value.message
    assert "value" in caught.value.message
