"""The one place that speaks HTTP to a PBX.

Every vendor client sends its requests through a :class:`Transport`, which

* builds (or borrows) the ``httpx.AsyncClient``: timeouts and pooling come from
  configuration, an injected client (Home Assistant's shared one) is never closed;
* retries with exponential backoff and jitter, and only requests the caller marks
  idempotent (reads, explicit-state setters) -- never dial, record or flow writes;
  ``Retry-After`` is obeyed;
* turns every httpx error and HTTP status into the :mod:`switchboard.core.errors` tree;
* keeps secrets out of log records, exception messages and reprs;
* remembers the ``X-RateLimit-*`` quota the vendor reported last;
* lets identical pure reads in flight at the same time share one request
  (:mod:`switchboard.core.shared_reads`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

import httpx

from switchboard.core.errors import (
    SwitchboardAuthError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardNotFoundError,
    SwitchboardPermissionError,
    SwitchboardRateLimitError,
    SwitchboardResponseError,
    SwitchboardTimeoutError,
)
from switchboard.core.lifecycle import AsyncClosing
from switchboard.core.models import RateLimitState
from switchboard.core.redaction import (
    get_logger,
    redact_text,
    redact_url,
    register_secret,
    scrub_exception,
)
from switchboard.core.shared_reads import SharedReads

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

_LOGGER = get_logger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = 10.0

ErrorMapper: TypeAlias = "Callable[[httpx.Response], SwitchboardError | None]"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How idempotent requests are retried.

    Attributes:
        max_retries: Retries after the first attempt (0 disables retrying).
        initial_delay: Backoff before the first retry, in seconds.
        max_delay: Upper bound of one backoff, in seconds.
        jitter: Fraction of each backoff that is randomised (0.25 = +/-25 %).
        max_retry_after: A longer ``Retry-After`` is not waited for: the
            rate-limit error is raised at once, carrying the delay.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Return the delay before retry number ``attempt`` (0-based)."""
        base: float = min(self.max_delay, self.initial_delay * (2**attempt))
        return max(0.0, base * (1 + random.uniform(-self.jitter, self.jitter)))


def parse_retry_after(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# Waits shorter than this are said in seconds, longer ones in minutes.
SECONDS_SHOWN_BELOW = 90


def wait_hint(seconds: float | None) -> str:
    """How long to wait, as a sentence for a rate-limit message ('' when unknown)."""
    if seconds is None:
        return ""
    if seconds < SECONDS_SHOWN_BELOW:
        return f" Try again in {max(1, math.ceil(seconds))} s."
    return f" Try again in {math.ceil(seconds / 60)} min."


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


class Transport(AsyncClosing):
    """HTTP plumbing shared by all vendor clients.

    Args:
        base_url: Scheme, host and optional path prefix of the PBX API.
        vendor: Plugin name, used in errors and logs.
        display_name: Vendor name as users know it, used in messages.
        timeout: Seconds one attempt may take, connecting included. It is enforced
            with an asyncio deadline too, so it holds for in-process transports
            (``httpx.ASGITransport``), which ignore httpx's own timeouts.
        retry: The retry policy for idempotent requests.
        http_client: A client to borrow (never closed here).
        secrets: Credential values to keep out of every log line and message.
        auth_params: Query parameters added to every request (e.g. ``apikey``).
        headers: Headers added to every request.
        error_mapper: The vendor's table for non-2xx answers; returns ``None``
            to fall back to the generic status mapping.
        sleep: Injected for tests.
    """

    def __init__(  # noqa: PLR0913 - all keyword configuration
        self,
        base_url: str,
        *,
        vendor: str,
        display_name: str,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_client: httpx.AsyncClient | None = None,
        secrets: Iterable[str] = (),
        auth_params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        error_mapper: ErrorMapper | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.vendor = vendor
        self.display_name = display_name
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._auth_params = dict(auth_params or {})
        self._headers = dict(headers or {})
        self._error_mapper = error_mapper
        self._sleep = sleep
        self.rate_limit: RateLimitState | None = None
        # No log filter is installed here: a library leaves the host's and third
        # parties' loggers alone (Home Assistant sets httpx to WARNING itself).
        # Applications that own their logging (CLI, Slack app) call
        # install_log_filter() at start.
        self._shared: SharedReads[httpx.Response] = SharedReads()
        for secret in (*secrets, *self._auth_params.values()):
            register_secret(secret)
        self._owns_client = http_client is None
        self._client = http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    def __repr__(self) -> str:
        return (
            f"Transport(vendor={self.vendor!r}, base_url={redact_url(self.base_url)!r})"
        )

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying httpx client (borrowed or owned)."""
        return self._client

    async def aclose(self) -> None:
        """Close the httpx client if this transport created it."""
        if self._owns_client:
            await self._client.aclose()

    async def request(  # noqa: PLR0913 - mirrors httpx's keyword arguments
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a per-request override
        shared: bool = False,
    ) -> httpx.Response:
        """Send one request and return its 2xx response.

        Args:
            method: HTTP method.
            path: Path below ``base_url`` (or an absolute URL).
            idempotent: True when repeating the request is harmless (reads,
                explicit-state setters). Only then is it retried.
            params: Query parameters (a list keeps repeated PHP ``name[]`` keys).
            json: A JSON body.
            data: A form body.
            headers: Extra headers for this request.
            timeout: Overrides the configured timeout for this request.
            shared: A pure read (no body): identical shared reads in flight at
                the same time share one request and its response.

        Raises:
            SwitchboardError: A subclass saying what went wrong.
        """
        send = partial(
            self._send,
            method,
            path,
            idempotent=idempotent,
            params=params,
            json=json,
            data=data,
            headers=headers,
            timeout=timeout,
        )
        if not shared or json is not None or data is not None:
            self._shared.other_request()
            return await send()
        items = params if isinstance(params, list) else list((params or {}).items())
        key = (
            method,
            path,
            tuple((str(k), str(v)) for k, v in items),
            tuple(sorted((headers or {}).items())),
            timeout,
        )
        return await self._shared.read(key, send)

    async def _send(  # noqa: PLR0913 - the keyword arguments of request()
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,  # noqa: ASYNC109 - a per-request override
    ) -> httpx.Response:
        url = (
            path
            if path.startswith(("http://", "https://"))
            else f"{self.base_url}/{path.lstrip('/')}"
        )
        query: list[tuple[str, Any]] = (
            list(params) if isinstance(params, list) else list((params or {}).items())
        )
        query.extend(self._auth_params.items())
        seconds = timeout if timeout is not None else self.timeout
        attempts = self.retry.max_retries + 1 if idempotent else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            started = time.perf_counter()
            try:
                async with asyncio.timeout(seconds):
                    response = await self._client.request(
                        method,
                        url,
                        params=query,
                        json=json,
                        data=data,
                        headers={**self._headers, **(headers or {})},
                        timeout=seconds,
                    )
            except (httpx.TimeoutException, TimeoutError) as err:
                if not last:
                    await self._wait_before_retry(
                        attempt, None, f"timed out ({type(err).__name__})"
                    )
                    continue
                raise self._timeout_error(err, seconds, sent=not idempotent) from err
            except httpx.HTTPError as err:
                if not last:
                    await self._wait_before_retry(attempt, None, type(err).__name__)
                    continue
                raise self._connection_error(err) from err
            self._remember_rate_limit(response)
            # Checked first: redacting the URL costs more than the rest of the
            # request's own bookkeeping, and the line is rarely wanted.
            if _LOGGER.isEnabledFor(logging.DEBUG):
                _LOGGER.debug(
                    "%s %s -> %d in %.0f ms",
                    method,
                    redact_url(str(response.request.url)),
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                )
            if response.is_success:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None and response.status_code == 429:
                # Quota-style limits (Telphin) say when the window resets instead.
                retry_after = parse_retry_after(
                    response.headers.get("X-RateLimit-Reset")
                )
            if (
                not last
                and response.status_code in RETRYABLE_STATUS
                and (retry_after is None or retry_after <= self.retry.max_retry_after)
            ):
                await self._wait_before_retry(
                    attempt, retry_after, f"HTTP {response.status_code}"
                )
                continue
            raise self._status_error(response, retry_after)
        raise AssertionError  # pragma: no cover - the loop always returns or raises

    # -- helpers -----------------------------------------------------------------

    async def _wait_before_retry(
        self, attempt: int, retry_after: float | None, reason: str
    ) -> None:
        delay = retry_after if retry_after is not None else self.retry.backoff(attempt)
        _LOGGER.info(
            "%s request failed (%s); retrying in %.2f s",
            self.display_name,
            reason,
            delay,
        )
        await self._sleep(delay)

    def _remember_rate_limit(self, response: httpx.Response) -> None:
        remaining = _int_header(response, "X-RateLimit-Remaining")
        if remaining is None:
            return
        reset = response.headers.get("X-RateLimit-Reset")
        self.rate_limit = RateLimitState(
            limit=_int_header(response, "X-RateLimit-Limit"),
            remaining=remaining,
            reset_seconds=parse_retry_after(reset),
        )

    def _timeout_error(
        self, err: Exception, seconds: float, *, sent: bool
    ) -> SwitchboardTimeoutError:
        """The timeout error; ``sent`` marks a write that is not safe to repeat.

        A write whose connection was never made (or never left the pool) did not
        reach the PBX: its outcome is known, nothing happened.
        """
        scrub_exception(err)
        msg = f"{self.display_name} did not answer within {seconds:g} s."
        unknown = sent and not isinstance(err, httpx.ConnectTimeout | httpx.PoolTimeout)
        return SwitchboardTimeoutError(
            msg, vendor=self.vendor, timeout=seconds, outcome_unknown=unknown
        )

    def _connection_error(self, err: httpx.HTTPError) -> SwitchboardConnectionError:
        scrub_exception(err)
        detail = redact_text(str(err)) or type(err).__name__
        msg = f"Could not reach {self.display_name} at {redact_url(self.base_url)}: {detail}"
        return SwitchboardConnectionError(msg, vendor=self.vendor)

    def _status_error(
        self, response: httpx.Response, retry_after: float | None
    ) -> SwitchboardError:
        if self._error_mapper is not None:
            mapped = self._error_mapper(response)
            if mapped is not None:
                return mapped
        return status_error(
            response.status_code,
            vendor=self.vendor,
            display_name=self.display_name,
            retry_after=retry_after
            if retry_after is not None
            else (self.rate_limit.reset_seconds if self.rate_limit else None),
        )


def status_error(  # noqa: PLR0911 - one return per row of the table
    status: int,
    *,
    vendor: str,
    display_name: str,
    retry_after: float | None = None,
    detail: str = "",
) -> SwitchboardError:
    """Map an HTTP status to the error tree (the generic table; vendors refine it)."""
    suffix = f": {redact_text(detail)}" if detail else "."
    if status == 401:
        return SwitchboardAuthError(
            f"{display_name} refused our credentials{suffix}",
            vendor=vendor,
            status_code=status,
        )
    if status == 403:
        return SwitchboardPermissionError(
            f"{display_name} does not allow this account to do that{suffix}",
            vendor=vendor,
            status_code=status,
        )
    if status == 404:
        return SwitchboardNotFoundError(
            f"{display_name} does not know that object{suffix}",
            vendor=vendor,
            status_code=status,
        )
    if status == 408:
        return SwitchboardTimeoutError(
            f"{display_name} timed out{suffix}", vendor=vendor
        )
    if status == 429:
        return SwitchboardRateLimitError(
            f"{display_name} is rate limiting us{suffix}{wait_hint(retry_after)}",
            vendor=vendor,
            retry_after=retry_after,
        )
    if status >= 500:
        err = SwitchboardConnectionError(
            f"{display_name} failed with HTTP {status}{suffix}", vendor=vendor
        )
        err.status_code = status
        return err
    return SwitchboardResponseError(
        f"{display_name} rejected the request with HTTP {status}{suffix}",
        vendor=vendor,
        status_code=status,
    )
