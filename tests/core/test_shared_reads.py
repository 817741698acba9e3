"""Identical pure reads in flight share one request; anything else starts afresh."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from switchboard.core.errors import SwitchboardConnectionError
from switchboard.core.shared_reads import SharedReads
from switchboard.core.transport import Transport


class CountingPbx:
    """An ASGI app that answers after ``delay`` and counts what it was asked."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay
        self.seen: list[str] = []
        self.value = "old"

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        assert scope["type"] == "http"
        self.seen.append(
            f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}"
        )
        if scope["method"] == "POST":
            self.value = "new"
        answer = self.value  # what the PBX knew when the request arrived
        if scope["method"] == "GET":  # slow reads, quick writes
            await asyncio.sleep(self.delay)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer.encode()})


@pytest.fixture
async def pbx_transport() -> tuple[CountingPbx, Transport]:
    pbx = CountingPbx()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=pbx))
    transport = Transport(
        "http://pbx.test", vendor="test", display_name="Test", http_client=client
    )
    yield pbx, transport
    await client.aclose()


async def test_concurrent_identical_reads_share_one_request(
    pbx_transport: tuple[CountingPbx, Transport],
) -> None:
    pbx, transport = pbx_transport
    answers = await asyncio.gather(
        *(
            transport.request(
                "GET", "/list", idempotent=True, params={"a": "1"}, shared=True
            )
            for _ in range(50)
        )
    )
    assert len(pbx.seen) == 1
    assert {a.text for a in answers} == {"old"}
    # Other parameters are another read; unmarked reads are never shared.
    await asyncio.gather(
        transport.request(
            "GET", "/list", idempotent=True, params={"a": "2"}, shared=True
        ),
        transport.request("GET", "/list", idempotent=True, params={"a": "1"}),
        transport.request("GET", "/list", idempotent=True, params={"a": "1"}),
    )
    assert len(pbx.seen) == 4


async def test_a_read_after_a_write_never_joins_an_older_read(
    pbx_transport: tuple[CountingPbx, Transport],
) -> None:
    pbx, transport = pbx_transport
    before = asyncio.ensure_future(
        transport.request("GET", "/state", idempotent=True, shared=True)
    )
    await asyncio.sleep(0.01)  # the read is in flight
    await transport.request("POST", "/state", idempotent=False, data={"on": "1"})
    after = await transport.request("GET", "/state", idempotent=True, shared=True)
    assert (await before).text == "old"
    assert after.text == "new"
    assert len(pbx.seen) == 3


async def test_a_failure_reaches_every_joiner_and_a_cancel_only_its_caller() -> None:
    reads: SharedReads[str] = SharedReads()
    started = asyncio.Event()

    async def failing() -> str:
        started.set()
        await asyncio.sleep(0.02)
        msg = "PBX unreachable"
        raise SwitchboardConnectionError(msg)

    first = asyncio.ensure_future(reads.read("k", failing))
    second = asyncio.ensure_future(reads.read("k", failing))
    await started.wait()
    first.cancel()
    with pytest.raises(SwitchboardConnectionError):
        await second
    assert first.cancelled()
    assert reads.in_flight == 0


async def test_when_every_caller_gives_up_the_request_is_cancelled() -> None:
    reads: SharedReads[str] = SharedReads()
    finished = False

    async def slow() -> str:
        nonlocal finished
        await asyncio.sleep(10)
        finished = True
        return "late"

    callers = [asyncio.ensure_future(reads.read("k", slow)) for _ in range(3)]
    await asyncio.sleep(0.01)
    for caller in callers:
        caller.cancel()
    await asyncio.gather(*callers, return_exceptions=True)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert reads.in_flight == 0
    assert not finished
