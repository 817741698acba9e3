"""Forwarding rules on PBXware's call forwarding configuration (pure functions).

Seed 003, "Call Forwarding": ``configuration`` answers the ``enabled``
conditions with per-condition ``destinations`` and ``timeouts``; ``edit`` takes
the whole configuration back. A rule is one enabled condition with a destination.
"""

from __future__ import annotations

from switchboard.core.models import ForwardCondition, ForwardRule
from switchboard.plugins.pbxware.const import NO_ANSWER_DEFAULT_TIMEOUT_SECONDS
from switchboard.plugins.pbxware.models import (
    CallForwardCondition,
    CallForwardConfiguration,
)

# The switchboard words for PBXware's conditions ("Call Forwarding -> edit":
# unconditional|busy|no answer|line unavailable).
FORWARD_CONDITIONS: dict[ForwardCondition, CallForwardCondition] = {
    ForwardCondition.ALL: CallForwardCondition.UNCONDITIONAL,
    ForwardCondition.BUSY: CallForwardCondition.BUSY,
    ForwardCondition.NO_ANSWER: CallForwardCondition.NO_ANSWER,
    ForwardCondition.UNAVAILABLE: CallForwardCondition.LINE_UNAVAILABLE,
}


def rules_of(config: CallForwardConfiguration) -> tuple[ForwardRule, ...]:
    """Return the enabled conditions that have a destination, as rules."""
    rules = []
    for condition, wire in FORWARD_CONDITIONS.items():
        targets = config.destinations_for(wire)
        if wire not in config.enabled or not targets:
            continue
        ring = config.timeouts_for(wire)[0]
        timeout = int(ring) if ring.isdigit() else None
        rules.append(
            ForwardRule(
                condition=condition,
                number=targets[0],
                timeout_seconds=timeout
                if condition is ForwardCondition.NO_ANSWER
                else None,
            )
        )
    return tuple(rules)


def with_rule(
    config: CallForwardConfiguration,
    condition: ForwardCondition,
    target: str | None,
    timeout_seconds: int | None,
) -> CallForwardConfiguration:
    """Return ``config`` with one condition set to ``target`` (``None``: off).

    Everything else stays: the other conditions, their destinations and
    ``play``/``cid``. Off only takes the condition out of ``enabled``, so its
    destination is kept for next time.
    """
    wire = FORWARD_CONDITIONS[condition]
    enabled = {c for c in config.enabled if c is not wire}
    destinations = dict(config.destinations)
    timeouts = dict(config.timeouts)
    if target is not None:
        enabled.add(wire)
        destinations[wire] = [target]
        timeouts[wire] = [_ring_time(wire, config, timeout_seconds)]
    return CallForwardConfiguration(
        play=config.play,
        cid=config.cid,
        enabled=[c for c in CallForwardCondition if c in enabled],
        destinations=destinations,
        timeouts=timeouts,
    )


def _ring_time(
    wire: CallForwardCondition,
    config: CallForwardConfiguration,
    timeout_seconds: int | None,
) -> str:
    """The timeout sent with a rule's destination: only no-answer rings first."""
    if wire is not CallForwardCondition.NO_ANSWER:
        return ""
    if timeout_seconds is not None:
        return str(timeout_seconds)
    current = config.timeouts_for(wire)
    if current and current[0].isdigit():
        return current[0]
    return str(NO_ANSWER_DEFAULT_TIMEOUT_SECONDS)
