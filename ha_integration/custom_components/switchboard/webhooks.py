"""Webhooks of vendors that push by calling us (Telphin), through HA's webhook component.

The vendor must reach this Home Assistant from the internet. The first of these
that works carries its calls:

1. Home Assistant Cloud, with an active subscription: a cloudhook, the way core
   integrations receive webhooks (withings, netatmo). It needs no open port and no
   remote UI. One per entry, kept across restarts (the vendor's registrations of an
   earlier run point at it and are found and replaced), deleted with the entry.
2. The external URL (or Home Assistant Cloud's remote UI URL): ``get_url``.
3. Neither: nothing is registered at the vendor, the coordinator keeps polling, and
   a repair issue tells the user what to set.

Home Assistant Cloud's module is imported only once Home Assistant has loaded the
cloud integration (``after_dependencies``: before us, where it is set up): its
import pulls in much of Home Assistant (voice, cameras) whose requirements are
installed only with it.

The vendor calls the URL with the core inbox's secret token appended, new at every
setup: in the webhook id behind the external URL, in a query parameter behind a
cloudhook (a cloudhook is one fixed URL; Home Assistant Cloud relays its query
string, not extra path segments). The vendor's registrations are removed when the
push stream ends (entry unload).

Telphin only POSTs. The webhook is still registered for every method Home Assistant
accepts: for a method it was not registered for, Home Assistant logs a warning with
the webhook id, which behind the external URL ends in the secret token. Our handler
answers any other method as it answers a wrong token on that route, and reads
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from aiohttp.hdrs import METH_GET, METH_HEAD, METH_POST, METH_PUT
from aiohttp.web import HTTPException, Response
from homeassistant.components import webhook
from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError, get_url

from switchboard.core.push import WebhookVerdict

from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiohttp.web import Request
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from switchboard.core.backend import PbxBackend
    from switchboard.core.push import WebhookInbox

_LOGGER = logging.getLogger(__name__)

# At start-up Home Assistant Cloud connects after the integrations are set up. This
# long the push stream waits for it (polling meanwhile) before trying the external
# URL instead.
CLOUD_CONNECT_WAIT: Final = 60.0
# Behind a cloudhook the secret token travels in this query parameter.
TOKEN_PARAM: Final = "token"  # noqa: S105 - the name, not the secret
# Every method Home Assistant's webhook component accepts (its SUPPORTED_METHODS):
# a method left out is logged by Home Assistant, with the webhook id (see above).
ALLOWED_METHODS: Final = (METH_GET, METH_HEAD, METH_POST, METH_PUT)
# What Home Assistant answers for a webhook id it does not know (a wrong token
# behind the external URL): it tells nothing.
UNKNOWN_WEBHOOK: Final = HTTPStatus.OK


def cloudhook_webhook_id(entry_id: str) -> str:
    """The webhook id an entry's cloudhook relays to (one per entry)."""
    return f"{DOMAIN}_{entry_id}_cloud"


CLOUD: Final = "cloud"


@callback
def async_cloud_subscribed(hass: HomeAssistant) -> bool:
    """Whether Home Assistant Cloud is loaded, logged in and subscribed."""
    if CLOUD not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - see the docstring

    return cloud.async_active_subscription(hass)


@callback
def _external_url(hass: HomeAssistant) -> str | None:
    """Home Assistant's URL reachable from the internet (external or remote UI)."""
    try:
        return get_url(hass, allow_internal=False, prefer_external=True)
    except NoURLAvailableError:
        return None


@callback
def async_has_push_url(hass: HomeAssistant) -> bool:
    """Whether a vendor on the internet can reach this Home Assistant."""
    return async_cloud_subscribed(hass) or _external_url(hass) is not None


async def async_receive_webhooks(
    hass: HomeAssistant, entry: ConfigEntry, backend: PbxBackend
) -> bool:
    """Route the vendor's webhooks to ``backend``; False when no URL can receive them."""
    issue_id = f"no_push_url_{entry.entry_id}"
    entry.async_on_unload(lambda: ir.async_delete_issue(hass, DOMAIN, issue_id))
    if async_cloud_subscribed(hass):
        hook_url = await _async_cloudhook(hass, entry)
        if hook_url is not None:
            _route_cloudhook(hass, entry, backend, hook_url)
            return True
    base = _external_url(hass)
    if base is None:
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
    _route_external(hass, entry, backend, base)
    return True


async def _async_cloudhook(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """The entry's cloudhook URL, once Home Assistant Cloud is connected; else None."""
    from homeassistant.components import cloud  # noqa: PLC0415 - see the docstring

    if not cloud.async_is_connected(hass):
        connected = asyncio.Event()

        @callback
        def on_change(state: cloud.CloudConnectionState) -> None:
            if state is cloud.CloudConnectionState.CLOUD_CONNECTED:
                connected.set()

        unsubscribe = cloud.async_listen_connection_change(hass, on_change)
        try:
            async with asyncio.timeout(CLOUD_CONNECT_WAIT):
                await connected.wait()
        except TimeoutError:
            _LOGGER.info("%s: Home Assistant Cloud is not connected", entry.title)
            return None
        finally:
            unsubscribe()
    try:
        return await cloud.async_get_or_create_cloudhook(
            hass, cloudhook_webhook_id(entry.entry_id)
        )
    except (cloud.CloudNotAvailable, ValueError, TimeoutError) as err:
        # ValueError and TimeoutError: hass_nabucasa's own, raised on the way.
        _LOGGER.warning(
            "%s: no Home Assistant Cloud webhook (%s)", entry.title, type(err).__name__
        )
        return None


async def async_delete_cloudhook(hass: HomeAssistant, entry_id: str) -> None:
    """Delete an entry's cloudhook, if Home Assistant Cloud has one (entry removed)."""
    if not async_cloud_subscribed(hass):
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - see the docstring

    with contextlib.suppress(cloud.CloudNotAvailable, ValueError):
        await cloud.async_delete_cloudhook(hass, cloudhook_webhook_id(entry_id))


def _route_cloudhook(
    hass: HomeAssistant, entry: ConfigEntry, backend: PbxBackend, hook_url: str
) -> None:
    """The vendor calls ``<cloudhook>?token=<secret>``; the cloud relays the query."""
    separator = "&" if "?" in hook_url else "?"
    inbox = backend.receive_webhooks_at(f"{hook_url}{separator}{TOKEN_PARAM}=")
    route = _Route(
        cloudhook_webhook_id(entry.entry_id),
        lambda _webhook_id, request: request.query.get(TOKEN_PARAM, ""),
        # A wrong token reaches our handler, which refuses it.
        wrong_token=HTTPStatus.NOT_FOUND,
    )
    _register(hass, entry, route, inbox)


def _route_external(
    hass: HomeAssistant, entry: ConfigEntry, backend: PbxBackend, base: str
) -> None:
    """The vendor calls ``<external URL>/api/webhook/<prefix><secret>``."""
    prefix = f"{DOMAIN}_{entry.entry_id}_"
    inbox = backend.receive_webhooks_at(base + webhook.async_generate_path(prefix))
    route = _Route(
        prefix + inbox.token,
        lambda webhook_id, _request: webhook_id.removeprefix(prefix),
        # A wrong token is a webhook id Home Assistant does not know.
        wrong_token=UNKNOWN_WEBHOOK,
    )
    _register(hass, entry, route, inbox)


@dataclass(frozen=True, slots=True)
class _Route:
    """Where the vendor's calls arrive, and how its token travels."""

    webhook_id: str
    token_of: Callable[[str, Request], str]
    """The token a request carries, from the webhook id or the request."""
    wrong_token: HTTPStatus
    """The answer to a wrong token; any method but POST gets it too."""


def _register(
    hass: HomeAssistant, entry: ConfigEntry, route: _Route, inbox: WebhookInbox
) -> None:
    """Hand what arrives at the route to ``inbox`` until the entry unloads."""

    async def handle(
        hass: HomeAssistant,  # noqa: ARG001 - the webhook component's signature
        webhook_id: str,
        request: Request,
    ) -> Response:
        if request.method != METH_POST:
            # Nothing read: a prober learns nothing.
            return Response(status=route.wrong_token)
        try:
            form = await request.post()
        except (ValueError, LookupError, HTTPException):
            # A body that is no form (or too big). Refused here: raised, Home
            # Assistant would log "Error processing webhook <id>" (the token).
            return Response(status=HTTPStatus.NOT_FOUND)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        verdict = inbox.deliver(route.token_of(webhook_id, request), fields)
        refused = verdict is WebhookVerdict.REFUSED
        return Response(status=HTTPStatus.NOT_FOUND if refused else HTTPStatus.OK)

    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        route.webhook_id,
        handle,
        allowed_methods=ALLOWED_METHODS,
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, route.webhook_id))
