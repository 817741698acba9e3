"""Per-user switches kept in the state database, with their defaults.

``/pbx notify missed on|off`` and ``/pbx sync dnd on|off`` set them; the watcher and
the Slack DND listener read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from switchboard.core.commands.state import StateStore

NOTIFY_MISSED = "notify_missed"
"""Missed-call messages: on unless the user switched them off."""
SYNC_DND = "sync_dnd"
"""Slack snooze drives PBX DND: off unless the user opted in."""
SYNC_PRESENCE = "sync_presence"
"""Slack status drives PBX presence (``[slack] status_presence``): off unless opted in."""

_DEFAULTS = {NOTIFY_MISSED: True, SYNC_DND: False, SYNC_PRESENCE: False}


async def enabled(store: StateStore, user_id: str, key: str) -> bool:
    """Return whether the user's switch ``key`` is on (its default when never set)."""
    value = await store.setting(user_id, key)
    return _DEFAULTS[key] if value is None else value == "on"


async def switch(store: StateStore, user_id: str, key: str, *, on: bool) -> None:
    """Set the user's switch ``key``."""
    await store.set_setting(user_id, key, "on" if on else "off")
