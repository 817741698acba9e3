"""Every secret kind, echoed back in every encoding, reaches no output.

A PBX that refuses a key may quote it back the way it arrived: plain,
percent-encoded (``+`` as ``%2B``, or left bare), or base64. Each kind of secret
(an API key, a password, an OAuth client secret, a session token) is registered
the way its vendor registers it; a PBXware "PBX" then answers every request with
that secret in one encoding, and nothing the user or an operator sees may hold
it: the answer, ``--json``, the log, the audit log, the exception's ``repr``
and traceback, and the httpx error chained under it.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import traceback
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
import pytest

from switchboard.core.actors import Actor, Surface
from switchboard.core.cli.output import reply_json
from switchboard.core.commands import CommandService
from switchboard.core.config import parse_config
from switchboard.core.errors import SwitchboardError
from switchboard.core.redaction import register_secret
from switchboard.core.registry import available_vendors

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "percent %2B": lambda s: quote(s, safe=""),
    "percent +": lambda s: quote(s, safe="+"),
    "percent lower-case hex": lambda s: re.sub(
        "%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(s, safe="")
    ),
    "form-decoded": lambda s: s.replace("+", " "),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64 url-safe": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
}


async def _register_api_key(secret: str) -> None:
    # The PBXware connection below carries it: its transport registers it.
    del secret


async def _register_with(vendor: str, settings: dict[str, str]) -> None:
    # Building the vendor's backend registers its credentials, as in real use.
    plugin = available_vendors()[vendor]
    await plugin.create_backend(plugin.parse_settings(settings)).aclose()


async def _register_password(secret: str) -> None:
    await _register_with(
        "telecomx",
        {"url": "https://api.telecomx.test", "username": "a@b.dk", "password": secret},
    )


async def _register_oauth_secret(secret: str) -> None:
    await _register_with(
        "telphin",
        {
            "url": "https://apiproxy.telphin.test",
            "client_id": "client-id-1",
            "client_secret": secret,
        },
    )


async def _register_session_token(secret: str) -> None:
    # What TelecomX's and Telphin's auth do with every token they are handed.
    register_secret(secret, session_token=True)


KINDS: dict[str, Callable[[str], Awaitable[None]]] = {
    "api key": _register_api_key,
    "password": _register_password,
    "oauth secret": _register_oauth_secret,
    "session token": _register_session_token,
}


def _forms(secret: str) -> set[str]:
    """What must not appear anywhere: the secret in every encoding, and its core."""
    return {encode(secret) for encode in ENCODINGS.values()} | {"XYZ123"}


def _config(tmp_path: Path, api_key: str) -> object:
    raw = {
        "pbx": {
            "office": {
                "vendor": "pbxware",
                "url": "https://pbx.example.test",
                "api_key": "${SB_KEY}",
                "max_retries": 0,
            }
        },
        "policy": {"admins": ["alice"]},
        "state": {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"},
    }
    return parse_config(raw, env={"SB_KEY": api_key})


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("kind", list(KINDS))
async def test_no_output_shows_a_secret_in_any_encoding(
    kind: str, encoding: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer, --json, log, audit, repr and chained cause are all clean."""
    tag = kind.replace(" ", "-")
    secret = f"SECRET-{tag}+XYZ123/{encoding.replace(' ', '_')}=="
    await KINDS[kind](secret)
    api_key = secret if kind == "api key" else "PBXWARE-KEY+other/0000000000"
    echoed = ENCODINGS[encoding](secret)
    mode = {"fail": "answer"}

    def pbx(request: httpx.Request) -> httpx.Response:
        if mode["fail"] == "connect":
            msg = f"cannot connect to {request.url} as {echoed}"
            raise httpx.ConnectError(msg, request=request)
        return httpx.Response(200, json={"error": f"Invalid API key. {echoed}"})

    caplog.set_level(logging.DEBUG, logger="switchboard")
    caplog.set_level(logging.DEBUG, logger="httpx")
    config = _config(tmp_path, api_key)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(pbx)) as client,
        await CommandService.create(config, http_client=client) as service,  # type: ignore[arg-type]
    ):
        reply = await service.run("dnd on 201", Actor("alice", "Alice", Surface.CLI))
        slack = await service.run("call 201", Actor("alice", "Alice", Surface.SLACK))
        with pytest.raises(SwitchboardError) as refused:
            await service.backends.get("office").list_extensions()
        mode["fail"] = "connect"
        with pytest.raises(SwitchboardError) as unreachable:
            await service.backends.get("office").list_extensions()
        audit = await service.store.audit_entries(100)

    assert not reply.ok
    assert "refused the API key" in reply.text  # the answer is still useful
    assert unreachable.value.__cause__ is not None
    outputs = {
        "answer": reply.text + slack.text,
        "--json": json.dumps(reply_json(reply)) + json.dumps(reply_json(slack)),
        "log": caplog.text,
        "audit": " ".join(f"{e.action} {e.target} {e.detail}" for e in audit),
        "exception repr": repr(refused.value) + str(refused.value),
        "traceback": "".join(traceback.format_exception(refused.value))
        + "".join(traceback.format_exception(unreachable.value)),
        "chained cause": repr(unreachable.value.__cause__)
        + str(unreachable.value.__cause__.args),
    }
    assert len(audit) == 2
    for name, text in outputs.items():
        leaked = [form for form in _forms(secret) if form in text]
        assert not leaked, f"{kind} ({encoding}) leaked into the {name}: {leaked}"
    # The chained httpx error keeps no request, whose URL holds PBXware's key.
    cause = unreachable.value.__cause__
    assert isinstance(cause, httpx.HTTPError)
    with pytest.raises(RuntimeError):
        _ = cause.request
