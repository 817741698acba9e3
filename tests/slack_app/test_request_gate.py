"""Nothing before the signature; replies only to Slack (issue 14, items 1-4).

Every request goes to the real aiohttp + Bolt server on a loopback port; the
fake Slack records every outgoing call, the emulator counts every PBX request.
Unsigned requests must cause none of either, no state change, no traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from switchboard.core.demo import USER
from switchboard.slack_app.http_server import EVENTS_PATH
from switchboard.slack_app.reply_urls import (
    SLACK_REPLY_ORIGINS,
    allowed_reply_url,
    normalise_origins,
)
from switchboard.slack_app.request_gate import SignatureCheck
from tests.slack_app.fake_slack import serve_fake_slack
from tests.slack_app.signing import (
    command_body,
    interactive_body,
    number_pick_submission,
    signed_bytes_headers,
    signed_headers,
)

if TYPE_CHECKING:
    from tests.slack_app.conftest import Rig

FORM = "application/x-www-form-urlencoded"


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.exc_text]


async def _raw_post(
    rig: Rig, body: bytes | str, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    response = await rig.http.post(
        f"{rig.url}{EVENTS_PATH}", content=body, headers=headers
    )
    return response.status_code, response.json()


async def _nothing_went_out(rig: Rig, pbx_before: int) -> None:
    await asyncio.sleep(0.2)  # a wrongly started listener would show itself
    assert rig.slack.calls == []
    assert rig.emulator.request_count() == pbx_before
    assert rig.app.board.pending == 0
    assert (await rig.status_of(USER)).dnd is False


def _dnd_on(rig: Rig) -> str:
    return command_body("dnd on", user=USER, response_url=rig.slack.response_url())


def _unsigned_variants(rig: Rig) -> list[tuple[bytes | str, dict[str, str]]]:
    form = _dnd_on(rig)
    payload = interactive_body(
        {
            "type": "block_actions",
            "user": {"id": USER},
            "response_url": rig.slack.response_url(),
            "actions": [{"action_id": "pbx_run:dnd", "value": "dnd on"}],
        }
    )
    bad = {"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=deadbeef"}
    now = str(int(time.time()))
    return [
        # The report: a malformed timestamp and signature, form body.
        (form, {"content-type": FORM, **bad}),
        (payload, {"content-type": FORM, **bad}),
        # No signature headers at all.
        (form, {"content-type": FORM}),
        # A well-formed timestamp with a signature of the wrong shape.
        (
            form,
            {
                "content-type": FORM,
                "x-slack-request-timestamp": now,
                "x-slack-signature": "v0=" + "g" * 64,
            },
        ),
        (
            form,
            {
                "content-type": FORM,
                "x-slack-request-timestamp": "9" * 30,
                "x-slack-signature": "v0=" + "0" * 64,
            },
        ),
        (
            form,
            {
                "content-type": FORM,
                "x-slack-request-timestamp": "-1",
                "x-slack-signature": "v1=" + "0" * 64,
            },
        ),
        # Garbage bodies that used to be parsed before the signature check.
        ("{not json", {"content-type": "application/json", **bad}),
        ("{not json", {"content-type": FORM, **bad}),
        ("payload={broken", {"content-type": FORM, **bad}),
        (b"\xff\xfe\x00garbage", {"content-type": FORM, **bad}),
        # A wrong content type is no reason to look further either.
        (form, {"content-type": "text/plain", **bad}),
    ]


async def test_unsigned_requests_get_a_plain_401_and_nothing_else(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    before = rig.emulator.request_count()
    with caplog.at_level(logging.DEBUG):
        for body, headers in _unsigned_variants(rig):
            status, answer = await _raw_post(rig, body, headers)
            assert status == 401, (body, headers)
            assert "signature" in answer["error"] or "timestamp" in answer["error"]
        await _nothing_went_out(rig, before)
    assert _tracebacks(caplog) == []
    refusals = [r for r in caplog.records if "Refused a request" in r.getMessage()]
    assert len(refusals) == len(_unsigned_variants(rig))
    # The log line names the reason, never anything from the request.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "response_url" not in logged
    assert rig.slack.response_url() not in logged
    assert "deadbeef" not in logged


async def test_a_stale_but_well_formed_signature_is_a_401(rig: Rig) -> None:
    before = rig.emulator.request_count()
    response, _ = await rig.post(_dnd_on(rig), timestamp=int(time.time()) - 301)
    assert response.status_code == 401
    assert "five minutes" in response.json()["error"]
    await _nothing_went_out(rig, before)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("not json at all", "application/json", "JSON object"),
        ("[1, 2]", "application/json", "JSON object"),
        ('{"type": "event_callback"', "application/json", "JSON object"),
        ('{"command": "/pbx"}', FORM, "holds JSON"),
        ("payload=%7Bbroken", FORM, "payload"),
        ("payload=%5B1%5D", FORM, "payload"),
        ("payload=null", FORM, "payload"),
    ],
)
async def test_a_bad_body_after_a_good_signature_is_a_400_with_one_log_line(
    rig: Rig,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    reason: str,
) -> None:
    before = rig.emulator.request_count()
    with caplog.at_level(logging.DEBUG):
        response, _ = await rig.post(body, content_type=content_type)
        await _nothing_went_out(rig, before)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert _tracebacks(caplog) == []
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "HTTP 400" in lines[0].getMessage()


async def test_a_body_that_is_not_utf8_is_a_400(rig: Rig) -> None:
    before = rig.emulator.request_count()
    body = b"command=%2Fpbx&text=\xff\xfe"
    status, answer = await _raw_post(rig, body, signed_bytes_headers(body))
    assert status == 400
    assert "UTF-8" in answer["error"]
    await _nothing_went_out(rig, before)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", ""],
)
async def test_a_signed_request_with_a_content_type_slack_does_not_send_is_a_415(
    rig: Rig, caplog: pytest.LogCaptureFixture, content_type: str
) -> None:
    before = rig.emulator.request_count()
    with caplog.at_level(logging.DEBUG):
        response, _ = await rig.post(_dnd_on(rig), content_type=content_type)
        await _nothing_went_out(rig, before)  # DND stays off
    assert response.status_code == 415
    assert _tracebacks(caplog) == []


async def test_json_is_refused_for_a_slash_command(rig: Rig) -> None:
    """Signed JSON that is a slash command, not an event: 415, never processed."""
    before = rig.emulator.request_count()
    body = json.dumps({"command": "/pbx", "text": "dnd on", "user_id": USER})
    response, _ = await rig.post(body, content_type="application/json")
    assert response.status_code == 415
    assert "Events API" in response.json()["error"]
    await _nothing_went_out(rig, before)


async def test_form_with_charset_is_what_slack_sends_and_works(rig: Rig) -> None:
    response, _ = await rig.post(_dnd_on(rig), content_type=f"{FORM}; charset=utf-8")
    assert response.status_code == 200
    await rig.slack.wait_for("respond/cmd")
    assert (await rig.status_of(USER)).dnd is True


async def test_url_verification_still_answers_the_challenge(rig: Rig) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    response, _ = await rig.post(body, content_type="application/json")
    assert response.status_code == 200
    assert "c-123" in response.text


# -- replies only to Slack -----------------------------------------------------


async def test_a_signed_command_never_answers_a_host_that_is_not_slack(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """Correctly signed, but its response_url points elsewhere: no POST there."""
    async with serve_fake_slack() as elsewhere:
        body = command_body(
            "status", user=USER, response_url=elsewhere.response_url("stolen")
        )
        with caplog.at_level(logging.DEBUG):
            response, _ = await rig.post(body)
            assert response.status_code == 200
            await rig.app.board.drain()
            await asyncio.sleep(0.1)
        assert elsewhere.calls == []
    assert rig.slack.responses() == []
    assert _tracebacks(caplog) == []
    assert any("not one of Slack's hosts" in r.getMessage() for r in caplog.records)
    assert elsewhere.base_url not in caplog.text


async def test_a_signed_click_never_answers_a_host_that_is_not_slack(
    rig: Rig,
) -> None:
    async with serve_fake_slack() as elsewhere:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0000001"},
            "user": {"id": USER, "username": "bob"},
            "api_app_id": "A0000001",
            "container": {"type": "message", "is_ephemeral": True},
            "response_url": elsewhere.response_url("stolen"),
            "actions": [
                {"action_id": "pbx_run:x", "type": "button", "value": "status"}
            ],
        }
        assert (await rig.interact(payload)).status_code == 200
        await rig.app.board.drain()
        assert elsewhere.calls == []


async def test_a_saved_response_url_elsewhere_falls_back_to_a_dm(rig: Rig) -> None:
    """The number picker keeps a URL in private metadata: checked like any other."""
    async with serve_fake_slack() as elsewhere:
        submission = number_pick_submission(
            USER,
            json.dumps({"response_url": elsewhere.response_url("stolen")}),
            "+4570305050",
        )
        assert (await rig.interact(submission)).status_code == 200
        [dm] = await rig.slack.wait_for("chat.postMessage")
        assert elsewhere.calls == []
    assert dm.body["channel"] == f"D{USER}"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T1/2/abc", True),
        ("https://HOOKS.SLACK.COM:443/actions/T1/2/abc", True),
        ("https://hooks.slack-gov.com/commands/T1/2/abc", True),
        ("http://hooks.slack.com/commands/T1/2/abc", False),
        ("https://hooks.slack.com.evil.test/commands", False),
        ("https://evil.test/hooks.slack.com/commands", False),
        ("https://hooks.slack.com@evil.test/commands", False),
        ("https://user:pw@hooks.slack.com/commands", False),
        ("https://hooks.slack.com:8443/commands", False),
        ("https://slack.com/api/chat.postMessage", False),
        ("ftp://hooks.slack.com/x", False),
        ("https://[::1/x", False),
        ("", False),
    ],
)
def test_only_slacks_own_https_hosts_are_allowed_by_default(
    url: str, *, allowed: bool
) -> None:
    assert allowed_reply_url(url, SLACK_REPLY_ORIGINS) is allowed


def test_origins_are_normalised_and_checked() -> None:
    assert normalise_origins(["HTTPS://Hooks.Slack.com/", "http://127.0.0.1:8080"]) == (
        "https://hooks.slack.com",
        "http://127.0.0.1:8080",
    )
    for bad in ["hooks.slack.com", "https://hooks.slack.com/commands", "https://x?y=1"]:
        with pytest.raises(ValueError, match="not an origin"):
            normalise_origins([bad])


def test_the_signature_check_reads_the_raw_bytes_and_rejects_shapes() -> None:
    body = urlencode({"command": "/pbx", "text": "status"})
    headers = signed_headers(body)
    check = SignatureCheck(
        "test-signing-secret-0123456789",
        clock=lambda: float(headers["x-slack-request-timestamp"]),
    )
    ts, sig = headers["x-slack-request-timestamp"], headers["x-slack-signature"]
    assert check.verify(ts, sig, body.encode()) is None
    assert check.verify(ts, sig, body.encode() + b"&x=1") is not None
    assert check.verify(ts, sig.upper(), body.encode()) is not None
    assert check.verify(f" {ts}", sig, body.encode()) is not None
    assert check.verify(ts, None, body.encode()) is not None
    assert SignatureCheck("").verify(ts, sig, body.encode()) is not None
    assert "secret" not in repr(check).replace("<secret>", "")


async def test_an_absurdly_large_body_is_refused_unread(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    before = rig.emulator.request_count()
    body = "command=%2Fpbx&text=" + "x" * (300 * 1024)
    with caplog.at_level(logging.DEBUG):
        response = await rig.http.post(
            f"{rig.url}{EVENTS_PATH}",
            content=body,
            headers={"content-type": FORM, "x-slack-signature": "v0=deadbeef"},
        )
        await _nothing_went_out(rig, before)
    assert response.status_code == 413
    assert _tracebacks(caplog) == []


async def test_a_burst_of_status_commands_shares_its_pbx_reads(rig: Rig) -> None:
    """Twenty people ask at once: a few PBX requests, answered in one round trip."""
    await rig.command("status", key="warm")  # the extension directory
    await rig.slack.wait_for("respond/warm")
    rig.emulator.faults.latency = 0.3
    before = rig.emulator.request_count()
    started = time.perf_counter()
    acks = await asyncio.gather(
        *(rig.command("status", key=f"burst{i}") for i in range(20))
    )
    for i in range(20):
        await rig.slack.wait_for(f"respond/burst{i}")
    elapsed = time.perf_counter() - started
    assert {r.status_code for r in acks} == {200}
    assert rig.emulator.request_count() - before <= 3
    assert elapsed < 2.0  # one after another would take 20 x 0.3 s
