"""Telphin's call webhooks: registered at setup, removed at unload, received once.

Per the vendor reference §4.5 ("Webhooks (per extension)"): ``POST
/extension/{id}/event/`` with ``{url, method, event_type}`` for ``dial-in``,
``dial-out``, ``answer`` and ``hangup``; ``DELETE /extension/{id}/event/{id}``
removes one. The PBX then calls the URL with form fields (``EventType``, ``CallID``,
``CallerIDNum``…).

The URL registered is the front-end's receiving address followed by a secret
token, new for every registration (:class:`~switchboard.core.push.WebhookInbox`).
Registering first removes any of our registrations an earlier run left behind (a
crash, a reload): they start with the same address and carry an older token, so
nothing of ours is orphaned at the vendor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.errors import SwitchboardError
from switchboard.core.push import PushKind, WebhookInbox
from switchboard.core.redaction import get_logger
from switchboard.plugins.telphin.const import (
    DISPLAY_NAME,
    WEBHOOK_CALL_EVENTS,
    WEBHOOK_TYPE_FIELD,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from switchboard.plugins.telphin.client import TelphinClient

_LOGGER = get_logger(__name__)


class TelphinWebhooks:
    """The call webhooks of one account, received under ``base_url``.

    Args:
        client: The account's client.
        base_url: Where the front-end receives; the secret token is appended
            as is (``…/hooks/`` gives ``…/hooks/<token>``).
    """

    def __init__(self, client: TelphinClient, base_url: str) -> None:
        self._client = client
        self._base = base_url
        self.inbox = WebhookInbox(
            dict.fromkeys(WEBHOOK_CALL_EVENTS, PushKind.CALLS), WEBHOOK_TYPE_FIELD
        )
        self._registered: list[tuple[str, int]] = []

    def __repr__(self) -> str:
        return f"TelphinWebhooks(registered={len(self._registered)})"

    @property
    def url(self) -> str:
        """The URL registered at the vendor (secret: never logged)."""
        return f"{self._base}{self.inbox.token}"

    async def register(self, extension_ids: Iterable[str]) -> None:
        """Remove what an earlier run left, then register every call event."""
        for extension_id in extension_ids:
            for old in await self._client.list_events(extension_id):
                if old.url.startswith(self._base):
                    await self._client.delete_event(extension_id, old.id)
            for event_type in WEBHOOK_CALL_EVENTS:
                created = await self._client.add_event(
                    extension_id, self.url, event_type
                )
                self._registered.append((extension_id, created.id))
        _LOGGER.debug("%s webhooks registered: %d", DISPLAY_NAME, len(self._registered))

    async def unregister(self) -> None:
        """Remove every registration this run made (what fails, the next run removes)."""
        while self._registered:
            extension_id, event_id = self._registered.pop()
            try:
                await self._client.delete_event(extension_id, event_id)
            except SwitchboardError as err:
                _LOGGER.warning(
                    "Could not remove a %s webhook of extension %s: %s",
                    DISPLAY_NAME,
                    extension_id,
                    err,
                )
