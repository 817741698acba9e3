"""Sign requests the way Slack does (v0, HMAC-SHA256 over ``v0:ts:body``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-0123456789"


def signed_headers(
    body: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature or "",
    }


def signed_bytes_headers(
    body: bytes, *, content_type: str = "application/x-www-form-urlencoded"
) -> dict[str, str]:
    """Sign raw bytes (which need not be UTF-8) the way Slack does."""
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": f"v0={digest}",
    }


def command_body(
    text: str, *, user: str, response_url: str, trigger_id: str = "T.1"
) -> str:
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": "T0000001",
            "team_domain": "switchboard-test",
            "channel_id": "C0000001",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/pbx",
            "text": text,
            "api_app_id": "A0000001",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": "T0000001",
            "api_app_id": "A0000001",
            "event": event,
            "type": "event_callback",
            "event_id": "Ev0000001",
            "event_time": int(time.time()),
        }
    )


def number_pick_submission(
    user: str, private_metadata: str, number: str
) -> dict[str, Any]:
    """The number picker's ``view_submission`` with ``number`` chosen."""
    return {
        "type": "view_submission",
        "team": {"id": "T0000001"},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A0000001",
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": "pbx_call_number_pick",
            "private_metadata": private_metadata,
            "state": {
                "values": {
                    "number": {"number_choice": {"selected_option": {"value": number}}}
                }
            },
        },
    }
