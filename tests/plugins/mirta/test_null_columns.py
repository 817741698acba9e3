"""JSON rows with SQL NULL columns: PHP's json_encode sends them as ``null``.

MiRTA's 148-field extension records and its flow and channel rows come straight
from database rows, so an empty column (no SIP username yet, a flow without a
variable, a channel without a linked id) is ``null``. One such row must not
turn the whole status refresh into an error.
"""

from __future__ import annotations

import json

import respx

from .test_parsing import fixture_client, serve


@respx.mock
async def test_extension_rows_with_null_columns_are_read() -> None:
    rows = [
        {
            "ex_number": "100",
            "ex_name": None,
            "ex_username": None,
            "ex_state": None,
            "ex_tech": None,
            "ex_email": None,
            "ex_dnd": None,
            "password": None,
        },
        {"ex_number": "101", "ex_name": "Bo", "ex_username": "101-DEMO"},
    ]
    serve(json.dumps(rows).encode(), "application/json")
    async with fixture_client() as client:
        records = await client.extensions()
    assert [(r.number, r.name, r.username, r.dnd) for r in records] == [
        ("100", "", "", None),
        ("101", "Bo", "101-DEMO", None),
    ]


@respx.mock
async def test_flow_rows_with_null_columns_are_read() -> None:
    rows = [
        {"fl_number": "1", "fl_name": "Day", "fl_state": None, "fl_value": "open"},
        {"fl_number": "2", "fl_name": None, "fl_state": None, "fl_value": None},
    ]
    serve(json.dumps(rows).encode(), "application/json")
    async with fixture_client() as client:
        flows = await client.flows()
    assert [(f.number, f.name, f.is_open) for f in flows] == [
        ("1", "Day", True),
        ("2", "", False),
    ]


@respx.mock
async def test_channel_rows_with_null_columns_are_read() -> None:
    rows = [
        {
            "channel": "PJSIP/101-DEMO-0000002a",
            "state": "Up",
            "callerid": None,
            "connectedline": None,
            "duration": None,
            "uniqueid": "1700000000.1",
            "linkedid": None,
        }
    ]
    serve(json.dumps(rows).encode(), "application/json")
    async with fixture_client() as client:
        channels = await client.channels()
    assert [(c.peer, c.call_key, c.duration) for c in channels] == [
        ("101-DEMO", "1700000000.1", 0)
    ]
