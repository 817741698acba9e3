"""Run a parsed command against a PBX: capability check, policy, backend call.

Each handler returns a :class:`Result` (a template name and JSON-able data) or
raises a :class:`~switchboard.core.errors.SwitchboardError`; the service turns both into a
:class:`~switchboard.core.commands.types.Reply`. Capabilities are checked first, so a user
hears what the vendor cannot do before anything else happens.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from switchboard.core.actors import Surface, is_slack_user_id
from switchboard.core.capabilities import Capability
from switchboard.core.commands.grammar import (
    COMMANDS,
    CallCommand,
    CallsCommand,
    Command,
    DndCommand,
    FlowCommand,
    FlowListCommand,
    ForwardCommand,
    HelpCommand,
    HoursCommand,
    HoursListCommand,
    LinkCommand,
    NotifyCommand,
    PresenceCommand,
    RecordCommand,
    ServiceCommand,
    ServiceListCommand,
    StatusCommand,
    SyncCommand,
    UnlinkCommand,
    WhoamiCommand,
)
from switchboard.core.commands.parser import shown, suggest
from switchboard.core.commands.preferences import (
    NOTIFY_MISSED,
    SYNC_DND,
    SYNC_PRESENCE,
    switch,
)
from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import (
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardPolicyError,
)
from switchboard.core.models import ForwardCondition, RecordingAction

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from switchboard.core.actors import Actor
    from switchboard.core.backend import PbxBackend
    from switchboard.core.commands.backends import Directory
    from switchboard.core.commands.state import StateStore
    from switchboard.core.commands.types import Link
    from switchboard.core.models import (
        Extension,
        ExtensionFeature,
        ExtensionStatus,
        FeatureOption,
        FeatureSpec,
        Flow,
        OfficeHours,
    )
    from switchboard.core.policy import Policy


@dataclass
class Context:
    """Everything a handler needs about the actor and the PBX.

    Attributes:
        actor: Who runs the command.
        pbx: The configured PBX name.
        backend: Its backend.
        directory: Its extension directory.
        policy: The rules.
        store: Links and audit.
        links: Every link of the actor (all PBXs).
        admin: Whether the actor is an admin.
    """

    actor: Actor
    pbx: str
    backend: PbxBackend
    directory: Directory
    policy: Policy
    store: StateStore
    links: list[Link]
    admin: bool

    @property
    def link(self) -> Link | None:
        """The actor's link on this PBX."""
        return next((lk for lk in self.links if lk.pbx == self.pbx), None)

    @property
    def vendor(self) -> str:
        """The vendor's display name."""
        return self.backend.display_name


@dataclass
class Result:
    """What a handler produced.

    Attributes:
        template: The template to render.
        data: JSON-able result, also the template's context.
        status: The affected extension after the action.
        target: What was acted on (for the audit log).
    """

    template: str
    data: dict[str, Any] = field(default_factory=dict)
    status: ExtensionStatus | None = None
    target: str | None = None


def status_data(status: ExtensionStatus) -> dict[str, Any]:
    """Return the JSON form of a status."""
    return status.model_dump(mode="json")


async def resolve_target(ctx: Context, explicit: str | None, verb: str) -> Extension:
    """Return the extension a command acts on, enforcing 'your own extension'.

    Raises:
        SwitchboardPolicyError: Not linked, or not the actor's extension.
        SwitchboardNotFoundError: No such extension.
    """
    link = ctx.link
    if explicit is None:
        if link is None:
            extra = (
                f" (or name one, like: {verb.split(maxsplit=1)[0]} ... 201)"
                if ctx.admin
                else ""
            )
            msg = (
                f"You are not linked to an extension on {ctx.pbx}. Ask an admin to "
                f"link you (link EXT @you){extra}."
            )
            raise SwitchboardPolicyError(msg)
        return await ctx.directory.find(link.extension)
    if not ctx.admin and (link is None or link.extension != explicit):
        own = f" ({link.extension})" if link else ""
        msg = f"You can only {verb} your own extension{own}; admins can {verb} any."
        raise SwitchboardPolicyError(msg)
    return await ctx.directory.find(explicit)


def named_user(ctx: Context, user: str | None) -> str:
    """Return the user a link command is about (the actor when none is named).

    Raises:
        SwitchboardInvalidInputError: In Slack, the user was not mentioned.
    """
    if user is None:
        return ctx.actor.user_id
    # In Slack a plain name is nobody's id: linking it would report success and
    # link no one.
    if ctx.actor.surface is Surface.SLACK and not is_slack_user_id(user):
        msg = (
            f"'{shown(user)}' is not a Slack user: mention them "
            "(type @ and pick the person from the list)."
        )
        raise SwitchboardInvalidInputError(msg)
    return user


# -- handlers ------------------------------------------------------------------------


async def _status(ctx: Context, cmd: StatusCommand) -> Result:
    ctx.backend.require(Capability.STATUS)
    if cmd.everyone or (cmd.extension is None and ctx.link is None and ctx.admin):
        ctx.policy.require_admin(ctx.actor, "see every extension")
        statuses = await ctx.backend.get_statuses()
        statuses.sort(key=lambda s: (len(s.extension.number), s.extension.number))
        return Result("status_list", {"statuses": [status_data(s) for s in statuses]})
    extension = await resolve_target(ctx, cmd.extension, "see the status of")
    status = await ctx.backend.get_status(extension.id)
    return Result("status", {"status": status_data(status)}, status, extension.number)


async def _dnd(ctx: Context, cmd: DndCommand) -> Result:
    ctx.backend.require(Capability.DND_TIMED if cmd.duration else Capability.DND)
    extension = await resolve_target(ctx, cmd.extension, "switch DND on")
    if cmd.duration is not None:
        status = await ctx.backend.set_dnd_for(extension.id, cmd.duration)
    else:
        status = await ctx.backend.set_dnd(extension.id, enabled=cmd.enabled)
    data = {
        "status": status_data(status),
        "enabled": cmd.enabled,
        "duration_seconds": int(cmd.duration.total_seconds()) if cmd.duration else None,
    }
    return Result("dnd", data, status, extension.number)


async def _presence(ctx: Context, cmd: PresenceCommand) -> Result:
    ctx.backend.require(Capability.PRESENCE)
    extension = await resolve_target(ctx, cmd.extension, "set the presence of")
    status = await ctx.backend.set_presence(extension.id, cmd.presence)
    data = {"status": status_data(status), "presence": cmd.presence.value}
    return Result("presence", data, status, extension.number)


async def _forward(ctx: Context, cmd: ForwardCommand) -> Result:
    # Plain words before anything else: "MiRTA cannot forward ... on busy".
    ctx.backend.check_forward_condition(cmd.condition)
    extension = await resolve_target(ctx, cmd.extension, "forward")
    number = None
    if cmd.number is not None:
        destination = ctx.policy.check_destination(
            cmd.number,
            internal_numbers=await ctx.directory.numbers(),
            pbx_name=ctx.vendor,
        )
        number = destination.number
    if cmd.condition is ForwardCondition.ALL:
        status = await ctx.backend.set_forward(extension.id, number)
    else:
        ring = None if cmd.ring is None else int(cmd.ring.total_seconds())
        status = await ctx.backend.set_forward_rule(
            extension.id, cmd.condition, number, timeout_seconds=ring
        )
    data = {
        "status": status_data(status),
        "number": number,
        "condition": cmd.condition.value,
    }
    return Result("forward", data, status, extension.number)


async def _call(ctx: Context, cmd: CallCommand) -> Result:
    ctx.backend.require(Capability.DIAL)
    extension = await resolve_target(ctx, cmd.extension, "call from")
    destination = ctx.policy.check_destination(
        cmd.number, internal_numbers=await ctx.directory.numbers(), pbx_name=ctx.vendor
    )
    # Counted in the state database: workers sharing it share the limit.
    await ctx.policy.check_dial_rate(ctx.actor, ctx.store)
    result = await ctx.backend.dial(extension.id, destination.number)
    data = {
        "from": extension.number,
        "number": destination.number,
        "kind": destination.kind,
        "call_id": result.call_id,
        "message": result.message,
    }
    return Result("call", data, None, destination.number)


async def _record(ctx: Context, cmd: RecordCommand) -> Result:
    ctx.backend.require(Capability.RECORDING)
    if cmd.action in (RecordingAction.PAUSE, RecordingAction.RESUME):
        ctx.backend.require(Capability.RECORDING_PAUSE)
    extension = await resolve_target(ctx, cmd.extension, "control the recording of")
    result = await ctx.backend.record(extension.id, cmd.action)
    data = {
        "extension": extension.number,
        "action": result.action.value,
        "affected_calls": result.affected_calls,
        "message": result.message,
    }
    return Result("record", data, None, extension.number)


def _flow_data(flow: Flow) -> dict[str, Any]:
    return flow.model_dump(mode="json")


async def _flow_list(ctx: Context, cmd: FlowListCommand) -> Result:  # noqa: ARG001
    ctx.backend.require(Capability.FLOWS)
    flows = await ctx.backend.list_flows()
    return Result("flows", {"flows": [_flow_data(f) for f in flows]})


async def _flow(ctx: Context, cmd: FlowCommand) -> Result:
    ctx.backend.require(Capability.FLOWS)
    ctx.policy.require_admin(ctx.actor, "switch flows")
    flows = await ctx.backend.list_flows()
    wanted = cmd.flow.casefold()
    match = next(
        (f for f in flows if wanted in (f.name.casefold(), f.id.casefold())), None
    )
    if match is None:
        missing = _missing("flow", cmd.flow, [f.name for f in flows], "flow list")
        raise missing
    changed = await ctx.backend.set_flow(match.id, active=cmd.active)
    data = {"flow": _flow_data(changed), "was_active": match.active}
    return Result("flow", data, None, changed.name)


def _hours_data(hours: OfficeHours) -> dict[str, Any]:
    return hours.model_dump(mode="json")


async def _hours_list(ctx: Context, cmd: HoursListCommand) -> Result:  # noqa: ARG001
    ctx.backend.require(Capability.OFFICE_HOURS)
    schedules = await ctx.backend.list_office_hours()
    return Result("hours_list", {"schedules": [_hours_data(h) for h in schedules]})


async def _hours(ctx: Context, cmd: HoursCommand) -> Result:
    ctx.backend.require(Capability.OFFICE_HOURS)
    ctx.policy.require_admin(ctx.actor, "override office hours")
    schedules = await ctx.backend.list_office_hours()
    names = [h.name for h in schedules]
    if cmd.target is None:
        if len(schedules) != 1:
            listed = ", ".join(names) or "none"
            msg = f"Say which office hours to change (hours NAME {cmd.state.value}); there are: {listed}."
            raise SwitchboardInvalidInputError(msg)
        match: OfficeHours | None = schedules[0]
    else:
        wanted = cmd.target.casefold()
        match = next(
            (h for h in schedules if wanted in (h.name.casefold(), h.id.casefold())),
            None,
        )
    if match is None:
        missing = _missing("office hours", cmd.target or "", names, "hours")
        raise missing
    changed = await ctx.backend.set_office_hours(match.id, cmd.state)
    data = {"schedule": _hours_data(changed), "was": match.state.value}
    return Result("hours", data, None, changed.name)


# Feature changes in flight at once for ``service NAME VALUE all``.
_FEATURE_CONCURRENCY = 8


def _feature_data(feature: ExtensionFeature) -> dict[str, Any]:
    return {
        "key": feature.spec.key,
        "name": feature.spec.name,
        "value": feature.value,
        "label": feature.label,
        "options": [o.key for o in feature.spec.options],
    }


async def _service_list(ctx: Context, cmd: ServiceListCommand) -> Result:
    ctx.backend.require(Capability.EXTENSION_FEATURES)
    ctx.policy.require_admin(ctx.actor, "see and change the services of extensions")
    extension = await resolve_target(ctx, cmd.extension, "see the services of")
    features = await ctx.backend.list_features(extension.id)
    data = {
        "extension": extension.model_dump(mode="json"),
        "features": [_feature_data(f) for f in features],
    }
    return Result("service_list", data, None, extension.number)


def _option(spec: FeatureSpec, value: str) -> FeatureOption:
    option = spec.option(value)
    if option is not None:
        return option
    keys = [o.key for o in spec.options]
    msg = f"'{shown(value)}' is not a value of {spec.name}: use {' or '.join(keys)}."
    hint = suggest(value, keys)
    if hint:
        msg += f" Did you mean '{hint}'?"
    raise SwitchboardInvalidInputError(msg)


async def _service(ctx: Context, cmd: ServiceCommand) -> Result:
    ctx.backend.require(Capability.EXTENSION_FEATURES)
    ctx.policy.require_admin(ctx.actor, "see and change the services of extensions")
    spec = ctx.backend.feature_spec(cmd.feature)
    option = _option(spec, cmd.value)
    if cmd.everyone:
        targets = sorted(
            await ctx.directory.extensions(), key=lambda e: (len(e.number), e.number)
        )
    else:
        targets = [await resolve_target(ctx, cmd.extension, "change the services of")]
    limit = asyncio.Semaphore(_FEATURE_CONCURRENCY)

    async def one(extension: Extension) -> SwitchboardError | None:
        # With 'all', one extension's failure must not hide the others' result.
        async with limit:
            try:
                await ctx.backend.set_feature(extension.id, spec.key, option.key)
            except SwitchboardError as err:
                return err
        return None

    errors: list[SwitchboardError | None] = await gather_or_cancel(
        *(one(e) for e in targets)
    )
    changed = [e.number for e, err in zip(targets, errors, strict=True) if not err]
    failed = [
        {"extension": e.number, "error": err.message}
        for e, err in zip(targets, errors, strict=True)
        if err
    ]
    first_error = next((err for err in errors if err), None)
    if first_error is not None and not changed:
        raise first_error  # nothing changed: the PBX's reason is the answer
    data = {
        "feature": {"key": spec.key, "name": spec.name},
        "value": option.key,
        "label": option.label,
        "extensions": changed,
        "failed": failed,
        "everyone": cmd.everyone,
    }
    target = "all" if cmd.everyone else targets[0].number
    return Result("service", data, None, f"{spec.key} {target}")


async def _calls(ctx: Context, cmd: CallsCommand) -> Result:  # noqa: ARG001
    ctx.backend.require(Capability.LIVE_CALLS)
    calls = await ctx.backend.list_calls()
    scope = "all"
    if not ctx.admin:
        mine = await resolve_target(ctx, None, "see the calls of")
        calls = [
            c
            for c in calls
            if c.extension_id == mine.id or mine.number in (c.from_number, c.to_number)
        ]
        scope = mine.number
    data = {"calls": [c.model_dump(mode="json") for c in calls], "scope": scope}
    return Result("calls", data)


async def _link(ctx: Context, cmd: LinkCommand) -> Result:
    user = named_user(ctx, cmd.user)
    extension = await ctx.directory.find(cmd.extension)
    if not ctx.admin:
        if user != ctx.actor.user_id:
            ctx.policy.require_admin(ctx.actor, "link other people")
        email = (ctx.actor.email or "").casefold()
        if not email or (extension.email or "").casefold() != email:
            msg = (
                f"Only admins can link you to extension {extension.number}, unless it "
                "carries your e-mail address. Ask an admin: link "
                f"{extension.number} @you."
            )
            raise SwitchboardPolicyError(msg)
    link = await ctx.store.set_link(
        user, ctx.pbx, extension.number, linked_by=ctx.actor.user_id
    )
    data = {
        "user": user,
        "is_self": user == ctx.actor.user_id,
        "extension": link.extension,
        "extension_name": extension.name,
        "pbx": ctx.pbx,
    }
    return Result("link", data, None, f"{user} -> {link.extension}")


async def _unlink(ctx: Context, cmd: UnlinkCommand) -> Result:
    user = named_user(ctx, cmd.user)
    if user != ctx.actor.user_id:
        ctx.policy.require_admin(ctx.actor, "unlink other people")
    removed = await ctx.store.delete_links(user, ctx.pbx)
    data = {
        "user": user,
        "is_self": user == ctx.actor.user_id,
        "removed": removed,
        "pbx": ctx.pbx,
    }
    return Result("unlink", data, None, user)


async def _notify(ctx: Context, cmd: NotifyCommand) -> Result:
    await switch(ctx.store, ctx.actor.user_id, NOTIFY_MISSED, on=cmd.enabled)
    data = {"kind": cmd.kind, "enabled": cmd.enabled, "linked": ctx.link is not None}
    return Result("notify", data, None, ctx.actor.user_id)


async def _sync(ctx: Context, cmd: SyncCommand) -> Result:
    presence = cmd.kind == "presence"
    ctx.backend.require(Capability.PRESENCE if presence else Capability.DND)
    extension = await resolve_target(ctx, None, f"sync the {cmd.kind} of")
    key = SYNC_PRESENCE if presence else SYNC_DND
    await switch(ctx.store, ctx.actor.user_id, key, on=cmd.enabled)
    data = {
        "kind": cmd.kind,
        "enabled": cmd.enabled,
        "extension": extension.number,
    }
    return Result("sync", data, None, extension.number)


async def _whoami(ctx: Context, cmd: WhoamiCommand) -> Result:  # noqa: ARG001
    data = {
        "user_id": ctx.actor.user_id,
        "name": ctx.actor.label,
        "admin": ctx.admin,
        "links": [
            {"pbx": lk.pbx, "extension": lk.extension, "linked_by": lk.linked_by}
            for lk in ctx.links
        ],
        "current_pbx": ctx.pbx,
        "supports": sorted(c.name.lower() for c in ctx.backend.capabilities),
    }
    return Result("whoami", data)


def help_data(
    topic: str | None, supports: frozenset[Capability], vendor: str
) -> dict[str, Any]:
    """Return the help listing (or one command's help), marking what this PBX lacks."""

    def entry(name: str) -> dict[str, Any]:
        spec = COMMANDS[name]
        available = not spec.needs or bool(spec.needs & supports)
        return {
            "name": spec.name,
            "usage": list(spec.usage),
            "summary": spec.summary,
            "examples": list(spec.examples),
            "available": available,
            "admin": spec.admin,
        }

    if topic is not None:
        return {"topic": topic, "command": entry(topic), "vendor": vendor}
    return {"topic": None, "commands": [entry(n) for n in COMMANDS], "vendor": vendor}


def _missing(
    kind: str, name: str, names: list[str], list_command: str
) -> SwitchboardNotFoundError:
    hint = suggest(name, [n.casefold() for n in names])
    msg = f"There is no {kind} called '{name}'."
    if hint:
        original = next(n for n in names if n.casefold() == hint)
        msg += f" Did you mean '{original}'?"
    msg += f" See '{list_command}'."
    return SwitchboardNotFoundError(msg)


HANDLERS: dict[type[Command], Callable[[Context, Any], Awaitable[Result]]] = {
    StatusCommand: _status,
    DndCommand: _dnd,
    PresenceCommand: _presence,
    ForwardCommand: _forward,
    CallCommand: _call,
    RecordCommand: _record,
    FlowListCommand: _flow_list,
    FlowCommand: _flow,
    HoursListCommand: _hours_list,
    HoursCommand: _hours,
    ServiceListCommand: _service_list,
    ServiceCommand: _service,
    CallsCommand: _calls,
    LinkCommand: _link,
    UnlinkCommand: _unlink,
    WhoamiCommand: _whoami,
    NotifyCommand: _notify,
    SyncCommand: _sync,
}


async def execute(ctx: Context, command: Command) -> Result:
    """Run ``command`` (anything but help) in ``ctx``."""
    if isinstance(command, HelpCommand):  # pragma: no cover - the service answers help
        msg = "help is answered by the service"
        raise TypeError(msg)
    return await HANDLERS[type(command)](ctx, command)
