"""Webhooks of vendors that push by calling us (Telphin), through HA's webhook component.

The vendor must reach this Home Assistant from the internet: its external URL, or
Home Assistant Cloud's remote URL when the user has it (``get_url`` picks either).
Without one nothing is registered at the vendor, the coordinator keeps polling, and
a repair issue tells the user what to set.
The webhook id ends in the core inbox's secret token, new at every setup; the
vendor's registrations are removed when the push stream ends (entry unload).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp.web import Response
from homeassistant.components import webhook
from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url

from switchboard.core.push import WebhookVerdict

from .const import DOMAIN

if TYPE_CHECKING:
    from aiohttp.web import Request
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend

_LOGGER = logging.getLogger(__name__)


@callback
def async_receive_webhooks(
    hass: HomeAssistant, entry: ConfigEntry, backend: PbxBackend
) -> bool:
    """Route the vendor's webhooks to ``backend``; False when no URL can receive them."""
    issue_id = f"no_push_url_{entry.entry_id}"
    entry.async_on_unload(lambda: ir.async_delete_issue(hass, DOMAIN, issue_id))
    try:
        base = get_url(hass, allow_internal=False, prefer_external=True)
    except NoURLAvailableError:
        _LOGGER.warning(
            "%s: Home Assistant has no URL reachable from the internet (external "
            "URL or Home Assistant Cloud), so the PBX cannot push; polling instead",
            entry.title,
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="no_push_url",
            translation_placeholders={
                "title": entry.title,
                "vendor": backend.display_name,
            },
        )
        return False
    prefix = f"{DOMAIN}_{entry.entry_id}_"
    inbox = backend.receive_webhooks_at(base + webhook.async_generate_path(prefix))

    async def handle(
        hass: HomeAssistant,  # noqa: ARG001 - the webhook component's signature
        webhook_id: str,
        request: Request,
    ) -> Response:
        fields = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        verdict = inbox.deliver(webhook_id.removeprefix(prefix), fields)
        refused = verdict is WebhookVerdict.REFUSED
        return Response(status=HTTPStatus.NOT_FOUND if refused else HTTPStatus.OK)

    webhook_id = prefix + inbox.token
    webhook.async_register(
        hass, DOMAIN, entry.title, webhook_id, handle, allowed_methods=["POST"]
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, webhook_id))
    return True
