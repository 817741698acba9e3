"""Admins in Slack: the ``policy.admins`` ids plus a Slack user group.

The core policy knows only the configured ids. ``policy.admin_usergroup`` names
a Slack user group (``S0123...``) whose members are admins too; only the Slack
app can ask Slack who they are, so it plugs this subclass into the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.policy import Policy

if TYPE_CHECKING:
    from switchboard.core.actors import Actor
    from switchboard.core.config import PolicySettings
    from switchboard.slack_app.directory import SlackDirectory


class SlackPolicy(Policy):
    """The core policy, with the admin user group's members as admins."""

    def __init__(self, settings: PolicySettings, directory: SlackDirectory) -> None:
        super().__init__(settings)
        self._directory = directory

    def is_admin(self, actor: Actor) -> bool:
        """Configured admins, and members of the admin user group."""
        return super().is_admin(actor) or self._directory.in_admin_group(actor.user_id)
