"""An extension's enhanced services: their ACCESSIBILITY, never their on/off.

``ext.es.<service>.get/set`` and ``ext.es.states.get/set`` (seed 003, "Extension
Enhanced Services" and "... States") carry ``yes``/``no``/``pin``: Bicom's
administration manual calls them the service's accessibility options, Available,
Unavailable and PIN Required. Switching DND or forwarding is done through the
service's ``edit``; this module only reads accessibility before such an edit
(and refuses when it is ``no``), and changes it when an admin asks (``service``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from switchboard.core.concurrency import gather_or_cancel
from switchboard.core.errors import (
    SwitchboardFeatureUnavailableError,
    SwitchboardResponseError,
)
from switchboard.core.models import ExtensionFeature, FeatureOption, FeatureSpec
from switchboard.core.redaction import get_logger
from switchboard.plugins.pbxware.const import DISPLAY_NAME, USE_BULK_ES_STATES, VENDOR
from switchboard.plugins.pbxware.models import ES_SERVICE_NAMES, EsService, EsState

if TYPE_CHECKING:
    from switchboard.plugins.pbxware.client import PbxwareClient

_LOGGER = get_logger(__name__)
# Enhanced-service reads in flight at once when ext.es.states is missing (P8).
_ES_CONCURRENCY = 8
# Accessibility in words (Bicom administration manual, Enhanced Services).
_STATE_BY_OPTION: dict[str, EsState] = {
    "available": EsState.YES,
    "unavailable": EsState.NO,
    "pin": EsState.PIN,
}
_OPTION_BY_STATE = {state: key for key, state in _STATE_BY_OPTION.items()}
_OPTIONS = (
    FeatureOption(key="available", label="Available"),
    FeatureOption(key="unavailable", label="Unavailable"),
    FeatureOption(key="pin", label="PIN required"),
)
FEATURE_SPECS = tuple(
    FeatureSpec(key=service.value, name=ES_SERVICE_NAMES[service], options=_OPTIONS)
    for service in EsService
)
"""The 25 enhanced services of the manual as vendor-neutral features."""
# How refusals name the two services people switch most.
_SHORT_NAMES = {EsService.DND: "DND", EsService.CALLFWD: "Call forwarding"}


class EnhancedServices:
    """Reads and sets accessibility, with the bulk calls where PBXware has them.

    Args:
        client: The PBXware client.
        server: The tenant id.
    """

    def __init__(self, client: PbxwareClient, server: str) -> None:
        self._client = client
        self._server = server
        self._bulk = USE_BULK_ES_STATES
        """False once this PBXware refused ext.es.states (P8)."""

    async def require_available(self, extension_id: str, service: EsService) -> None:
        """Refuse, changing nothing, when ``service`` is Unavailable for the extension.

        Only an admin may change accessibility, so it is never changed as a side
        effect; ``pin`` still allows changes through the API.

        Raises:
            SwitchboardFeatureUnavailableError: ``get`` answered ``no``.
        """
        state = await self._client.get_es_state(
            extension_id, service, server=self._server
        )
        if state is not EsState.NO:
            return
        entries = await self._client.list_extensions(server=self._server)
        number = next((e.ext for e in entries if e.id == extension_id), extension_id)
        name = _SHORT_NAMES.get(service, ES_SERVICE_NAMES[service])
        msg = (
            f"{name} is not available for extension {number}; "
            "an admin can make it available."
        )
        raise SwitchboardFeatureUnavailableError(
            msg, vendor=VENDOR, feature=ES_SERVICE_NAMES[service]
        )

    async def features(self, extension_id: str) -> list[ExtensionFeature]:
        """Return every service's accessibility: one request, or 25 on older PBXware."""
        states = await self._states(extension_id)
        return [
            ExtensionFeature(spec=spec, value=_OPTION_BY_STATE[states[spec.key]])
            for spec in FEATURE_SPECS
            if spec.key in states
        ]

    async def set(self, extension_id: str, spec: FeatureSpec, option: str) -> None:
        """Set one service's accessibility to ``option`` (one of ``spec``'s keys)."""
        service, state = EsService(spec.key), _STATE_BY_OPTION[option]
        if self._bulk:
            try:
                await self._client.set_es_states(
                    extension_id, {service: state}, server=self._server, retry=False
                )
            except SwitchboardResponseError:
                self._fall_back()
            else:
                return
        await self._client.set_es_state(
            extension_id, service, state, server=self._server, retry=False
        )

    async def _states(self, extension_id: str) -> dict[str, EsState]:
        if self._bulk:
            try:
                return await self._client.get_es_states(
                    extension_id, server=self._server
                )
            except SwitchboardResponseError:
                self._fall_back()
        limit = asyncio.Semaphore(_ES_CONCURRENCY)

        async def one(service: EsService) -> EsState:
            async with limit:
                return await self._client.get_es_state(
                    extension_id, service, server=self._server
                )

        states: list[EsState] = await gather_or_cancel(*(one(s) for s in EsService))
        return {s.value: state for s, state in zip(EsService, states, strict=True)}

    def _fall_back(self) -> None:
        # P8: an older PBXware without ext.es.states.*: one call per service.
        self._bulk = False
        _LOGGER.info(
            "%s refused ext.es.states; using one request per enhanced service",
            DISPLAY_NAME,
        )
