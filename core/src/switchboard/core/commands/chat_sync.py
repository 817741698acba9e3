"""Chat state drives the PBX, for users who opted in: DND, and status → presence.

``sync dnd on``: when the user's chat DND starts, PBX DND switches on; when it ends,
PBX DND goes back to what it was. ``sync presence on`` (with a configured mapping,
``[slack] status_presence``): a chat status such as :palm_tree: sets the mapped
presence; clearing it sets the presence back.

A change the user made on the PBX in between (by hand, a ``/pbx`` command, a phone's
DND key) always wins: if the PBX no longer shows what we set, it is left alone. Every
switch runs through the command layer (``dnd on``, ``presence holiday``), so the
policy applies and the audit log records it like a typed command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from switchboard.core.commands.preferences import SYNC_DND, SYNC_PRESENCE, enabled

if TYPE_CHECKING:
    from collections.abc import Callable

    from switchboard.core.actors import Actor
    from switchboard.core.commands.service import CommandService
    from switchboard.core.models import ExtensionStatus


@dataclass(frozen=True)
class Follower:
    """What one kind of chat state drives on the PBX.

    Attributes:
        switch: The user's opt-in (a preference key).
        saved: Where the PBX value from before is kept while the chat state lasts.
        read: The PBX value now, as command text (``None``: the vendor does not say).
        command: The command that sets a value.
    """

    switch: str
    saved: str
    read: Callable[[ExtensionStatus], str | None]
    command: Callable[[str], str]


def _dnd(status: ExtensionStatus) -> str | None:
    return None if status.dnd is None else ("on" if status.dnd else "off")


def _presence(status: ExtensionStatus) -> str | None:
    return None if status.presence is None else status.presence.value


DND = Follower(SYNC_DND, "dnd_sync_saved", _dnd, lambda value: f"dnd {value}")
PRESENCE = Follower(
    SYNC_PRESENCE, "presence_sync_saved", _presence, lambda value: f"presence {value}"
)


LEFT_ALONE = "changed on the PBX meanwhile: left as it is"


def plan(
    saved: dict[str, Any] | None, current: str, wanted: str | None, pbx: str | None
) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """Decide: what to keep saved, the value to set (``None``: nothing), and a note.

    ``saved`` holds the PBX value from before the chat state (``before``), the one
    we set (``set``) and the PBX; ``wanted`` is ``None`` when the chat state ended.
    """
    if wanted is None:
        if saved is None:
            return None, None, None
        if current != saved["set"]:
            return None, None, LEFT_ALONE
        return None, saved["before"] if current != saved["before"] else None, None
    if saved is None:
        saved = {"pbx": pbx, "before": current}
    elif current != saved["set"]:
        return saved, None, LEFT_ALONE
    return {**saved, "set": wanted}, wanted if current != wanted else None, None


async def follow_chat(
    service: CommandService, actor: Actor, follower: Follower, wanted: str | None
) -> str | None:
    """Make the PBX follow the actor's chat state; return what was done, or ``None``.

    Args:
        service: The command service.
        actor: The chat user.
        follower: DND or presence.
        wanted: The value the chat state asks for (``on``, ``holiday``), or ``None``
            when the chat state ended (the PBX goes back).
    """
    store = service.store
    if not await enabled(store, actor.user_id, follower.switch):
        return None
    status, _ = await service.extension_status(actor)
    current = None if status is None else follower.read(status)
    if current is None:
        return None
    text = await store.setting(actor.user_id, follower.saved)
    saved = None if text is None else json.loads(text)
    link = await service.linked_extension(actor.user_id)
    keep, value, note = plan(saved, current, wanted, link.pbx if link else None)
    if keep != saved:
        await store.set_setting(
            actor.user_id, follower.saved, None if keep is None else json.dumps(keep)
        )
    if value is None:
        return note
    pbx = (keep or saved or {}).get("pbx")
    return (await service.run(follower.command(value), actor, pbx=pbx)).text
