"""The command layer: one grammar, policy, state, audit and rendering for every front-end.

from switchboard.core.commands import Actor, CommandService, Surface

service = await CommandService.create(config)
reply = await service.run("dnd on for 2h", Actor("U123", "Alice", Surface.SLACK))
reply.outcome, reply.text, reply.data
"""

from switchboard.core.actors import Actor, Surface
from switchboard.core.commands.grammar import COMMANDS, Command
from switchboard.core.commands.parser import CommandSyntaxError, parse_command
from switchboard.core.commands.service import CommandService
from switchboard.core.commands.state import AuditEntry
from switchboard.core.commands.types import Link, Outcome, Reply

__all__ = [
    "COMMANDS",
    "Actor",
    "AuditEntry",
    "Command",
    "CommandService",
    "CommandSyntaxError",
    "Link",
    "Outcome",
    "Reply",
    "Surface",
    "parse_command",
]
