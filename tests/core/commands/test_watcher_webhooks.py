"""Two watchers on one state database: only the lease holder registers webhooks.

The second watcher has its own command service (its own backend and database
connections), as another worker process would. Telphin's emulator calls the URL
the leader registered; here every call lands on the *other* watcher's relay, as a
load balancer may send it, and still reaches the leader's inbox once.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

from switchboard.core.commands import CommandService
from switchboard.core.commands.watcher import CallWatcher
from switchboard.core.commands.webhook_relay import (
    ANSWER_WAIT,
    WebhookRelay,
    token_hash,
)
from switchboard.core.demo import USER, start_demo
from switchboard.plugins.telphin.emulator import TelphinEmulator
from tests.core.commands.test_watcher import Recorder
from tests.waiting import until

if TYPE_CHECKING:
    from pathlib import Path

    from switchboard.core.commands.state import StateStore

PUBLIC = "https://switchboard.example"


async def test_the_webhooks_follow_the_lease(tmp_path: Path) -> None:
    async with start_demo(state_dir=tmp_path, vendors=["telphin"]) as demo:
        pbx = next(iter(demo.config.pbx))
        emulator = demo.emulators[pbx]
        assert isinstance(emulator, TelphinEmulator)
        link = await demo.service.linked_extension(USER, pbx)
        assert link is not None
        other = await CommandService.create(demo.config)
        relays = [
            WebhookRelay(s.store, PUBLIC, demo.config.pbx)
            for s in (demo.service, other)
        ]
        first, second = Recorder(), Recorder()
        hour = timedelta(hours=1)  # no timed round: only pushes read the calls
        a = CallWatcher(demo.service, first, interval=hour, webhooks=relays[0])
        b = CallWatcher(other, second, interval=hour, webhooks=relays[1])
        verdicts: list[str] = []

        async def to_b(url: str, fields: dict[str, str]) -> None:
            verdicts.append(await relays[1].receive(pbx, url.rsplit("/", 1)[1], fields))

        emulator.webhooks.deliver = to_b

        def tokens() -> set[str]:
            return {
                e["url"].rsplit("/", 1)[1]
                for e in emulator.webhooks.phone_events.values()
            }

        async def miss_a_call(caller: str, recorder: Recorder) -> None:
            told = len(recorder.sent)
            seen = len(emulator.webhooks.delivered)
            call_id = emulator.ring(link.extension, caller)
            await until(lambda: len(verdicts) > seen, 5)
            await asyncio.sleep(0.3)
            emulator.hang_up(call_id)
            await until(lambda: len(recorder.sent) > told, 2)

        tasks = [asyncio.create_task(a.run())]
        try:
            await until(lambda: bool(emulator.webhooks.phone_events), 10)
            [token_a] = tokens()
            tasks.append(asyncio.create_task(b.run()))
            await until(lambda: pbx in b._following and b._following[pbx].is_set(), 5)
            assert tokens() == {token_a}  # b registered nothing
            assert await other.store.webhook_token_hash(pbx) == token_hash(token_a)

            await miss_a_call("+74951111111", first)
            assert second.sent == []
            assert set(verdicts) == {"accepted"}

            # The lease moves: b registers anew, a's stream ends with its lease.
            await demo.service.store.release_lease(f"watch:{pbx}", a.holder)
            await b.poll_once(pbx)
            await a.poll_once(pbx)
            # (A's removal may race b's clean-up of what a left: b then
            # registers again, with a new token; wait until it settled.)
            async with asyncio.timeout(15):
                while True:
                    current = tokens()
                    published = await other.store.webhook_token_hash(pbx)
                    if (
                        len(current) == 1
                        and current != {token_a}
                        and len(emulator.webhooks.phone_events) == 5
                        and published == token_hash(next(iter(current)))
                    ):
                        break
                    await asyncio.sleep(0.05)

            await miss_a_call("+74952222222", second)
            assert len(first.sent) == 1
            # A delivery with the old token is refused now.
            assert (
                await relays[1].receive(pbx, token_a, {"EventType": "hangup"})
                == "refused"
            )
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await other.aclose()
        assert emulator.webhooks.phone_events == {}
        assert await demo.service.store.webhook_token_hash(pbx) is None
        # No delivery is left: the leaders' withdrawals took their unread ones; one
        # that arrived meanwhile is removed by the worker that stored it.
        await until_count_is_zero(demo.service.store)


async def until_count_is_zero(store: StateStore) -> None:
    """Wait (at most the relay's answer wait and a little) until no delivery is stored."""
    async with asyncio.timeout(ANSWER_WAIT + 2):
        while True:
            if not await store.webhook_delivery_count():
                return
            await asyncio.sleep(0.05)
