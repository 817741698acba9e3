"""Load what installed distributions declare in an entry-point group.

Vendors (``switchboard.plugins``) and CLI sub-commands (``switchboard.cli``) are
both found this way, Switchboard's own as well as third-party ones. An entry point
that fails to load, or loads something of the wrong type, is logged (naming the
distribution it came from) and skipped: one broken add-on must not take the whole
app down.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from switchboard.core.redaction import get_logger

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

_LOGGER = get_logger(__name__)

# Distributions whose names start with this are Switchboard's own: they are listed
# first, and a third party cannot take over one of their names.
OWN_DISTRIBUTION_PREFIX = "switchboard-pbx"

T = TypeVar("T")


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """One loaded entry point.

    Attributes:
        name: The entry point's name (``pbxware``, ``slack``).
        value: The object it names, already checked to be of the expected type.
        distribution: The distribution that declared it.
    """

    name: str
    value: T
    distribution: str

    @property
    def own(self) -> bool:
        """True when one of Switchboard's own distributions declared it."""
        return _is_own_distribution(self.distribution)


def load_group(group: str, expected: type[T]) -> dict[str, Loaded[T]]:
    """Load every entry point of ``group`` that yields an ``expected``, by name.

    The scan reads every installed distribution's metadata, so it runs once per
    group and process (:func:`forget_loaded` starts again); each call returns a
    fresh dict.

    Switchboard's own come first, then the others; each part sorted by name. When
    two distributions declare the same name, Switchboard's own wins, else the one
    whose distribution name sorts first; the other is logged and ignored.
    """
    key = (group, expected)
    if key not in _scans:
        _scans[key] = _scan(group, expected)
    return dict(_scans[key])


def forget_loaded() -> None:
    """Forget every scan, so the next :func:`load_group` reads the metadata again."""
    _scans.clear()


_scans: dict[tuple[str, type[Any]], dict[str, Loaded[Any]]] = {}


def _scan(group: str, expected: type[T]) -> dict[str, Loaded[T]]:
    ordered = sorted(
        entry_points(group=group),
        key=lambda entry: (not _is_own(entry), entry.name, _distribution(entry)),
    )
    found: dict[str, Loaded[T]] = {}
    for entry in ordered:
        origin = _distribution(entry)
        if entry.name in found:
            _LOGGER.warning(
                "Ignoring %s entry point %r from %s: the name is taken by %s",
                group,
                entry.name,
                origin,
                found[entry.name].distribution,
            )
            continue
        try:
            value = entry.load()
        except Exception:
            _LOGGER.warning(
                "Skipping %s entry point %s from %s: it failed to load",
                group,
                entry.value,
                origin,
                exc_info=True,
            )
            continue
        if not isinstance(value, expected):
            _LOGGER.warning(
                "Skipping %s entry point %s from %s: it is a %s, not a %s",
                group,
                entry.value,
                origin,
                type(value).__name__,
                expected.__name__,
            )
            continue
        found[entry.name] = Loaded(entry.name, value, origin)
    return found


def _distribution(entry: EntryPoint) -> str:
    return entry.dist.name if entry.dist is not None else "an unknown distribution"


def _is_own_distribution(name: str) -> bool:
    return name.startswith(OWN_DISTRIBUTION_PREFIX)


def _is_own(entry: EntryPoint) -> bool:
    return _is_own_distribution(_distribution(entry))
