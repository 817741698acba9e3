"""The command service: the one entry point Slack and the CLI call.

``reply = await service.run("dnd on for 2h", actor)`` parses, authorises,
executes against the right PBX, audits state changes and renders the answer
for the actor's surface. It never raises for user errors, PBX errors or bad
input; anything unexpected is logged with its traceback and answered politely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from switchboard.core.actors import Actor, Surface
from switchboard.core.capabilities import Capability
from switchboard.core.commands.backends import BackendPool
from switchboard.core.commands.executor import (
    Context,
    Result,
    execute,
    help_data,
    status_data,
)
from switchboard.core.commands.grammar import COMMANDS, Command, HelpCommand
from switchboard.core.commands.parser import CommandSyntaxError, parse_command, shown
from switchboard.core.commands.render import Renderer, slack_escape
from switchboard.core.commands.state import (
    LINK_CACHE_SECONDS,
    PENDING,
    AuditEntry,
    StateStore,
)
from switchboard.core.commands.types import Link, Outcome, Reply
from switchboard.core.config import DEFAULT_DATABASE_URL
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPolicyError,
    SwitchboardTimeoutError,
    SwitchboardUnsupportedError,
)
from switchboard.core.policy import Policy
from switchboard.core.redaction import get_logger, redact_text

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

    from switchboard.core.backend import PbxBackend
    from switchboard.core.config import SwitchboardConfig
    from switchboard.core.models import ExtensionStatus

_LOGGER = get_logger(__name__)

# Errors the user can do something about: answered as REFUSED.
_REFUSALS = (
    SwitchboardInvalidInputError,
    SwitchboardPolicyError,
    SwitchboardUnsupportedError,
    SwitchboardNotFoundError,
    SwitchboardConfigError,
)


# After a write timed out, where to look whether the PBX did it (by command name);
# anything else is checked with ``status``.
CHECK_AFTER_TIMEOUT = {
    "call": "calls",
    "record": "calls",
    "flow": "flow list",
    "hours": "hours",
}

AUDIT_UNAVAILABLE = (
    "Nothing was done: the audit log could not be written, and Switchboard changes "
    "nothing it cannot record. An admin needs to check the state database "
    "([state] database_url)."
)


def _outcome_of(err: SwitchboardError) -> Outcome:
    """Refused (the user can fix it), unknown (a write timed out) or failed."""
    if isinstance(err, _REFUSALS):
        return Outcome.REFUSED
    if isinstance(err, SwitchboardTimeoutError) and err.outcome_unknown:
        return Outcome.UNKNOWN
    return Outcome.FAILED


@dataclass(frozen=True)
class _Target:
    pbx: str
    links: list[Link]


class CommandService:
    """Parse → policy → backend → render, for every front-end.

    Build it with :meth:`create`; close it with :meth:`aclose` (or ``async with``).
    """

    def __init__(
        self,
        config: SwitchboardConfig,
        *,
        backends: BackendPool,
        store: StateStore,
        policy: Policy,
        renderer: Renderer,
    ) -> None:
        self.config = config
        self.backends = backends
        self.store = store
        self.policy = policy
        self.renderer = renderer

    @classmethod
    async def create(
        cls,
        config: SwitchboardConfig,
        *,
        http_client: httpx.AsyncClient | None = None,
        link_cache_seconds: float = LINK_CACHE_SECONDS,
    ) -> Self:
        """Build the service: backends (lazily, one shared client), state, renderer.

        Args:
            config: The configuration.
            http_client: A client to share with every backend (not closed here).
            link_cache_seconds: How long a user's links are cached (0 disables).

        Raises:
            SwitchboardConfigError: The state database cannot be opened.
        """
        store = await StateStore.open(
            config.state.database_url,
            link_cache_seconds=link_cache_seconds,
            source=config.source,
            create_dirs=config.state.database_url == DEFAULT_DATABASE_URL,
        )
        return cls(
            config,
            backends=BackendPool(config, http_client),
            store=store,
            policy=Policy(config.policy),
            renderer=Renderer(config.templates_dir),
        )

    async def aclose(self) -> None:
        """Close the backends, the shared HTTP client (if ours) and the database."""
        await self.backends.aclose()
        await self.store.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- users -----------------------------------------------------------------------

    def is_admin(self, actor: Actor) -> bool:
        """Return whether ``actor`` is an admin (``policy.admins``)."""
        return self.policy.is_admin(actor)

    async def links(self, user_id: str) -> list[Link]:
        """Return the user's links: the state database first, then the config file."""
        links = list(await self.store.links(user_id))
        configured = self.config.users.get(user_id)
        if configured is not None:
            pbx = configured.pbx or self.config.default_pbx
            if all(lk.pbx != pbx for lk in links):
                links.append(Link(user_id, pbx, configured.extension, "config"))
        return links

    async def linked_extension(
        self, user_id: str, pbx: str | None = None
    ) -> Link | None:
        """Return the user's link (on ``pbx``, or on the PBX their commands use)."""
        links = await self.links(user_id)
        wanted = pbx or self._pick_pbx(None, links)
        return next((lk for lk in links if lk.pbx == wanted), None)

    async def link(
        self, actor_user_id: str, pbx: str, extension: str, *, linked_by: str = "system"
    ) -> Link:
        """Link a user to an extension (no policy check: for front-end set-up flows).

        Raises:
            SwitchboardConfigError: No such PBX is configured.
            SwitchboardNotFoundError: No such extension on it.
            SwitchboardError: The PBX could not be asked.
        """
        found = await self.backends.directory(pbx).find(extension)
        link = await self.store.set_link(
            actor_user_id, pbx, found.number, linked_by=linked_by
        )
        await self._audit(
            Actor(actor_user_id),
            pbx=pbx,
            action="link",
            target=f"{actor_user_id} -> {found.number}",
            outcome=Outcome.SUCCESS,
            detail=f"linked by {linked_by}",
        )
        return link

    async def unlink(self, actor_user_id: str, pbx: str | None = None) -> int:
        """Remove the user's links (on ``pbx`` only, when given); return how many."""
        removed = await self.store.delete_links(actor_user_id, pbx)
        await self._audit(
            Actor(actor_user_id),
            pbx=pbx,
            action="unlink",
            target=actor_user_id,
            outcome=Outcome.SUCCESS,
            detail=f"{removed} link(s) removed",
        )
        return removed

    async def link_by_email(self, actor: Actor) -> bool:
        """Link ``actor`` to the extension carrying their e-mail address.

        Returns True when the actor is linked afterwards (or already was).
        PBXs that cannot be reached are skipped (and logged).
        """
        if await self.links(actor.user_id):
            return True
        email = (actor.email or "").strip().casefold()
        if not email:
            return False
        for pbx in self.config.pbx:
            try:
                extensions = await self.backends.directory(pbx).extensions()
            except SwitchboardError as err:
                _LOGGER.warning("Cannot list extensions of %s: %s", pbx, err)
                continue
            for extension in extensions:
                if (extension.email or "").casefold() == email:
                    await self.store.set_link(
                        actor.user_id, pbx, extension.number, linked_by="email"
                    )
                    await self._audit(
                        actor,
                        pbx=pbx,
                        action="link",
                        target=f"{actor.user_id} -> {extension.number}",
                        outcome=Outcome.SUCCESS,
                        detail="linked by matching e-mail address",
                    )
                    return True
        return False

    async def extension_status(
        self, actor: Actor, pbx: str | None = None
    ) -> tuple[ExtensionStatus | None, frozenset[Capability]]:
        """Return the actor's extension status and what their PBX supports.

        The status is ``None`` when the actor is not linked, or their PBX cannot
        show statuses.

        Raises:
            SwitchboardError: The PBX failed (refused our credentials, timed out...);
                the caller says why, in plain words.
        """
        links = await self.links(actor.user_id)
        try:
            name = self._pick_pbx(pbx, links)
            backend = self.backends.get(name)
        except SwitchboardConfigError:
            return None, frozenset()
        link = next((lk for lk in links if lk.pbx == name), None)
        if link is None or not backend.supports(Capability.STATUS):
            return None, backend.capabilities
        try:
            extension = await self.backends.directory(name).find(link.extension)
            return await backend.get_status(extension.id), backend.capabilities
        except SwitchboardError as err:
            _LOGGER.warning(
                "Cannot read the status of %s on %s: %s", link.extension, name, err
            )
            raise

    # -- commands ----------------------------------------------------------------

    def _pick_pbx(self, explicit: str | None, links: list[Link]) -> str:
        if explicit is not None:
            self.config.connection(explicit)  # raises a readable config error
            return explicit
        linked = {lk.pbx for lk in links}
        if not linked or self.config.default_pbx in linked:
            return self.config.default_pbx
        return links[0].pbx

    async def run(self, text: str, actor: Actor, *, pbx: str | None = None) -> Reply:
        """Run one command line for ``actor`` and return the rendered reply.

        Args:
            text: What the user typed (``dnd on for 2h``).
            actor: Who typed it.
            pbx: Run against this configured PBX instead of the actor's own.

        Never raises for bad input, policy refusals or PBX failures.
        """
        command: Command | None = None
        try:
            command = parse_command(text)
            return await self._run(command, actor, pbx)
        except CommandSyntaxError as err:
            return self._error_reply(
                actor, Outcome.REFUSED, err.message, usage_of=err.command
            )
        except SwitchboardError as err:  # raised outside a PBX context (pbx lookup)
            outcome = Outcome.REFUSED if isinstance(err, _REFUSALS) else Outcome.FAILED
            return self._error_reply(
                actor, outcome, self._explain(err), command=command
            )
        except Exception:
            _LOGGER.exception(
                "Unexpected error running a command for %s", actor.user_id
            )
            return self._unexpected_reply(actor, command)

    async def _run(self, command: Command, actor: Actor, explicit: str | None) -> Reply:
        links = await self.links(actor.user_id)
        pbx = self._pick_pbx(explicit, links)
        backend = self.backends.get(pbx)
        if isinstance(command, HelpCommand):
            data = {
                "outcome": Outcome.HELP.value,
                "pbx": pbx,
                "vendor": backend.vendor,
                "command": command.to_dict(),
                **help_data(command.topic, backend.capabilities, backend.display_name),
            }
            text = self._render(
                actor, "help_command" if command.topic else "help", data, pbx
            )
            return Reply(
                Outcome.HELP, text, data, command, None, pbx, backend.capabilities
            )
        ctx = Context(
            actor=actor,
            pbx=pbx,
            backend=backend,
            directory=self.backends.directory(pbx),
            policy=self.policy,
            store=self.store,
            links=links,
            admin=self.policy.is_admin(actor),
        )
        intent: int | None = None
        if command.changes_state:
            # The row comes first: a process killed during the PBX write leaves
            # it pending, never an action nobody can find in the audit log.
            intent = await self._audit_intent(actor, pbx, command)
            if intent is None:
                return self._error_reply(
                    actor,
                    Outcome.FAILED,
                    AUDIT_UNAVAILABLE,
                    command=command,
                    pbx=pbx,
                    supports=backend.capabilities,
                )
        try:
            result = await self._execute(ctx, command, intent)
        except SwitchboardError as err:
            outcome = _outcome_of(err)
            message = self._failure_message(err, outcome, command, actor, backend)
            if intent is not None:
                await self._audit(
                    actor,
                    pbx=pbx,
                    action=command.describe(),
                    target=None,
                    outcome=outcome,
                    detail=message,
                    intent=intent,
                )
            usage = (
                command.name if isinstance(err, SwitchboardInvalidInputError) else None
            )
            return self._error_reply(
                actor,
                outcome,
                message,
                usage_of=usage,
                command=command,
                pbx=pbx,
                supports=backend.capabilities,
            )
        try:
            text = self._render(actor, result.template, result.data, pbx)
        except Exception:
            # The change happened (an operator's template is broken): it is still
            # audited and reported as done, so nobody repeats a dial or a switch.
            _LOGGER.exception("Cannot render the %s template", result.template)
            text = f"Done: {shown(command.describe(), 200)}."
            if actor.surface is Surface.SLACK:
                text = slack_escape(text)
        if intent is not None:
            await self._audit(
                actor,
                pbx=pbx,
                action=command.describe(),
                target=result.target,
                outcome=Outcome.SUCCESS,
                detail=text,
                intent=intent,
            )
        data = {
            "outcome": Outcome.SUCCESS.value,
            "pbx": pbx,
            "vendor": backend.vendor,
            "command": command.to_dict(),
            **result.data,
        }
        if result.status is not None and "status" not in data:
            data["status"] = status_data(result.status)
        return Reply(
            Outcome.SUCCESS,
            text,
            data,
            command,
            result.status,
            pbx,
            backend.capabilities,
        )

    # -- helpers -------------------------------------------------------------------

    async def _execute(
        self, ctx: Context, command: Command, intent: int | None
    ) -> Result:
        """Run ``command``; a crash leaves its audit row unknown, not pending forever."""
        try:
            return await execute(ctx, command)
        except SwitchboardError:
            raise
        except Exception:
            if intent is not None:
                # Something broke after the PBX may have been asked: as far as
                # the audit log can tell, the outcome is unknown.
                await self._audit(
                    ctx.actor,
                    pbx=ctx.pbx,
                    action=command.describe(),
                    target=None,
                    outcome=Outcome.UNKNOWN,
                    detail="An unexpected error stopped the command (see the log).",
                    intent=intent,
                )
            raise

    def _render(
        self, actor: Actor, template: str, data: dict[str, Any], pbx: str | None
    ) -> str:
        context: dict[str, Any] = {
            "actor": actor.label,
            "pbx": pbx or "",
            "vendor": self.backends.get(pbx).display_name if pbx else "",
            "prefix": "/pbx " if actor.surface is Surface.SLACK else "switchboard ",
        }
        context.update(data)
        return self.renderer.render(actor.surface, template, **context)

    @staticmethod
    def _explain(err: SwitchboardError) -> str:
        if isinstance(err, SwitchboardAuthError) and err.reauth_needed:
            return (
                f"{err.message} An admin needs to check the PBX credentials in the "
                "Switchboard configuration."
            )
        if isinstance(err, SwitchboardTimeoutError):
            return f"{err.message} Please try again in a moment."
        return redact_text(err.message)

    def _failure_message(
        self,
        err: SwitchboardError,
        outcome: Outcome,
        command: Command,
        actor: Actor,
        backend: PbxBackend,
    ) -> str:
        """The sentence for a failed command; a timed-out change says what to check.

        A change that is safe to repeat (an explicit-state setter, or a request
        that never left) says so; one that is not (``Outcome.UNKNOWN``) asks to
        check first.
        """
        if not (command.changes_state and isinstance(err, SwitchboardTimeoutError)):
            return self._explain(err)
        prefix = "/pbx " if actor.surface is Surface.SLACK else "switchboard "
        check = f"'{prefix}{CHECK_AFTER_TIMEOUT.get(command.name, 'status')}'"
        then = (
            " before trying again."
            if outcome is Outcome.UNKNOWN
            else "; trying again is safe."
        )
        return (
            f"{err.message} The outcome is unknown: {backend.display_name} may have "
            f"done it. Check with {check}{then}"
        )

    def _error_reply(  # noqa: PLR0913 - all keyword but the essentials
        self,
        actor: Actor,
        outcome: Outcome,
        message: str,
        *,
        usage_of: str | None = None,
        command: Command | None = None,
        pbx: str | None = None,
        supports: frozenset[Capability] = frozenset(),
    ) -> Reply:
        spec = COMMANDS.get(usage_of) if usage_of else None
        data: dict[str, Any] = {
            "outcome": outcome.value,
            "pbx": pbx,
            "error": message,
            "usage": list(spec.usage) if spec else [],
            "command": command.to_dict() if command else None,
        }
        try:
            text = self._render(actor, "error", data, None)
        except Exception:
            _LOGGER.exception("Cannot render the error template")
            text = message
        return Reply(outcome, text, data, command, None, pbx, supports)

    def _unexpected_reply(self, actor: Actor, command: Command | None) -> Reply:
        what = f" while running '{shown(command.name)}'" if command else ""
        message = (
            f"Something went wrong on our side{what}. It has been logged; "
            "please try again, or tell your admin if it keeps happening."
        )
        return self._error_reply(actor, Outcome.FAILED, message, command=command)

    @staticmethod
    def _entry(  # noqa: PLR0913 - one column each
        actor: Actor,
        *,
        pbx: str | None,
        action: str,
        target: str | None,
        outcome: str,
        detail: str,
    ) -> AuditEntry:
        return AuditEntry(
            at=datetime.now(UTC),
            user_id=actor.user_id,
            user_name=actor.label,
            surface=actor.surface.value,
            pbx=pbx,
            action=action[:64],
            target=target,
            outcome=outcome,
            detail=detail[:2000],
        )

    async def _audit_intent(
        self, actor: Actor, pbx: str, command: Command
    ) -> int | None:
        """Write the pending row of ``command``; ``None`` when it cannot be written."""
        entry = self._entry(
            actor,
            pbx=pbx,
            action=command.describe(),
            target=None,
            outcome=PENDING,
            detail="",
        )
        try:
            return await self.store.audit(entry)
        except Exception:
            _LOGGER.exception(
                "Could not write the audit log entry for %s", entry.action
            )
            return None

    async def _audit(  # noqa: PLR0913 - one column each
        self,
        actor: Actor,
        *,
        pbx: str | None,
        action: str,
        target: str | None,
        outcome: Outcome,
        detail: str,
        intent: int | None = None,
    ) -> None:
        """Write a finished entry, or complete the pending row ``intent``."""
        if intent is not None:
            try:
                await self.store.complete_audit(
                    intent, outcome=outcome.value, target=target, detail=detail[:2000]
                )
            except Exception:
                # The row stays pending (outcome unknown), which is the truth as
                # far as the audit log can tell; the user still gets the answer.
                _LOGGER.exception(
                    "Could not complete the audit log entry for %s", action
                )
            return
        entry = self._entry(
            actor,
            pbx=pbx,
            action=action,
            target=target,
            outcome=outcome.value,
            detail=detail,
        )
        try:
            await self.store.audit(entry)
        except Exception:
            # An audit failure must not hide the answer from the user; it is
            # logged loudly so an operator notices.
            _LOGGER.exception("Could not write the audit log entry for %s", action)
