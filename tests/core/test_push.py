"""The push capability's shared parts: reconnection waits, and who offers a stream."""

from __future__ import annotations

import random

import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.errors import SwitchboardUnsupportedError
from switchboard.core.push import RECONNECT_FIRST, RECONNECT_LONGEST, reconnect_delay
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
