"""Every user-facing text comes from a jinja2 template.

There is one template set per surface: ``templates/plain`` for the CLI and
``templates/slack`` for Slack mrkdwn. An operator overrides any template by
putting a file of the same name in ``<templates_dir>/plain`` or
``<templates_dir>/slack`` (a ``ChoiceLoader`` looks there first).

Slack needs ``&``, ``<`` and ``>`` escaped in every text it shows; the Slack
environment does that for every ``{{ value }}`` (jinja's ``finalize``), so a
user-supplied value can never turn into a mention or a link.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from switchboard.core.actors import Surface
from switchboard.core.commands.grammar import format_duration

if TYPE_CHECKING:
    from collections.abc import Sequence

TEMPLATES_DIR = Path(__file__).parent / "templates"
# An ``&`` that does not already start one of Slack's three escapes.
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
# The template set of each surface (a directory below TEMPLATES_DIR and below
# an operator's templates_dir).
TEMPLATE_SETS = {Surface.CLI: "plain", Surface.SLACK: "slack"}


def slack_escape(value: Any) -> Any:
    """Escape the three characters Slack mrkdwn treats as markup.

    Idempotent: a macro's output is escaped already and passes ``finalize``
    again where the macro is used; escaping it twice would show ``R&amp;D``.
    Leaving an existing ``&lt;`` alone is safe: Slack shows it as a plain ``<``.
    """
    if isinstance(value, str):
        escaped = _BARE_AMPERSAND.sub("&amp;", value)
        return escaped.replace("<", "&lt;").replace(">", "&gt;")
    return value


def yesno(value: bool | None, yes: str = "yes", no: str = "no") -> str:  # noqa: FBT001 - a jinja filter
    """Render a tri-state flag."""
    if value is None:
        return "unknown"
    return yes if value else no


def human_duration(seconds: float | None) -> str:
    """Render seconds as ``2h``, ``30m``, ``1h30m``, ``1d2h``."""
    return "" if seconds is None else format_duration(seconds)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render an aligned text table (a Slack template wraps it in a code block)."""
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Renderer:
    """Renders templates for each surface."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self._environments = {
            surface: self._environment(surface, override_dir) for surface in Surface
        }

    @staticmethod
    def _environment(surface: Surface, override_dir: Path | None) -> Environment:
        loaders = []
        if override_dir is not None:
            loaders.append(FileSystemLoader(override_dir / TEMPLATE_SETS[surface]))
        loaders.append(FileSystemLoader(TEMPLATES_DIR / TEMPLATE_SETS[surface]))
        # Not HTML: plain text, or Slack mrkdwn escaped by finalize (see above).
        env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Not HTML: plain text, or Slack mrkdwn escaped by finalize (above).
            autoescape=False,  # noqa: S701
            finalize=slack_escape if surface is Surface.SLACK else None,
        )
        env.filters["yesno"] = yesno
        env.filters["duration"] = human_duration
        env.globals["table"] = table
        return env

    def render(self, surface: Surface, template: str, **context: Any) -> str:
        """Render ``template`` (``status`` → ``status.j2``) for ``surface``."""
        env = self._environments[surface]
        return env.get_template(f"{template}.j2").render(**context).strip()
