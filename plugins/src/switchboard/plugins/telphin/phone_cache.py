"""What Switchboard last saw of each Telphin phone, and which phones to read next.

Telphin keeps DND (a call status, ``call_status_id``) and forwarding
(``external_number``) in each phone's settings: one ``GET /extension/{id}/phone/``
per extension, and every request counts against the account's hourly quota. So a
bulk refresh does not read every phone. It reads the phones it has never seen
(at most :data:`FIRST_PASS_READS_PER_REFRESH` of them) and then the
:data:`ROUND_ROBIN_READS_PER_REFRESH` phones it saw longest ago; every other
extension is reported from this cache. Writes made through Switchboard store
the phone the PBX answered, so they show at once. A phone the PBX says changed
(a pushed call-status change, :meth:`PhoneCache.mark_changed`) is read at the
next bulk refresh, before any other.

Age is an ever-growing counter, not a clock: "stalest" means "stored before the
others", which keeps the round-robin order exact and the tests deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

    from switchboard.plugins.telphin.models import PhoneProperties

# Phones read per bulk refresh besides the never-seen ones. The quota trade-off:
# after the first pass a refresh costs this many requests more than the 3
# list reads (5 instead of 3 below 100 extensions, 25 instead of 23 for 1,000),
# and a change made outside Switchboard (the Telphin web panel, a phone's menu)
# shows within ceil(extensions / this) refreshes: 12 refreshes (6 min at 30 s)
# for 24 extensions, 500 refreshes for 1,000. Changes made through Switchboard
# show at once whatever this is.
ROUND_ROBIN_READS_PER_REFRESH: Final = 2

# Never-seen phones read per bulk refresh. 50 keeps a typical office (the
# emulator's 24, anything up to 50) fully known after the first refresh, and
# bounds the warm-up of a big account: 1,000 extensions are all known after 20
# refreshes, each costing at most 50 + 2 phone reads more than the list reads.
# Until its turn comes an extension reports DND and forwarding as unknown.
FIRST_PASS_READS_PER_REFRESH: Final = 50


@dataclass(frozen=True, slots=True)
class _Entry:
    phone: PhoneProperties
    stamp: int


class PhoneCache:
    """The last phone settings seen per extension id, with their age."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._clock = 0
        # Extension id -> stamp when the PBX said it changed (read it next).
        self._changed: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, extension_id: object) -> bool:
        return extension_id in self._entries

    def now(self) -> int:
        """The current stamp; pass it to :meth:`store_read` for a read started now."""
        return self._clock

    def get(self, extension_id: str) -> PhoneProperties | None:
        """The phone last seen for ``extension_id``; ``None`` when never seen."""
        entry = self._entries.get(extension_id)
        return None if entry is None else entry.phone

    def store_write(self, extension_id: str, phone: PhoneProperties) -> None:
        """Remember the phone a write answered: it is the newest state there is."""
        self._clock += 1
        self._entries[extension_id] = _Entry(phone, self._clock)

    def store_read(
        self, extension_id: str, phone: PhoneProperties, *, started: int
    ) -> None:
        """Remember a phone read that started at stamp ``started``.

        A read that was in flight while Switchboard wrote the same phone may
        carry the state from before the write; the write's answer is kept.
        """
        entry = self._entries.get(extension_id)
        if entry is not None and entry.stamp > started:
            return
        self._clock += 1
        self._entries[extension_id] = _Entry(phone, self._clock)
        # A read started before the change was announced may predate it.
        if self._changed.get(extension_id, started + 1) <= started:
            del self._changed[extension_id]

    def mark_changed(self, extension_id: str) -> None:
        """The PBX said this phone changed: the next bulk refresh reads it first."""
        self._clock += 1
        self._changed[extension_id] = self._clock

    def retain(self, extension_ids: Iterable[str]) -> None:
        """Forget extensions that no longer exist."""
        keep = set(extension_ids)
        for gone in [i for i in self._entries if i not in keep]:
            del self._entries[gone]
        for gone in [i for i in self._changed if i not in keep]:
            del self._changed[gone]

    def due(self, extension_ids: list[str]) -> list[str]:
        """The phones a bulk refresh of ``extension_ids`` should read, in order.

        First those the PBX said changed, then the never-seen ones in list order
        (together at most :data:`FIRST_PASS_READS_PER_REFRESH`), then the
        :data:`ROUND_ROBIN_READS_PER_REFRESH` seen longest ago.
        """
        listed = set(extension_ids)
        changed = sorted(
            (i for i in self._changed if i in listed), key=self._changed.__getitem__
        )
        unknown = [i for i in extension_ids if i not in self._entries]
        first = list(dict.fromkeys(changed + unknown))[:FIRST_PASS_READS_PER_REFRESH]
        picked = set(first)
        known = sorted(
            (i for i in extension_ids if i in self._entries and i not in picked),
            key=lambda i: self._entries[i].stamp,
        )
        return first + known[:ROUND_ROBIN_READS_PER_REFRESH]
