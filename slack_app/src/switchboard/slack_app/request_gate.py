"""The gate in front of Bolt: nothing of a request is used before its signature holds.

Slack signs every HTTP request: ``X-Slack-Signature`` is ``v0=`` and the hex
HMAC-SHA256, keyed with the signing secret, of ``v0:{timestamp}:{raw body}``;
``X-Slack-Request-Timestamp`` is Unix seconds, and a request more than five
minutes old is to be refused (Slack, "Verifying requests from Slack").

The order is fixed, and each step looks at nothing the next one owns:

1. the signature, over the raw bytes: a missing, malformed or wrong signature
   or timestamp is a plain 401 (a short reason in the log, nothing from the
   body; no answer to any URL the body names);
2. the content type of a signed request: what Slack sends, else 415;
3. the body of a signed request: it must parse the way Bolt will parse it,
   else 400 with one log line (JSON that is not an Events API envelope is a
   content type Slack does not use for it: 415). Only then does Bolt see it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# Slack: "reject the request if the timestamp is more than five minutes from local time".
MAX_AGE_SECONDS = 5 * 60
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slash commands, interactivity and options loads come form-encoded; only the
# Events API posts JSON, always as one of these envelopes.
EVENTS_API_TYPES = frozenset({"event_callback", "url_verification", "app_rate_limited"})

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True)
class Refusal:
    """Why a request stops at the gate: an HTTP status and a fixed, short reason."""

    status: int
    reason: str


UNSIGNED = Refusal(401, "missing, malformed or wrong Slack signature")
STALE = Refusal(401, "Slack timestamp more than five minutes away")
WRONG_TYPE = Refusal(415, "content type Slack does not send")
JSON_NOT_EVENT = Refusal(415, "JSON is only for Events API envelopes")


class SignatureCheck:
    """Verifies Slack's ``v0`` signature over the raw request bytes."""

    def __init__(
        self, signing_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = signing_secret.encode()
        self._clock = clock

    def __repr__(self) -> str:
        return "SignatureCheck(<secret>)"

    def verify(
        self, timestamp: str | None, signature: str | None, body: bytes
    ) -> Refusal | None:
        """None when the request is Slack's; else why not."""
        if (
            not self._key
            or timestamp is None
            or signature is None
            or not _TIMESTAMP.fullmatch(timestamp)
            or not _SIGNATURE.fullmatch(signature)
        ):
            return UNSIGNED
        if abs(self._clock() - int(timestamp)) > MAX_AGE_SECONDS:
            return STALE
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._key, base, hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, signature) else UNSIGNED


def check_request(
    check: SignatureCheck,
    headers: Mapping[str, str],
    content_type: str,
    body: bytes,
) -> Refusal | str:
    """Run the gate; return the refusal, or the body as text for Bolt."""
    refused = check.verify(
        headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body
    )
    if refused is not None:
        return refused
    if content_type not in {FORM, JSON}:
        return WRONG_TYPE
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    if content_type == JSON:
        return _check_json(text)
    problem = _form_problem(text)
    return Refusal(400, problem) if problem else text


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _check_json(text: str) -> Refusal | str:
    envelope = _json_object(text)
    if envelope is None:
        return Refusal(400, "JSON body is not a JSON object")
    if envelope.get("type") not in EVENTS_API_TYPES:
        # Slack posts JSON only for the Events API; a command or a click in
        # JSON is a content type Slack does not use for it.
        return JSON_NOT_EVENT
    return text


def _form_problem(text: str) -> str | None:
    # Bolt reads any body starting with "{" as JSON, and a form with a payload
    # field as that field's JSON (slack_bolt.request.internals.parse_body).
    if text.startswith("{"):
        return "form body holds JSON"
    fields = dict(parse_qsl(text, keep_blank_values=True))
    payload = fields.get("payload")
    if payload is not None and _json_object(payload) is None:
        return "payload field is not a JSON object"
    return None
