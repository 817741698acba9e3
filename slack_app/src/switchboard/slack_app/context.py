"""What every listener needs, injected once into Bolt's request context.

Listeners acknowledge first and then hand the slow part (PBX, Slack Web API) to
:meth:`Switchboard.spawn`, which runs it as a tracked background task. That
keeps the ack path free of PBX work, keeps a strong reference to every task
(asyncio only holds weak ones), logs failures with their traceback, and lets
the app finish in-flight work on shutdown (:meth:`Switchboard.drain`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from switchboard.core.actors import Actor, Surface
from switchboard.core.redaction import get_logger
from switchboard.slack_app.reply_urls import SLACK_REPLY_ORIGINS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from aiohttp import ClientSession
    from slack_bolt.context.async_context import AsyncBoltContext
    from slack_sdk.web.async_client import AsyncWebClient

    from switchboard.core.commands import CommandService
    from switchboard.slack_app.directory import SlackDirectory

_LOGGER = get_logger(__name__)

CONTEXT_KEY = "switchboard"
DRAIN_SECONDS = 10.0


@dataclass(eq=False)
class Switchboard:
    """The core command service plus the Slack-side helpers.

    Attributes:
        service: The shared command layer (parse, policy, PBX, render).
        directory: Cached Slack look-ups (e-mails, the admin user group).
        default_region: Region for numbers written without a country code.
        http: The pooled aiohttp session for answers and Web API calls.
        reply_origins: The only origins answers to response URLs may go to.
    """

    service: CommandService
    directory: SlackDirectory
    default_region: str = "DK"
    http: ClientSession | None = None
    reply_origins: tuple[str, ...] = SLACK_REPLY_ORIGINS
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        # Bolt copies request contexts in places; the service is never copied.
        return self

    # -- background work -------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``work`` after the ack; its failures are logged, never lost."""
        task = asyncio.get_running_loop().create_task(work, name=f"switchboard:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            _LOGGER.error("Background work %s failed", task.get_name(), exc_info=error)

    @property
    def pending(self) -> int:
        """How many background tasks are still running."""
        return len(self._tasks)

    async def drain(self, within: float = DRAIN_SECONDS) -> None:
        """Let in-flight work finish (answers reach users); cancel what overruns."""
        if not self._tasks:
            return
        _done, late = await asyncio.wait(set(self._tasks), timeout=within)
        for task in late:
            task.cancel()
        if late:
            _LOGGER.warning(
                "Cancelled %d unfinished Slack answer(s) on shutdown", len(late)
            )
            await asyncio.wait(late)

    # -- users -------------------------------------------------------------------

    async def actor(
        self,
        client: AsyncWebClient,
        user_id: str,
        name: str = "",
        *,
        with_email: bool = False,
    ) -> Actor:
        """Build the actor for a Slack user, linking them by e-mail on first use.

        A user without a link costs one ``users.info`` call (cached); once the
        e-mail matched an extension, later commands need no Slack look-up.
        ``with_email`` looks the e-mail up for linked users too: ``link EXT``
        accepts an extension carrying the user's own e-mail, also on re-linking.
        """
        # The admin group (cached for minutes; the policy reads its members
        # synchronously) and the user's link are independent: read both at once.
        _, link = await asyncio.gather(
            self.directory.refresh_admin_group(client),
            self.service.linked_extension(user_id),
        )
        email: str | None = None
        if link is None or with_email:
            email = await self.directory.email(client, user_id)
        if link is None and email:
            actor = Actor(user_id, name, Surface.SLACK, email)
            if await self.service.link_by_email(actor):
                _LOGGER.info("Linked Slack user %s by e-mail", user_id)
        return Actor(user_id, name, Surface.SLACK, email)


def switchboard(context: AsyncBoltContext) -> Switchboard:
    """Return the holder the middleware put into the context."""
    holder = context.get(CONTEXT_KEY)
    if not isinstance(holder, Switchboard):
        msg = "the Switchboard middleware did not run for this request"
        raise TypeError(msg)
    return holder


def injector(
    holder: Switchboard,
) -> Callable[[AsyncBoltContext, Callable[[], Awaitable[None]]], Awaitable[None]]:
    """A global middleware that puts ``holder`` into every request's context."""

    async def inject_switchboard(
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[None]],  # noqa: A002 - Bolt injects by this name
    ) -> None:
        context[CONTEXT_KEY] = holder
        await next()

    return inject_switchboard
