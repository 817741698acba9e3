"""The shared client lifecycle: one transport, closed once, quota and repr from it."""

from __future__ import annotations

from typing import ClassVar

import httpx
import pytest

from switchboard.core.capabilities import Capability
from switchboard.core.client import ClientBackend, VendorClient
from switchboard.core.models import AccountInfo, RateLimitState
from switchboard.core.transport import Transport

SECRET = "k3y-never-shown-98765"


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={"ok": True},
        headers={
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "97",
            "X-RateLimit-Reset": "30",
        },
    )


class EchoClient(VendorClient):
    """A minimal vendor client: one call through its transport."""

    def __init__(self, http_client: httpx.AsyncClient | None = None) -> None:
        super().__init__(
            Transport(
                "http://pbx.test",
                vendor="echo",
                display_name="EchoPBX",
                http_client=http_client,
                auth_params={"key": SECRET},
            )
        )

    async def ping(self) -> None:
        await self._transport.request("GET", "/ping", idempotent=True)


class EchoBackend(ClientBackend[EchoClient]):
    vendor = "echo"
    display_name = "EchoPBX"

    def __init__(self, client: EchoClient) -> None:
        self.client = client

    async def account_info(self) -> AccountInfo:
        await self.client.ping()
        return AccountInfo(vendor="echo", unique_id="echo", name="EchoPBX")


def _mock_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(_answer))


async def test_closing_an_owning_client_closes_its_http_client() -> None:
    client = EchoClient()
    async with client as entered:
        assert entered is client
        assert not client.transport.client.is_closed
    assert client.transport.client.is_closed


async def test_a_borrowed_http_client_stays_open() -> None:
    http = _mock_http()
    async with EchoClient(http) as client:
        await client.ping()
    assert not http.is_closed
    await http.aclose()


async def test_rate_limit_is_the_transports_last_quota() -> None:
    async with _mock_http() as http:
        client = EchoClient(http)
        assert client.rate_limit is None
        await client.ping()
        assert client.rate_limit == client.transport.rate_limit
        assert client.rate_limit == RateLimitState(
            limit=100, remaining=97, reset_seconds=30.0
        )


def test_repr_names_the_client_and_vendor_but_not_the_secret() -> None:
    text = repr(EchoClient(_mock_http()))
    assert text.startswith("EchoClient(Transport(vendor='echo'")
    assert SECRET not in text


async def test_a_client_backend_reports_its_clients_quota() -> None:
    async with _mock_http() as http:
        backend = EchoBackend(EchoClient(http))
        before = backend.rate_limit
        await backend.account_info()
        after = backend.rate_limit
        assert before is None
        assert after is not None
        assert after.remaining == 97


async def test_closing_a_client_backend_closes_its_client() -> None:
    backend = EchoBackend(EchoClient())
    async with backend:
        assert not backend.client.transport.client.is_closed
    assert backend.client.transport.client.is_closed


def test_a_client_backend_still_checks_its_declarations() -> None:
    with pytest.raises(TypeError, match="declares STATUS"):

        class Liar(ClientBackend[EchoClient]):
            vendor = "liar"
            display_name = "Liar"
            capabilities: ClassVar[frozenset[Capability]] = frozenset(
                {Capability.STATUS}
            )
