"""The command layer: one grammar, policy, state, audit and rendering for every front-end.

from core.commands import Actor, CommandService, Surface

service = await CommandService.create(config)
reply = await service.run("dnd on for 2h", Actor("U123", "Alice", Surface.SLACK))
reply.outcome, reply.text, reply.data
"""

from core.commands.grammar import COMMANDS, Command
from core.commands.parser import CommandSyntaxError, parse_command
from core.commands.service import CommandService
from core.commands.state import AuditEntry
from core.commands.types import Actor, Link, Outcome, Reply, Surface

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
