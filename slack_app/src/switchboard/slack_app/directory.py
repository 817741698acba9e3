"""What Slack knows about people: e-mail addresses and the admin user group.

Both are looked up through the Web API and cached for a few minutes, so a busy
channel does not cost one ``users.info`` call per command; look-ups of the same
thing that overlap (a burst of commands from someone not linked yet) share one
call. Failures are logged and treated as "unknown": a missing e-mail only means
no automatic link.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from switchboard.core.redaction import get_logger
from switchboard.core.shared_reads import SharedReads

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

_LOGGER = get_logger(__name__)

CACHE_SECONDS = 300.0
_LOOKUP_ERRORS = (SlackApiError, SlackClientError, aiohttp.ClientError, OSError)


class SlackDirectory:
    """Cached look-ups of user e-mails and admin-group members."""

    def __init__(
        self,
        admin_usergroup: str | None = None,
        *,
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self.admin_usergroup = admin_usergroup
        self._ttl = cache_seconds
        self._emails: dict[str, tuple[float, str | None]] = {}
        self._group: tuple[float, frozenset[str]] | None = None
        self._emails_in_flight: SharedReads[str | None] = SharedReads()
        self._group_in_flight: SharedReads[None] = SharedReads()

    async def email(self, client: AsyncWebClient, user_id: str) -> str | None:
        """Return the user's profile e-mail (needs the ``users:read.email`` scope)."""
        cached = self._emails.get(user_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return await self._emails_in_flight.read(
            user_id, partial(self._look_up_email, client, user_id)
        )

    async def _look_up_email(self, client: AsyncWebClient, user_id: str) -> str | None:
        now = time.monotonic()
        email: str | None = None
        try:
            response = await client.users_info(user=user_id)
        except _LOOKUP_ERRORS as err:
            _LOGGER.warning("Could not look up Slack user %s: %s", user_id, err)
            return None
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        value = profile.get("email")
        if isinstance(value, str) and "@" in value:
            email = value
        self._emails[user_id] = (now + self._ttl, email)
        return email

    def in_admin_group(self, user_id: str) -> bool:
        """Whether the user was in the admin user group at the last look-up."""
        return self._group is not None and user_id in self._group[1]

    async def refresh_admin_group(self, client: AsyncWebClient) -> None:
        """Re-read the admin user group's members when the cached list is stale."""
        if not self.admin_usergroup:
            return
        if self._group is not None and self._group[0] > time.monotonic():
            return
        group = self.admin_usergroup
        await self._group_in_flight.read(
            group, partial(self._read_admin_group, client, group)
        )

    async def _read_admin_group(self, client: AsyncWebClient, group: str) -> None:
        now = time.monotonic()
        try:
            response = await client.usergroups_users_list(usergroup=group)
        except _LOOKUP_ERRORS as err:
            # Keep the last known members rather than locking admins out; try
            # again on the next command.
            _LOGGER.warning("Could not read the admin user group %s: %s", group, err)
            return
        members = frozenset(str(u) for u in response.get("users") or [])
        self._group = (now + self._ttl, members)
