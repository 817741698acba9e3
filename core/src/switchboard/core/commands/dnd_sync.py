"""Chat DND drives PBX DND, for users who opted in (``sync dnd on``).

When the user's chat DND starts, PBX DND switches on; when it ends, PBX DND goes
back to what it was. A change the user made on the PBX in between (by hand, a
``/pbx dnd`` command, a phone's DND key) always wins: if PBX DND is no longer what
we set, it is left alone. The switch runs through the command layer (``dnd on``),
so the policy applies and the audit log records it like a typed command.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from switchboard.core.commands.preferences import SYNC_DND, enabled
from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from switchboard.core.actors import Actor
    from switchboard.core.commands.service import CommandService

_LOGGER = get_logger(__name__)

# What PBX DND was before the chat's DND switched it on: {"pbx", "before", "set"}.
SAVED = "dnd_sync_saved"


async def follow_chat_dnd(
    service: CommandService, actor: Actor, *, active: bool
) -> str | None:
    """Follow the actor's chat DND; return what was done (for logs), or ``None``."""
    if not await enabled(service.store, actor.user_id, SYNC_DND):
        return None
    status, _ = await service.extension_status(actor)
    if status is None or status.dnd is None:
        return None
    if active:
        return await _started(service, actor, dnd=status.dnd)
    return await _ended(service, actor, dnd=status.dnd)


async def _started(service: CommandService, actor: Actor, *, dnd: bool) -> str | None:
    store = service.store
    if await store.setting(actor.user_id, SAVED) is not None:
        return None  # already following this DND period
    link = await service.linked_extension(actor.user_id)
    pbx = link.pbx if link else None
    saved = {"pbx": pbx, "before": dnd, "set": True}
    await store.set_setting(actor.user_id, SAVED, json.dumps(saved))
    if dnd:
        return "PBX DND was already on"
    return (await service.run("dnd on", actor, pbx=pbx)).text


async def _ended(service: CommandService, actor: Actor, *, dnd: bool) -> str | None:
    store = service.store
    saved_text = await store.setting(actor.user_id, SAVED)
    if saved_text is None:
        return None
    saved = json.loads(saved_text)
    await store.set_setting(actor.user_id, SAVED, None)
    if dnd != saved["set"]:
        return "PBX DND was changed by hand meanwhile: left as it is"
    if dnd == saved["before"]:
        return None
    back = "dnd on" if saved["before"] else "dnd off"
    return (await service.run(back, actor, pbx=saved["pbx"])).text
