"""Async client of the MiRTA PBX legacy proxy API (``proxyapi.php``).

Every request is ``GET <proxy path>?key=…&tenant=…&reqtype=…&format=…`` and
goes through :meth:`MirtaClient._request`, the one place that knows the
vendor's in-band signals (vendor-apis.md §2.4):

* HTTP 200 with ``Too bad... you mistaken the security api key.`` is a refused
  key or tenant, whatever the content type claims;
* a 0-byte body, JSON ``null`` or the lone ``]`` mean "no rows" for lists and
  "not found" for single objects;
* JSON rows may repeat every value under positional keys ``"0"``..``"n"``;
* extension records carry credentials, dropped before anything else sees them.

Reads and nothing else are retried: DND set is an explicit-state setter, but
the vendor documents neither its reply nor its semantics, so it is treated as
a write like DIAL, HANGUP, TRANSFER and SETFLOW.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from switchboard.core.client import VendorClient
from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConfigError,
    SwitchboardError,
    SwitchboardInvalidInputError,
    SwitchboardNotFoundError,
    SwitchboardResponseError,
)
from switchboard.core.redaction import get_logger, redact_url
from switchboard.core.responses import parse_json, validate
from switchboard.core.transport import RetryPolicy, Transport
from switchboard.plugins.mirta.const import (
    BAD_KEY_BODY,
    DISPLAY_NAME,
    DND_REQTYPE,
    PROXY_API_PATH,
    VENDOR,
)
from switchboard.plugins.mirta.inputs import (
    check_date,
    check_flow_state,
    check_id,
    check_number,
    dial_options,
)
from switchboard.plugins.mirta.models import (
    ActionReply,
    CallInfo,
    Cdr,
    Channel,
    Did,
    ExtensionRecord,
    ExtState,
    FlowRecord,
    Peer,
    PeerCount,
    parse_flag,
)
from switchboard.plugins.mirta.parsing import (
    drop_credentials,
    drop_positional_keys,
    parse_pipe_fields,
)
from switchboard.plugins.mirta.payload import Payload, validate_rows

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import httpx

_LOGGER = get_logger(__name__)

ResponseFormat = Literal["json", "plain"]
Recording = Literal["yes", "no", "yeschange", "nochange"]

# Plain-format headers we expect; only used to repair a header line that is not
# followed by a newline (parse_pipe_table reads any other header as it is).
EXTENSION_COLUMNS = ("Number", "Name", "Tech", "State", "Username", "Password")
DID_COLUMNS = ("Number", "Comment", "Destination")
CDR_COLUMNS = (
    "uniqueid",
    "src",
    "dst",
    "start",
    "duration",
    "direction",
    "disposition",
)


def _map_status(response: httpx.Response) -> SwitchboardError | None:
    """The vendor's table for non-2xx answers (the rest is the generic one)."""
    if response.status_code == 404:
        path = redact_url(str(response.request.url)).split("?", 1)[0]
        msg = (
            f"There is no {DISPLAY_NAME} proxy API at {path}. Check the URL and the "
            f"proxy path (production servers use {PROXY_API_PATH}, the vendor demo "
            "/mirtapbx/proxyapi.php)."
        )
        return SwitchboardConfigError(msg, vendor=VENDOR, status_code=404)
    return None


class MirtaClient(VendorClient):
    """One MiRTA tenant behind the legacy proxy API.

    Args:
        base_url: Scheme and host of the PBX, e.g. ``https://pbx.example.com``.
        api_key: The tenant (or admin) API key.
        tenant: The tenant code.
        proxy_path: Path of ``proxyapi.php`` (M1).
        timeout: Seconds one attempt may take.
        max_retries: Retries of reads.
        http_client: A client to borrow (never closed here).
        response_format: ``json`` (default) or ``plain``; both are parsed.
    """

    def __init__(  # noqa: PLR0913 - all keyword configuration
        self,
        base_url: str,
        *,
        api_key: str,
        tenant: str,
        proxy_path: str = PROXY_API_PATH,
        timeout: float = 10.0,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        response_format: ResponseFormat = "json",
    ) -> None:
        self.tenant = tenant
        self.response_format: ResponseFormat = response_format
        self._path = "/" + proxy_path.lstrip("/")
        super().__init__(
            Transport(
                base_url,
                vendor=VENDOR,
                display_name=DISPLAY_NAME,
                timeout=timeout,
                retry=RetryPolicy(max_retries=max_retries),
                http_client=http_client,
                auth_params={"key": api_key},
                error_mapper=_map_status,
            )
        )

    def __repr__(self) -> str:
        return f"MirtaClient(tenant={self.tenant!r}, transport={self._transport!r})"

    # -- the chokepoint ------------------------------------------------------------

    async def _request(
        self,
        reqtype: str,
        *,
        idempotent: bool,
        params: Sequence[tuple[str, str]] = (),
        shared: bool = False,
    ) -> Payload:
        """Send one proxy API request and decode its body.

        ``shared`` marks a bulk read that identical reads in flight may share.

        Raises:
            SwitchboardAuthError: The PBX refused the key or the tenant code.
            SwitchboardResponseError: The body is neither JSON nor a pipe table.
            SwitchboardError: Whatever the transport raised.
        """
        query = [
            ("tenant", self.tenant),
            ("reqtype", reqtype),
            ("format", self.response_format),
            *params,
        ]
        response = await self._transport.request(
            "GET", self._path, idempotent=idempotent, params=query, shared=shared
        )
        body = response.content.strip()
        # Sizes and types only: bodies can hold credentials (extension records).
        _LOGGER.debug(
            "%s %s answered %d bytes (%s)",
            DISPLAY_NAME,
            reqtype,
            len(body),
            response.headers.get("content-type", "no content type"),
        )
        # Before any decoding: the refusal comes as HTTP 200, even as "JSON".
        if body == BAD_KEY_BODY.encode():
            msg = (
                f"{DISPLAY_NAME} refused the API key or the tenant code "
                f"{self.tenant!r}; check both in the connection settings."
            )
            raise SwitchboardAuthError(msg, vendor=VENDOR, status_code=200)
        if body in (b"", b"]", b"null"):
            return Payload(reqtype, empty=True)
        content_type = response.headers.get("content-type", "").lower()
        if content_type.startswith(("audio/", "application/octet-stream")):
            return Payload(reqtype, empty=False, content=response.content)
        if body[:1] in (b"{", b"["):
            data = parse_json(response, vendor=VENDOR, display_name=DISPLAY_NAME)
            empty = data is None or data in ([], {})
            return Payload(reqtype, empty=empty, data=data, is_json=True)
        if body[:1] == b"<":
            # A PHP error page (or a proxy's HTML), never a proxy API answer.
            msg = f"{DISPLAY_NAME} answered {reqtype} with an HTML page ({len(body)} bytes) instead of data."
            raise SwitchboardResponseError(
                msg, vendor=VENDOR, status_code=response.status_code
            )
        return Payload(reqtype, empty=False, text=body.decode("utf-8", "replace"))

    # -- status ---------------------------------------------------------------------

    async def extensions(self) -> list[ExtensionRecord]:
        """List the tenant's extensions (``INFO&info=extensions``).

        Credential fields (SIP and web passwords, 2FA, PINs) are dropped here,
        before validation, so they are never stored or logged.
        """
        payload = await self._request(
            "INFO", idempotent=True, params=[("info", "extensions")], shared=True
        )
        rows = [drop_credentials(r) for r in payload.rows(EXTENSION_COLUMNS)]
        return validate_rows(ExtensionRecord, rows, "INFO extensions")

    async def peers(self) -> list[Peer]:
        """List the peers registered on all nodes (``PEERS``), in one request."""
        payload = await self._request("PEERS", idempotent=True, shared=True)
        rows = [drop_credentials(r) for r in payload.rows()]
        return validate_rows(Peer, rows, "PEERS")

    async def count_peers(self) -> PeerCount:
        """Count registered peers per node and in total (``COUNTPEERS``)."""
        payload = await self._request("COUNTPEERS", idempotent=True)
        counts: dict[str, Any]
        if payload.empty:
            counts = {}
        elif payload.is_json and isinstance(payload.data, dict):
            counts = drop_positional_keys(payload.data)
        elif payload.is_json:
            counts = {"total": payload.data}
        else:
            counts = {}
            for line in payload.text.splitlines():
                fields = parse_pipe_fields(line)
                if len(fields) >= 2:
                    counts[fields[0]] = fields[1]
                elif len(fields) == 1 and fields[0]:
                    counts["total"] = fields[0]
        total = next((v for k, v in counts.items() if k.lower() == "total"), None)
        nodes = {k: v for k, v in counts.items() if k.lower() != "total"}
        data = {
            "total": total
            if total is not None
            else sum(_to_int(v) for v in nodes.values()),
            "nodes": nodes,
        }
        return validate(
            PeerCount,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what="COUNTPEERS answer",
        )

    async def ext_state(self, number: str) -> ExtState:
        """Read one extension's state (``INFO&info=EXTSTATE&ext=``)."""
        number = check_number(number, "The extension")
        payload = await self._request(
            "INFO", idempotent=True, params=[("info", "EXTSTATE"), ("ext", number)]
        )
        data = payload.one(f"extension {number}")
        return validate(
            ExtState,
            data,
            vendor=VENDOR,
            display_name=DISPLAY_NAME,
            what="EXTSTATE answer",
        )

    # -- DND ------------------------------------------------------------------------------

    async def get_dnd(self, number: str) -> bool:
        """Read an extension's DND (``DND&action=get&number=``)."""
        number = check_number(number, "The extension")
        payload = await self._request(
            DND_REQTYPE, idempotent=True, params=[("action", "get"), ("number", number)]
        )
        what = f"extension {number}"
        if payload.empty:
            raise payload.not_found(what)
        if payload.is_json:
            data = payload.one(what)
            raw = next(
                (data[k] for k in ("value", "dnd", "status", "Value") if k in data),
                None,
            )
        else:
            fields = parse_pipe_fields(payload.text)
            raw = fields[-1] if len(fields) > 1 else (fields[0] if fields else None)
        flag = parse_flag(raw)
        if flag is None:
            msg = "a DND value we cannot read"
            raise payload.unreadable(msg)
        return flag

    async def set_dnd(self, number: str, *, enabled: bool) -> ActionReply:
        """Switch an extension's DND on or off (``value=on`` / empty value).

        Not retried: the vendor documents neither the reply nor what a repeated
        request does, and Switchboard never repeats a write it cannot verify.
        """
        number = check_number(number, "The extension")
        payload = await self._request(
            DND_REQTYPE,
            idempotent=False,
            params=[
                ("action", "set"),
                ("number", number),
                ("value", "on" if enabled else ""),
            ],
        )
        return payload.reply(f"extension {number}")

    # -- calls ---------------------------------------------------------------------------

    async def dial(  # noqa: PLR0913 - one keyword per documented DIAL parameter
        self,
        source: str,
        dest: str,
        *,
        account: str | None = None,
        sourceclid: str | None = None,
        destclid: str | None = None,
        dialtimeout: int | None = None,
        timeout: int | None = None,  # noqa: ASYNC109 - the vendor's call-length parameter
        recording: Recording | None = None,
        autoanswer: bool | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> ActionReply:
        """Ring ``source`` and connect it to ``dest`` (``DIAL``). Never retried.

        Args:
            source: The first number to ring (``ACCOUNT`` for the account's number).
            dest: The number to connect.
            account: Account to simulate the call from (``SOURCE`` for the source's).
            sourceclid: Caller id shown when ringing the source.
            destclid: Caller id shown to the destination.
            dialtimeout: Seconds to ring.
            timeout: Maximum call length in seconds.
            recording: ``yes``, ``no``, ``yeschange`` or ``nochange``.
            autoanswer: Ask the source phone to answer by itself.
            variables: Channel variables (the PBX prefixes the tenant code).

        Returns:
            The reply; ``id`` is the originate id for ``INFO&info=call``.
        """
        params = [
            ("source", check_number(source, "The source")),
            ("dest", check_number(dest, "The destination")),
        ]
        params.extend(
            dial_options(
                account=account,
                sourceclid=sourceclid,
                destclid=destclid,
                dialtimeout=dialtimeout,
                timeout=timeout,
                recording=recording,
                autoanswer=autoanswer,
                variables=dict(variables or {}),
            )
        )
        payload = await self._request("DIAL", idempotent=False, params=params)
        return payload.reply(f"the numbers {source} or {dest}")

    async def call_info(self, call_id: str) -> CallInfo:
        """Read an originated call (``INFO&info=call&id=``)."""
        call_id = check_id(call_id, "call id")
        payload = await self._request(
            "INFO", idempotent=True, params=[("info", "call"), ("id", call_id)]
        )
        data = payload.one(f"call {call_id}")
        return validate(
            CallInfo, data, vendor=VENDOR, display_name=DISPLAY_NAME, what="call info"
        )

    async def recording(self, call_id: str) -> bytes:
        """Download a call's recording (``INFO&info=recording&id=``)."""
        call_id = check_id(call_id, "call id")
        payload = await self._request(
            "INFO", idempotent=True, params=[("info", "recording"), ("id", call_id)]
        )
        if payload.empty:
            msg = f"{DISPLAY_NAME} has no recording for call {call_id}."
            raise SwitchboardNotFoundError(msg, vendor=VENDOR)
        if not payload.content:
            detail = "data where a recording was expected"
            raise payload.unreadable(detail)
        return payload.content

    async def cdrs(
        self, start: str, end: str, *, phone: str | None = None
    ) -> list[Cdr]:
        """List call records between two dates (``INFO&info=cdrs``)."""
        params = [
            ("info", "cdrs"),
            ("start", check_date(start)),
            ("end", check_date(end)),
        ]
        if phone is not None:
            params.append(("phone", check_number(phone, "The phone filter")))
        payload = await self._request("INFO", idempotent=True, params=params)
        return validate_rows(Cdr, payload.rows(CDR_COLUMNS), "INFO cdrs")

    async def dids(self) -> list[Did]:
        """List the tenant's DIDs (``INFO&info=dids``)."""
        payload = await self._request(
            "INFO", idempotent=True, params=[("info", "dids")]
        )
        return validate_rows(Did, payload.rows(DID_COLUMNS), "INFO dids")

    async def channels(self) -> list[Channel]:
        """List the tenant's live channels (``CHANNELS``)."""
        payload = await self._request("CHANNELS", idempotent=True, shared=True)
        return validate_rows(Channel, payload.rows(), "CHANNELS")

    async def count_calls(self) -> int:
        """Count the calls in progress (``COUNTCALLS``)."""
        payload = await self._request("COUNTCALLS", idempotent=True)
        if payload.empty:
            return 0
        raw: Any = (
            payload.data
            if payload.is_json
            else (parse_pipe_fields(payload.text) or [""])[-1]
        )
        if isinstance(raw, dict):
            raw = next(iter(drop_positional_keys(raw).values()), None)
        try:
            return _to_int(raw, strict=True)
        except ValueError:
            msg = "something that is not a number"
            raise payload.unreadable(msg) from None

    async def hangup(
        self, *, channel: str | None = None, extension: str | None = None
    ) -> ActionReply:
        """Hang up a channel, or every channel of ``<number>-<tenant>``. Never retried."""
        if (channel is None) == (extension is None):
            msg = "Give exactly one of a channel or an extension to hang up."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        params = (
            [("channel", check_id(channel, "channel"))]
            if channel
            else [("extension", check_number(extension or "", "The extension"))]
        )
        payload = await self._request("HANGUP", idempotent=False, params=params)
        return payload.reply(f"channel {channel or extension}")

    async def transfer(
        self, channel: str, dest: str, *, extrachannel: str | None = None
    ) -> ActionReply:
        """Transfer a channel (and optionally a second one) to ``dest``. Never retried."""
        params = [
            ("channel", check_id(channel, "channel")),
            ("dest", check_number(dest, "The destination")),
        ]
        if extrachannel is not None:
            params.append(("extrachannel", check_id(extrachannel, "extra channel")))
        payload = await self._request("TRANSFER", idempotent=False, params=params)
        return payload.reply(f"channel {channel}")

    # -- flows ------------------------------------------------------------------------

    async def flows(self) -> list[FlowRecord]:
        """List the tenant's flows with their state (``FLOWS``)."""
        payload = await self._request("FLOWS", idempotent=True)
        return validate_rows(FlowRecord, payload.rows(), "FLOWS")

    async def set_flow(
        self, number: str, *, state: str | None = None, value: str | None = None
    ) -> ActionReply:
        """Set a flow's state and/or variable value (``SETFLOW``). Never retried.

        Args:
            number: The flow number.
            state: ``INUSE``, ``NOT_INUSE``, ``UNAVAILABLE`` or ``RINGING``.
            value: A value for the flow's variable.
        """
        number = check_number(number, "The flow number")
        if state is None and value is None:
            msg = "SETFLOW needs a state or a value."
            raise SwitchboardInvalidInputError(msg, vendor=VENDOR)
        params = [("number", number)]
        if state is not None:
            params.append(("state", check_flow_state(state)))
        if value is not None:
            params.append(("value", value))
        payload = await self._request("SETFLOW", idempotent=False, params=params)
        return payload.reply(f"flow {number}")


def _to_int(value: Any, *, strict: bool = False) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        if strict:
            raise ValueError from None
        return 0
