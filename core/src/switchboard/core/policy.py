"""Who may do what, and which numbers may be dialled.

* A user acts on the extension they are linked to; admins (``policy.admins``)
  act on any extension and are the only ones who switch flows and office hours.
* Click-to-dial and forwarding destinations pass :meth:`Policy.check_destination`:
  internal extensions and national numbers are fine, premium-rate and shared-cost
  numbers never, international numbers only with ``policy.allow_international``.
  Ranges toll fraud favours -- personal numbers, UAN, VoIP ranges, satellite
  phones and international networks -- only with their ``policy.allow_*`` switch;
  a short number that is not a known extension, and a number whose kind cannot
  be told, are never sent.
* Click-to-dial is limited per user and minute (``policy.dial_limit_per_minute``),
  so a script or a stuck button cannot run up a phone bill. The count lives in a
  :class:`DialCounter`: in memory by default, in the state database for commands,
  so that Slack workers sharing a database share the count.

Every refusal is a :class:`~switchboard.core.errors.SwitchboardPolicyError` whose message is a
sentence the user can act on. Refusals of a destination or a dial are the subclass
:class:`DialRefusedError`, whose ``reason`` names the rule, so that a front-end with
its own translated messages (Home Assistant) can say why without parsing the text.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo

from switchboard.core.errors import SwitchboardPolicyError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from switchboard.core.actors import Actor
    from switchboard.core.config import PolicySettings

# Numbers this short without a "+" are extensions, not outside numbers: the
# longest extension plans in the wild (hotels, universities) use 6 digits.
INTERNAL_MAX_DIGITS = 6
RATE_WINDOW_SECONDS = 60.0


class Refusal(StrEnum):
    """The rule that refused a destination or a dial (stable keys for front-ends)."""

    EMERGENCY = "emergency"
    NO_EXTENSION = "no_extension"
    INVALID = "invalid"
    PREMIUM_RATE = "premium_rate"
    SHARED_COST = "shared_cost"
    INTERNATIONAL = "international"
    RATE_LIMIT = "rate_limit"
    PERSONAL_NUMBER = "personal_number"
    UAN = "uan"
    VOIP = "voip"
    SATELLITE = "satellite"
    UNCLASSIFIED = "unclassified"


class DialRefusedError(SwitchboardPolicyError):
    """The policy refused a destination or a dial; the message says why in English.

    Attributes:
        reason: The rule that refused it.
        number: The number as checked (E.164 once it parsed as an outside number).
        country: The number's region, for :attr:`Refusal.INTERNATIONAL`.
        retry_after: Whole seconds until the next dial, for :attr:`Refusal.RATE_LIMIT`.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: Refusal,
        number: str = "",
        country: str = "",
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.number = number
        self.country = country
        self.retry_after = retry_after


_REFUSED_TYPES = {
    PhoneNumberType.PREMIUM_RATE: (
        "a premium-rate number; Switchboard does not dial those, "
        "because they are charged at a high rate"
    ),
    PhoneNumberType.SHARED_COST: (
        "a shared-cost number; Switchboard does not dial those, "
        "because the caller pays part of the cost"
    ),
}
_REFUSAL_OF_TYPE = {
    PhoneNumberType.PREMIUM_RATE: Refusal.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST: Refusal.SHARED_COST,
}


@dataclass(frozen=True)
class _Switchable:
    """A number range refused unless its ``policy`` switch allows it."""

    reason: Refusal
    setting: str
    what: str


# Ranges phonenumbers marks by type that toll fraud favours.
_SWITCHABLE_TYPES = {
    PhoneNumberType.PERSONAL_NUMBER: _Switchable(
        Refusal.PERSONAL_NUMBER,
        "allow_personal_numbers",
        "a personal number (it can forward anywhere, charged at a high rate)",
    ),
    PhoneNumberType.UAN: _Switchable(
        Refusal.UAN, "allow_uan", "a universal access number (UAN)"
    ),
    PhoneNumberType.VOIP: _Switchable(Refusal.VOIP, "allow_voip", "in a VoIP range"),
}
# Satellite phones (Inmarsat +870, GMSS +881) and international networks (+882,
# +883): charged at several euros a minute and a classic toll-fraud target.
SATELLITE_COUNTRY_CODES = frozenset({870, 881, 882, 883})
_SATELLITE = _Switchable(
    Refusal.SATELLITE,
    "allow_satellite",
    "a satellite or international-network number",
)


class DialCounter(Protocol):
    """Where dials are counted for the rate limit."""

    async def count_dial(
        self, user_id: str, *, limit: int, window: float
    ) -> float | None:
        """Count one dial of ``user_id``, unless ``limit`` were counted already.

        Returns:
            ``None`` when the dial was counted; otherwise the seconds until the
            oldest dial in the last ``window`` seconds leaves it.
        """
        ...


class MemoryDialCounter:
    """Dials counted in this process only (Home Assistant, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._dials: defaultdict[str, deque[float]] = defaultdict(deque)

    async def count_dial(
        self, user_id: str, *, limit: int, window: float
    ) -> float | None:
        """See :meth:`DialCounter.count_dial`."""
        now = self._clock()
        recent = self._dials[user_id]
        while recent and now - recent[0] >= window:
            recent.popleft()
        if len(recent) >= limit:
            return window - (now - recent[0])
        recent.append(now)
        return None


@dataclass(frozen=True)
class Destination:
    """A number that passed the destination policy.

    Attributes:
        number: What to send to the PBX: the extension, or the E.164 number.
        internal: True for an internal extension.
        kind: ``extension``, ``fixed line``, ``mobile`` ...
    """

    number: str
    internal: bool
    kind: str


class Policy:
    """The authorisation and dialling rules of one configuration."""

    def __init__(
        self,
        settings: PolicySettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._admins = frozenset(settings.admins)
        self._dials = MemoryDialCounter(clock)

    def is_admin(self, actor: Actor) -> bool:
        """Return whether ``actor`` is listed in ``policy.admins``."""
        return actor.user_id in self._admins

    def require_admin(self, actor: Actor, what: str) -> None:
        """Refuse unless ``actor`` is an admin; ``what`` completes 'Only admins can ...'."""
        if not self.is_admin(actor):
            msg = f"Only admins can {what}."
            raise SwitchboardPolicyError(msg)

    def check_destination(
        self,
        number: str,
        *,
        internal_numbers: Collection[str] | None = None,
        pbx_name: str = "the PBX",
    ) -> Destination:
        """Check a destination; return what to send to the PBX.

        Args:
            number: A normalised number from the parser (digits, maybe a ``+``).
            internal_numbers: The PBX's extension numbers, to check short
                numbers against (``None`` skips the check).
            pbx_name: The vendor name, for messages.

        Raises:
            DialRefusedError: The destination is not allowed; says why.
        """
        region = self.settings.default_region.upper()
        digits = number.lstrip("+")
        if not number.startswith("+") and len(digits) <= INTERNAL_MAX_DIGITS:
            return self._check_short(number, region, internal_numbers, pbx_name)
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            msg = f"{number} is not a valid phone number."
            raise DialRefusedError(msg, reason=Refusal.INVALID, number=number)
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        kind = phonenumbers.number_type(parsed)
        if kind in _REFUSED_TYPES:
            msg = f"{e164} is {_REFUSED_TYPES[kind]}."
            raise DialRefusedError(msg, reason=_REFUSAL_OF_TYPE[kind], number=e164)
        switchable = _SWITCHABLE_TYPES.get(kind)
        if parsed.country_code in SATELLITE_COUNTRY_CODES:
            switchable = _SATELLITE
        if switchable is not None and not getattr(self.settings, switchable.setting):
            msg = (
                f"{e164} is {switchable.what}; Switchboard does not dial those unless "
                f"an admin allows them (policy.{switchable.setting})."
            )
            raise DialRefusedError(msg, reason=switchable.reason, number=e164)
        if kind == PhoneNumberType.UNKNOWN:
            # Valid but of no known kind: what it costs cannot be told.
            msg = f"{e164} is a number whose kind (and cost) cannot be told, so Switchboard does not dial it."
            raise DialRefusedError(msg, reason=Refusal.UNCLASSIFIED, number=e164)
        # The region, not the country code: +1 is shared by the US, Canada and
        # the Caribbean, +44 by the UK and the Channel Islands; calls between
        # them are charged as international (and are a favourite of toll fraud).
        country = phonenumbers.region_code_for_number(parsed)
        if country != region and not self.settings.allow_international:
            country = country or "abroad"
            msg = (
                f"{e164} is an international number ({country}); calls abroad are "
                "not allowed here (an admin can allow them: policy.allow_international)."
            )
            raise DialRefusedError(
                msg, reason=Refusal.INTERNATIONAL, number=e164, country=country
            )
        return Destination(number=e164, internal=False, kind=_kind_name(kind))

    @staticmethod
    def _check_short(
        number: str,
        region: str,
        internal_numbers: Collection[str] | None,
        pbx_name: str,
    ) -> Destination:
        """A short number without ``+`` goes to the PBX only as a known extension."""
        if shortnumberinfo.connects_to_emergency_number(number, region):
            msg = f"{number} is an emergency number: call it from your phone directly."
            raise DialRefusedError(msg, reason=Refusal.EMERGENCY, number=number)
        if internal_numbers is None or number not in internal_numbers:
            # A short code that is no extension (a service or premium short
            # number) would be dialled out by the PBX: never send it.
            msg = (
                f"There is no extension {number} on {pbx_name}. For an outside "
                "number, write it in full (like +4570305050)."
            )
            raise DialRefusedError(msg, reason=Refusal.NO_EXTENSION, number=number)
        return Destination(number=number, internal=True, kind="extension")

    async def check_dial_rate(
        self, actor: Actor, counter: DialCounter | None = None
    ) -> None:
        """Count one click-to-dial for ``actor``; refuse when over the limit.

        Args:
            actor: Who dials.
            counter: Where to count; this policy's in-memory count by default.

        Raises:
            DialRefusedError: Too many calls in the last minute; says when
                the next one is allowed.
        """
        limit = self.settings.dial_limit_per_minute
        wait = await (counter or self._dials).count_dial(
            actor.user_id, limit=limit, window=RATE_WINDOW_SECONDS
        )
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            plural = "call" if limit == 1 else "calls"
            msg = f"You can place {limit} {plural} a minute; try again in {seconds} s."
            raise DialRefusedError(msg, reason=Refusal.RATE_LIMIT, retry_after=seconds)


def _kind_name(kind: int) -> str:
    names = {
        PhoneNumberType.FIXED_LINE: "fixed line",
        PhoneNumberType.MOBILE: "mobile",
        PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed line or mobile",
        PhoneNumberType.TOLL_FREE: "toll-free",
        PhoneNumberType.VOIP: "VoIP",
        PhoneNumberType.PERSONAL_NUMBER: "personal number",
        PhoneNumberType.UAN: "UAN",
        PhoneNumberType.PAGER: "pager",
    }
    return names.get(kind, "phone number")
