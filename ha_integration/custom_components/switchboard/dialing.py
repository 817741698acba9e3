"""What the dial action may call: the core's destination policy and dial rate limit.

The rules are the core's (:class:`switchboard.core.policy.Policy`), the same that Slack
and the CLI apply: internal extensions and national numbers are fine; premium-rate,
shared-cost and emergency numbers never; numbers abroad only with the account's
"Allow calls abroad" option. Home Assistant's country is the home region.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Final

import phonenumbers
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util.hass_dict import HassKey

from switchboard.core.actors import Actor
from switchboard.core.config import PolicySettings
from switchboard.core.policy import DialRefusedError, Policy, Refusal

from .const import CONF_ALLOW_INTERNATIONAL, DIAL_LIMIT_PER_MINUTE, DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from switchboard.core.policy import Destination

    from .coordinator import SwitchboardCoordinator

_LOGGER = logging.getLogger(__name__)

# Home Assistant's country is unset on installations older than the setting (Home
# Assistant raises a repair issue for it). The core's default region is assumed then,
# so that national and emergency numbers are still recognised; the log and the
# refusal of a number abroad say so.
FALLBACK_REGION: Final[str] = str(
    PolicySettings.model_fields["default_region"].get_default()
)

# The exception translation key for each rule that can refuse a dial.
REFUSAL_KEYS: Final[dict[Refusal, str]] = {
    Refusal.EMERGENCY: "dial_emergency",
    Refusal.NO_EXTENSION: "dial_no_extension",
    Refusal.INVALID: "dial_not_valid",
    Refusal.PREMIUM_RATE: "dial_premium_rate",
    Refusal.SHARED_COST: "dial_shared_cost",
    Refusal.INTERNATIONAL: "dial_abroad",
    Refusal.RATE_LIMIT: "dial_rate_limit",
    Refusal.PERSONAL_NUMBER: "dial_personal_number",
    Refusal.UAN: "dial_uan",
    Refusal.VOIP: "dial_voip",
    Refusal.SATELLITE: "dial_satellite",
    Refusal.UNCLASSIFIED: "dial_unclassified",
}
ABROAD_NO_COUNTRY_KEY: Final = "dial_abroad_no_country"

DATA_DIAL_RULES: HassKey[DialRules] = HassKey(f"{DOMAIN}_dial_rules")


def _monotonic() -> float:
    # Looked up at every call rather than bound once, so tests can move the clock.
    return time.monotonic()


class DialRules:
    """The dial rules of every PBX account; one per Home Assistant instance.

    The rate limit counts per config entry. It lives here rather than in the
    entry's runtime data so that reloading an entry does not reset it.
    """

    def __init__(self) -> None:
        self._limiter = Policy(
            PolicySettings(dial_limit_per_minute=DIAL_LIMIT_PER_MINUTE),
            clock=_monotonic,
        )
        self._warned_no_country = False

    def home_region(self, hass: HomeAssistant) -> tuple[str, bool]:
        """Return Home Assistant's country, and whether it was assumed (unset)."""
        country = (hass.config.country or "").upper()
        # A country the number rules do not know is treated like none set.
        if country in phonenumbers.SUPPORTED_REGIONS:
            return country, False
        if not self._warned_no_country:
            self._warned_no_country = True
            _LOGGER.warning(
                "Home Assistant has no country set; the dial action treats %s as "
                "home. Set the country under Settings > System > General",
                FALLBACK_REGION,
            )
        return FALLBACK_REGION, True

    async def check_destination(
        self, coordinator: SwitchboardCoordinator, number: str
    ) -> Destination:
        """Return what to send to the PBX for ``number``, or refuse it.

        Raises:
            ServiceValidationError: The destination is not allowed; says why.
            SwitchboardError: The PBX's extension list could not be read.
        """
        entry = coordinator.config_entry
        region, assumed = self.home_region(coordinator.hass)
        # Built per call (it is cheap): a changed country applies at once.
        policy = Policy(
            PolicySettings(
                default_region=region,
                allow_international=bool(
                    entry.options.get(CONF_ALLOW_INTERNATIONAL, False)
                ),
            )
        )
        pbx_name = coordinator.backend.display_name
        known = {
            status.extension.number for status in coordinator.data.statuses.values()
        }
        try:
            try:
                return policy.check_destination(
                    number, internal_numbers=known, pbx_name=pbx_name
                )
            except DialRefusedError as err:
                if err.reason is not Refusal.NO_EXTENSION:
                    raise
            # The options may hide extensions and the last poll may predate a new
            # one: the PBX's own list decides (one request, on this path only).
            current = {
                ext.number for ext in await coordinator.backend.list_extensions()
            }
            return policy.check_destination(
                number, internal_numbers=current, pbx_name=pbx_name
            )
        except DialRefusedError as err:
            raise _refused(
                err, region=region, assumed=assumed, pbx=pbx_name, title=entry.title
            ) from err

    async def count_dial(self, coordinator: SwitchboardCoordinator) -> None:
        """Count one dial of the account; refuse it when over the limit.

        Raises:
            ServiceValidationError: The account dialled too often in the last minute.
        """
        entry = coordinator.config_entry
        try:
            await self._limiter.check_dial_rate(Actor(user_id=entry.entry_id))
        except DialRefusedError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=REFUSAL_KEYS[Refusal.RATE_LIMIT],
                translation_placeholders={
                    "title": entry.title,
                    "limit": str(DIAL_LIMIT_PER_MINUTE),
                    "wait": str(err.retry_after),
                },
            ) from err


def _refused(
    err: DialRefusedError, *, region: str, assumed: bool, pbx: str, title: str
) -> ServiceValidationError:
    key = REFUSAL_KEYS[err.reason]
    if err.reason is Refusal.INTERNATIONAL and assumed:
        key = ABROAD_NO_COUNTRY_KEY
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={
            "number": err.number,
            "country": err.country,
            "home": region,
            "pbx": pbx,
            "title": title,
        },
    )
