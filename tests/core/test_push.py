"""The push capability's shared parts: reconnection waits, and who offers a stream."""

from __future__ import annotations

import random

import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.errors import SwitchboardUnsupportedError
from switchboard.core.push import (
    RECONNECT_FIRST,
    RECONNECT_LONGEST,
    PushKind,
    WebhookInbox,
    WebhookVerdict,
    reconnect_delay,
)
from switchboard.core.registry import available_vendors


def test_reconnection_waits_double_with_jitter_up_to_the_longest() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(RECONNECT_LONGEST, RECONNECT_FIRST * 2 ** (attempt - 1))
        delays = {reconnect_delay(attempt, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1, "jittered: no two clients wait alike"
    assert reconnect_delay(100, rng) <= RECONNECT_LONGEST


@pytest.mark.parametrize("vendor", ["pbxware", "mirta"])
def test_a_polled_vendor_says_it_cannot_push(vendor: str) -> None:
    plugin = available_vendors()[vendor]
    backend = plugin.create_backend(plugin.demo_settings("http://127.0.0.1:9"))
    assert not backend.supports(Capability.PUSH)
    with pytest.raises(SwitchboardUnsupportedError, match="cannot push changes"):
        backend.push_signals()


async def test_an_inbox_reads_the_event_type_from_more_than_one_field() -> None:
    """Each field names its own types; the first field that names a known one decides."""
    inbox = WebhookInbox(
        {
            "Kind": {"ring": PushKind.CALLS},
            "kind": {"changed": PushKind.STATUS, "ring": PushKind.STATUS},
        }
    )
    ring = {"Kind": "ring", "id": "1"}
    changed = {"kind": "changed", "who": "7"}
    assert inbox.deliver(inbox.token, ring) is WebhookVerdict.ACCEPTED
    assert inbox.deliver(inbox.token, changed) is WebhookVerdict.ACCEPTED
    assert inbox.deliver(inbox.token, dict(changed)) is WebhookVerdict.DUPLICATE
    assert inbox.deliver(inbox.token, {"Kind": "changed"}) is WebhookVerdict.REFUSED
    assert inbox.deliver(inbox.token, {"other": "ring"}) is WebhookVerdict.REFUSED
    assert inbox.deliver(inbox.token[:-1], {"Kind": "ring", "id": "2"}) is (
        WebhookVerdict.REFUSED
    )
    # Both fields present: the first of ``kinds`` decides.
    assert inbox.kind_of({"kind": "ring", "Kind": "ring"}) is PushKind.CALLS
    first = await inbox.next_delivery()
    assert (first.signal.kind, dict(first.fields)) == (PushKind.CALLS, ring)
    second = await inbox.next_delivery()
    assert (second.signal.kind, second.fields["who"]) == (PushKind.STATUS, "7")
    assert inbox.token not in repr(inbox)
    assert repr(inbox) == "WebhookInbox(kinds=['changed', 'ring'])"
