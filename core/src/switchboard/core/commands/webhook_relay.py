"""Webhooks that any worker receives and the leader reads, through the state database.

A vendor that pushes by webhook (Telphin) calls one URL we register; behind a load
balancer, or with workers sharing a port, that call reaches *any* worker, while
only the worker holding the PBX's lease (:mod:`switchboard.core.commands.watcher`)
registered the URL and holds the :class:`~switchboard.core.push.WebhookInbox`
whose secret token the URL ends in. So:

1. the leader registers (``receive_webhooks_at`` + ``push_signals``: the backend
   registers when the stream starts and removes its registrations when it ends)
   and publishes the SHA-256 of its inbox token in the state database -- never the
   token, which stays in its memory and the vendor's registration;
2. the worker a delivery reaches (:meth:`WebhookRelay.receive`) checks the path
   token against that hash in constant time, refuses anything else (nothing stored),
   and stores the form fields;
3. the leader reads the stored deliveries every :data:`DRAIN_INTERVAL` into its
   inbox (:meth:`~switchboard.core.push.WebhookInbox.deliver`, which types them and
   drops repeats) and writes back the verdict; its watcher runs a round at once;
4. the receiving worker waits for that verdict (at most :data:`ANSWER_WAIT`) and
   answers the vendor with it: an event type the inbox does not take is refused
   (404) like a wrong token, and its row is removed at once.

The inbox stays the one place that decides what a delivery is (the event types,
repeats): the receiving workers need to know nothing about the vendor. Rows
nobody answered (a leader that died) are removed after :data:`DELIVERY_KEPT`.
A single worker goes the same way.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from switchboard.core.push import WebhookVerdict, close_stream
from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Mapping

    from switchboard.core.backend import PbxBackend
    from switchboard.core.commands.state import StateStore
    from switchboard.core.push import PushSignal, WebhookInbox

_LOGGER = get_logger(__name__)

# Webhook URLs are ``{public_url}{WEBHOOK_PATH}/{pbx}/{token}``.
WEBHOOK_PATH = "/switchboard/webhooks"
# How often the leader reads the stored deliveries of its PBX (a pushed missed
# call reaches its user within about this long plus one reading of the calls).
DRAIN_INTERVAL = 0.2
# How long the receiving worker waits for the leader's verdict before answering
# 200 anyway (the leader reads the row when it can; a new leader has a new token).
ANSWER_WAIT = 3.0
VERDICT_POLL = 0.05
# Deliveries nobody answered are removed after this long (the leader checks every
# CLEANUP_EVERY).
DELIVERY_KEPT = timedelta(minutes=10)
CLEANUP_EVERY = 60.0


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of an inbox token: what the state database holds."""
    return hashlib.sha256(token.encode()).hexdigest()


class WebhookRelay:
    """Receives webhooks in any worker and hands them to the leader's inbox.

    Args:
        store: The state database every worker shares.
        public_url: Where the internet reaches this server (no trailing slash).
        pbx_names: The configured PBXs (deliveries for others are refused).
    """

    def __init__(
        self, store: StateStore, public_url: str, pbx_names: Iterable[str]
    ) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/")
        self.pbx_names = frozenset(pbx_names)

    def __repr__(self) -> str:
        return f"WebhookRelay({self.public_url!r}, pbx={sorted(self.pbx_names)})"

    def url_for(self, pbx: str) -> str:
        """The URL the vendor calls for ``pbx``, before the secret token."""
        return f"{self.public_url}{WEBHOOK_PATH}/{quote(pbx, safe='')}/"

    # -- any worker: the HTTP route ---------------------------------------------------

    async def receive(
        self, pbx: str, token: str, fields: Mapping[str, str]
    ) -> WebhookVerdict:
        """Take one webhook call for ``pbx``; return the leader's verdict.

        Refused at once (nothing stored) when the PBX is unknown, nobody receives
        its webhooks, or the token does not match the published hash.
        """
        if pbx not in self.pbx_names:
            return WebhookVerdict.REFUSED
        published = await self.store.webhook_token_hash(pbx)
        if published is None or not hmac.compare_digest(
            token_hash(token).encode(), published.encode()
        ):
            return WebhookVerdict.REFUSED
        delivery = await self.store.store_webhook_delivery(pbx, published, dict(fields))
        deadline = time.monotonic() + ANSWER_WAIT
        while time.monotonic() < deadline:
            verdict = await self.store.webhook_verdict(delivery)
            if verdict is not None:
                await self.store.delete_webhook_deliveries(delivery_id=delivery)
                return WebhookVerdict(verdict)
            await asyncio.sleep(VERDICT_POLL)
        if await self.store.webhook_token_hash(pbx) != published:
            # The leader that registered this token is gone (it withdrew between
            # our check and our row): nobody will read the row; its successor's
            # first reading heals what it announced.
            await self.store.delete_webhook_deliveries(delivery_id=delivery)
        return WebhookVerdict.ACCEPTED

    # -- the leader ---------------------------------------------------------------------

    async def lead(
        self, pbx: str, backend: PbxBackend, holder: str
    ) -> AsyncIterator[PushSignal]:
        """Register ``pbx``'s webhooks and yield what they announce, until closed.

        Closing (the lease lost, a shutdown) ends the backend's stream, which
        removes the registrations, and withdraws the published hash.
        """
        inbox = backend.receive_webhooks_at(self.url_for(pbx))
        digest = token_hash(inbox.token)
        await self.store.publish_webhook_inbox(pbx, holder, digest)
        drain = asyncio.create_task(
            self._drain(pbx, digest, inbox), name=f"switchboard:webhooks:{pbx}"
        )
        signals = backend.push_signals()
        try:
            async for signal in signals:
                yield signal
        finally:
            await close_stream(signals)  # the backend removes its registrations
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)
            try:
                await self.store.withdraw_webhook_inbox(pbx, holder)
            except Exception:  # noqa: BLE001 - a stale hash matches no registration
                _LOGGER.warning("Could not withdraw the webhook inbox of %s", pbx)

    async def _drain(self, pbx: str, digest: str, inbox: WebhookInbox) -> None:
        cleaned = 0.0
        while True:
            try:
                await self.drain_once(pbx, digest, inbox)
                if time.monotonic() - cleaned >= CLEANUP_EVERY:
                    cleaned = time.monotonic()
                    await self.store.delete_webhook_deliveries(
                        before=datetime.now(UTC) - DELIVERY_KEPT
                    )
            except Exception:
                _LOGGER.exception("Reading the webhooks of %s failed", pbx)
            await asyncio.sleep(DRAIN_INTERVAL)

    async def drain_once(self, pbx: str, digest: str, inbox: WebhookInbox) -> int:
        """Hand the stored deliveries to ``inbox``; return how many it accepted."""
        deliveries = await self.store.pending_webhook_deliveries(pbx, digest)
        if not deliveries:
            return 0
        # The route checked the token against the hash of this inbox's token.
        verdicts = {d.id: inbox.deliver(inbox.token, d.fields) for d in deliveries}
        await self.store.set_webhook_verdicts(
            {key: verdict.value for key, verdict in verdicts.items()}
        )
        return sum(v is WebhookVerdict.ACCEPTED for v in verdicts.values())
