"""Lists read page by page must not burn the hourly quota on a list that does not page.

Whether every Telphin list endpoint honours ``page``/``per_page`` is not
documented (``/extension/registration/`` has no documented paging at all). A
server that ignores them sends the whole list, or the same page, every time;
reading on until MAX_PAGES would spend up to 1,000 requests of the hourly quota
and then fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from switchboard.core.emulator import Request, Response
from switchboard.plugins.telphin.emulator import TelphinEmulator

from .conftest import emulator_http, make_client

if TYPE_CHECKING:
    from typing import Any

    from .conftest import FakeClock


class WholeListEmulator(TelphinEmulator):
    """Answers every list with all its rows, whatever page is asked for."""

    @staticmethod
    def _page(request: Request, rows: list[Any]) -> Response:  # noqa: ARG004 - the hook's signature
        return Response.json(rows)


class FirstPageEmulator(TelphinEmulator):
    """Honours per_page but ignores page: always the first page."""

    @staticmethod
    def _page(request: Request, rows: list[Any]) -> Response:
        per_page = int(request.param("per_page") or 20)
        return Response.json(rows[:per_page])


async def test_a_list_that_ignores_paging_is_read_once(clock: FakeClock) -> None:
    big = WholeListEmulator(250, clock=clock)
    async with emulator_http(big) as http:
        registrations = await make_client(http, clock).list_registrations()
    assert len({r.extension_id for r in registrations}) == 250
    assert big.request_count("/extension/registration") == 1


async def test_a_list_that_repeats_its_first_page_stops(clock: FakeClock) -> None:
    big = FirstPageEmulator(250, clock=clock)
    async with emulator_http(big) as http:
        registrations = await make_client(http, clock).list_registrations()
    assert len(registrations) == len({r.extension_id for r in registrations}) == 100
    assert big.request_count("/extension/registration") == 2
