"""Listeners called directly, with AsyncAck/AsyncRespond fakes and the real service."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

from switchboard.core.demo import USER
from switchboard.slack_app.context import (
    CONTEXT_KEY,
    Switchboard,
    injector,
    switchboard,
)
from switchboard.slack_app.directory import SlackDirectory
from switchboard.slack_app.errors import UNEXPECTED
from switchboard.slack_app.listeners.actions.run_command_action import command_text
from switchboard.slack_app.listeners.commands.pbx_command import handle_pbx_command
from switchboard.slack_app.listeners.errors import handle_error
from switchboard.slack_app.listeners.events.app_home_opened import (
    handle_app_home_opened,
)

if TYPE_CHECKING:
    from switchboard.core.demo import Demo


def _ok() -> WebhookResponse:
    return WebhookResponse(url="http://x", status_code=200, body="ok", headers={})


@pytest.fixture
def board(demo: Demo) -> Switchboard:
    return Switchboard(demo.service, SlackDirectory(), "DK")


def _context(board: Switchboard) -> AsyncBoltContext:
    return AsyncBoltContext({CONTEXT_KEY: board})


def _command(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "user_id": USER,
        "user_name": "bob",
        "response_url": "http://x",
    }


async def test_ack_comes_first_and_the_answer_after(board: Switchboard) -> None:
    order: list[str] = []
    ack = AsyncMock(AsyncAck, side_effect=lambda *_a, **_k: order.append("ack"))

    async def respond(**message: Any) -> WebhookResponse:
        order.append("respond")
        assert "DND" in message["text"]
        return _ok()

    client = AsyncMock(AsyncWebClient)
    await handle_pbx_command(ack, _command("dnd on"), respond, client, _context(board))  # type: ignore[arg-type]

    assert order == ["ack"]  # nothing but the ack before the listener returns
    assert board.pending == 1
    await board.drain()
    assert order == ["ack", "respond"]
    ack.assert_awaited_once_with()
    client.users_info.assert_not_called()  # bob is linked: no Slack look-up


async def test_a_failing_answer_is_logged_with_its_traceback_and_apologised_for(
    board: Switchboard, caplog: pytest.LogCaptureFixture
) -> None:
    respond = AsyncMock(AsyncRespond, side_effect=[RuntimeError("boom"), _ok()])
    ack = AsyncMock(AsyncAck)
    with caplog.at_level(logging.ERROR):
        await handle_pbx_command(
            ack, _command("status"), respond, AsyncMock(AsyncWebClient), _context(board)
        )
        await board.drain()
    record = next(r for r in caplog.records if "failed unexpectedly" in r.getMessage())
    assert record.exc_info is not None
    assert respond.await_count == 2
    assert respond.await_args_list[1].kwargs["text"] == UNEXPECTED
    assert respond.await_args_list[1].kwargs["response_type"] == "ephemeral"


async def test_background_failures_are_logged_not_lost(
    board: Switchboard, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        msg = "a bug"
        raise ValueError(msg)

    with caplog.at_level(logging.ERROR):
        board.spawn(broken(), "broken")
        await board.drain()
    assert any(r.exc_info and "broken" in r.getMessage() for r in caplog.records)
    assert board.pending == 0


async def test_drain_cancels_work_that_overruns(board: Switchboard) -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(3600)

    board.spawn(forever(), "forever")
    await started.wait()
    await board.drain(within=0.05)
    assert board.pending == 0


async def test_messages_tab_opening_does_nothing(board: Switchboard) -> None:
    ack = AsyncMock(AsyncAck)
    client = AsyncMock(AsyncWebClient)
    await handle_app_home_opened(
        ack, {"user": USER, "tab": "messages"}, client, _context(board)
    )
    ack.assert_awaited_once()
    assert board.pending == 0


async def test_global_error_handler_logs_and_answers_politely(
    caplog: pytest.LogCaptureFixture,
) -> None:
    respond = AsyncMock(AsyncRespond, return_value=_ok())
    with caplog.at_level(logging.ERROR):
        await handle_error(KeyError("secret-free"), respond, AsyncBoltContext())
    assert caplog.records[-1].exc_info is not None
    assert respond.await_args is not None
    assert respond.await_args.kwargs["text"] == UNEXPECTED
    await handle_error(
        KeyError("no respond"), None, AsyncBoltContext()
    )  # nothing to answer through: no crash


async def test_middleware_injects_the_holder(board: Switchboard) -> None:
    context = AsyncBoltContext()
    nxt = AsyncMock()
    await injector(board)(context, nxt)
    nxt.assert_awaited_once()
    assert switchboard(context) is board
    with pytest.raises(TypeError):
        switchboard(AsyncBoltContext())


def test_command_text_reads_buttons_and_menus() -> None:
    assert command_text({"value": "dnd off"}) == "dnd off"
    assert (
        command_text({"selected_option": {"value": "presence busy"}}) == "presence busy"
    )
    assert command_text({}) == ""
