"""Telphin's webhooks: registered once for the whole PBX, removed at unload, received once.

Client-wide (vendor reference "Webhooks (client-wide)"; Telphin page "Global
events of all telephone terminals in PBX",
https://ucom4b.atlassian.net/wiki/spaces/RACD/pages/247824385): ``POST
/client/{client_id}/phone_events/`` with ``{url, event_type, method}`` adds an
event to every phone extension, including those created later. One registration
per event type, whatever the number of extensions: ``dial-in``, ``dial-out``,
``answer``, ``hangup`` (callbacks name their type in ``EventType``) and, where
DND is a call status, ``extension-call-status`` (its callbacks name theirs in
``event_type``: ``call-status-change``).

The URL registered is the front-end's receiving address followed by a secret
token, new for every registration (:class:`~switchboard.core.push.WebhookInbox`).
Registering first removes any client-wide registration of ours an earlier run
left behind (a crash, a reload): they start with the same address and carry an
older token, so nothing of ours is orphaned at the vendor. Per-extension
registrations (``/extension/{id}/event/``) are not used; those an earlier
version left after a crash are not looked for (one request per extension).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.errors import SwitchboardError
from switchboard.core.push import PushKind, WebhookInbox
from switchboard.core.redaction import get_logger
from switchboard.plugins.telphin.const import (
    DISPLAY_NAME,
    WEBHOOK_CALL_EVENTS,
    WEBHOOK_STATUS_CHANGE,
    WEBHOOK_STATUS_EVENT,
    WEBHOOK_STATUS_TYPE_FIELD,
    WEBHOOK_TYPE_FIELD,
)

if TYPE_CHECKING:
    from switchboard.plugins.telphin.client import TelphinClient

_LOGGER = get_logger(__name__)


class TelphinWebhooks:
    """The client-wide webhooks of one account, received under ``base_url``.

    Args:
        client: The account's client.
        base_url: Where the front-end receives; the secret token is appended
            as is (``…/hooks/`` gives ``…/hooks/<token>``).
        status: Also register call-status changes (our DND): only worth it when
            DND is a call status, else each change would cost a refresh for nothing.
    """

    def __init__(
        self, client: TelphinClient, base_url: str, *, status: bool = True
    ) -> None:
        self._client = client
        self._base = base_url
        self.event_types = WEBHOOK_CALL_EVENTS + (
            (WEBHOOK_STATUS_EVENT,) if status else ()
        )
        kinds = {WEBHOOK_TYPE_FIELD: dict.fromkeys(WEBHOOK_CALL_EVENTS, PushKind.CALLS)}
        if status:
            kinds[WEBHOOK_STATUS_TYPE_FIELD] = {WEBHOOK_STATUS_CHANGE: PushKind.STATUS}
        self.inbox = WebhookInbox(kinds)
        self._registered: list[int] = []

    def __repr__(self) -> str:
        return f"TelphinWebhooks(registered={len(self._registered)})"

    @property
    def url(self) -> str:
        """The URL registered at the vendor (secret: never logged)."""
        return f"{self._base}{self.inbox.token}"

    async def register(self) -> None:
        """Remove what an earlier run left, then register every event type once."""
        for old in await self._client.list_phone_events():
            if old.url.startswith(self._base):
                await self._client.delete_phone_event(old.id)
        for event_type in self.event_types:
            created = await self._client.add_phone_event(self.url, event_type)
            self._registered.append(created.id)
        _LOGGER.debug("%s webhooks registered: %d", DISPLAY_NAME, len(self._registered))

    async def unregister(self) -> None:
        """Remove every registration this run made (what fails, the next run removes)."""
        while self._registered:
            event_id = self._registered.pop()
            try:
                await self._client.delete_phone_event(event_id)
            except SwitchboardError as err:
                _LOGGER.warning("Could not remove a %s webhook: %s", DISPLAY_NAME, err)
