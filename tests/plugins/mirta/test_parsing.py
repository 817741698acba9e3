"""The pipe parser, the PHP row quirks, and the seed's examples parsed by the real client."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from switchboard.core.errors import SwitchboardAuthError, SwitchboardNotFoundError
from switchboard.plugins.mirta.client import MirtaClient
from switchboard.plugins.mirta.const import BAD_KEY_BODY, DND_REQTYPE, PROXY_API_PATH
from switchboard.plugins.mirta.parsing import (
    PipeFormatError,
    drop_credentials,
    drop_positional_keys,
    json_rows,
    parse_pipe_fields,
    parse_pipe_table,
)

from .conftest import fixture_bytes

URL = "https://pbx.example.com"
KEY = "fixture-key-0123456789"
ENDPOINT = f"{URL}{PROXY_API_PATH}"


def fixture_client(response_format: str = "json") -> MirtaClient:
    assert response_format in ("json", "plain")
    return MirtaClient(
        URL,
        api_key=KEY,
        tenant="DEMO",
        response_format="json" if response_format == "json" else "plain",
        max_retries=0,
    )


def serve(body: bytes, content_type: str = "text/html; charset=UTF-8") -> respx.Route:
    return respx.get(ENDPOINT).mock(
        return_value=httpx.Response(
            200, content=body, headers={"content-type": content_type}
        )
    )


# -- the pipe parser ---------------------------------------------------------------


def test_pipe_table_with_header() -> None:
    """A header line and rows become dicts keyed by the lower-cased header."""
    rows = parse_pipe_table("A|B|C\n1|2|3\n4|5|6\n")
    assert rows == [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]


def test_pipe_table_trailing_terminator_and_empty_last_column() -> None:
    """A terminating '|' is dropped, but an empty last column is kept."""
    rows = parse_pipe_table("A|B\n1|2|\n3|\n")
    assert rows == [{"a": "1", "b": "2"}, {"a": "3", "b": ""}]


def test_pipe_table_header_glued_to_first_row() -> None:
    """The DIDS header without a newline: its last name is glued to the first value."""
    text = "Number|Comment|Destination4555500100|Main|FLOW-7001\n4555500101|Support|QUEUE-1\n"
    rows = parse_pipe_table(text, ("Number", "Comment", "Destination"))
    assert [r["number"] for r in rows] == ["4555500100", "4555500101"]
    assert rows[0]["destination"] == "FLOW-7001"


def test_pipe_table_header_and_row_on_one_line_without_a_hint() -> None:
    """Without an expected header, the second line tells the real width."""
    rows = parse_pipe_table("A|B|1|2|\n3|4|\n")
    assert rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_pipe_table_everything_on_one_line() -> None:
    """A single line holding the header and several rows is cut by the expected width."""
    rows = parse_pipe_table("A|B|1|2|3|4|", ("A", "B"))
    assert rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_pipe_table_other_header_is_read_as_is() -> None:
    """An unexpected header is not forced into the expected one."""
    rows = parse_pipe_table("X|Y\n1|2\n", ("Number", "Name"))
    assert rows == [{"x": "1", "y": "2"}]


def test_pipe_table_crlf_and_blank_lines() -> None:
    """Windows line ends and blank lines do not make rows."""
    assert parse_pipe_table("A|B\r\n\r\n1|2\r\n") == [{"a": "1", "b": "2"}]
    assert parse_pipe_table("") == []


@pytest.mark.parametrize("text", ["just a sentence", "A|B\n1|2|3|4|5\n", "|\n1\n"])
def test_pipe_table_rejects_what_is_not_a_table(text: str) -> None:
    """Text that is no table raises, and the message quotes no value."""
    with pytest.raises(PipeFormatError) as caught:
        parse_pipe_table(text)
    assert "sentence" not in str(caught.value)


def test_pipe_fields_of_a_reply() -> None:
    """The dial reply's fields, without the terminating empty one."""
    assert parse_pipe_fields(
        "Success|Originate successfully queued|15a4cfe6429054|\n"
    ) == [
        "Success",
        "Originate successfully queued",
        "15a4cfe6429054",
    ]
    assert parse_pipe_fields("") == []


def test_positional_keys_and_credentials_are_dropped() -> None:
    """PHP's "0".."n" duplicates and credential fields go before validation."""
    row = {"ex_number": "100", "0": "100", "12": "x", "password": "p", "ex_webpassword": "w",
           "ex_2fa_param1": "t", "ex_lockpin": "1", "secret": "s", "ex_name": "Anne"}  # fmt: skip
    assert drop_credentials(drop_positional_keys(row)) == {
        "ex_number": "100",
        "ex_name": "Anne",
    }


def test_json_rows_accepts_arrays_objects_and_null() -> None:
    """Lists come as arrays, as objects keyed by id, or as null."""
    assert json_rows([{"a": "1", "0": "1"}]) == [{"a": "1"}]
    assert json_rows({"3600": {"a": "1"}, "3601": {"a": "2"}}) == [
        {"a": "1"},
        {"a": "2"},
    ]
    assert json_rows(None) == []
    assert json_rows({"total": 3}) is None
    assert json_rows([1, 2]) is None


# -- the seed's examples through the real client ---------------------------------------


def test_seed_lists_every_request_type_the_client_uses() -> None:
    """The seed's syntax index documents our request types, but not DND (M3)."""
    index = fixture_bytes("syntax_index.txt").decode()
    documented = set(re.findall(r"^([A-Z]{4,})\s+-", index, flags=re.MULTILINE))
    used = {"PEERS", "COUNTPEERS", "FLOWS", "SETFLOW", "DIAL", "INFO", "CHANNELS",
            "COUNTCALLS", "HANGUP", "TRANSFER"}  # fmt: skip
    assert used <= documented
    assert DND_REQTYPE not in documented  # newer servers only: known limitation M3
    for parameter in ("sourceclid", "destclid", "dialtimeout", "yeschange", "nochange"):
        assert parameter in index


def test_bad_key_fixture_is_the_constant() -> None:
    """The 46-byte body is the sentence and a newline."""
    body = fixture_bytes("bad_key.txt")
    assert len(body) == 46
    assert body.strip().decode() == BAD_KEY_BODY


@respx.mock
async def test_seed_extensions_plain_table() -> None:
    """The documented plain table parses, and its Password column is dropped."""
    serve(fixture_bytes("extensions_plain.txt"))
    async with fixture_client("plain") as client:
        records = await client.extensions()
    assert [r.number for r in records] == ["100", "101", "102"]
    assert records[2].state == "INUSE"
    assert records[0].username == "100-DEMO"
    assert "Xq7pLm2vR9sKt4Wz" not in repr(records)
    assert all("password" not in r.model_dump() for r in records)


@respx.mock
async def test_seed_extensions_json_records_lose_their_credentials() -> None:
    """The JSON record's passwords, 2FA and PIN never reach the model."""
    body = fixture_bytes("extensions.json")
    serve(body, "application/json")
    async with fixture_client() as client:
        records = await client.extensions()
    assert [r.number for r in records] == ["100", "101", "102"]
    assert records[0].dnd is True
    assert records[1].dnd is False
    assert records[0].email == "anne@example.com"
    dumped = repr(records) + json.dumps([r.model_dump() for r in records])
    for row in json.loads(body):
        for field in ("password", "ex_webpassword", "ex_2fa_param1", "ex_lockpin"):
            if row[field]:
                assert row[field] not in dumped


@respx.mock
async def test_seed_dial_reply() -> None:
    """Success|Originate successfully queued|<id>| gives the originate id."""
    route = serve(fixture_bytes("dial_reply.txt"))
    async with fixture_client("plain") as client:
        reply = await client.dial("402", "+4555501234", recording="yes", dialtimeout=30)
    assert reply.ok
    assert reply.id == "15a4cfe6429054"
    assert reply.message == "Originate successfully queued"
    sent = route.calls.last.request.url.params
    assert sent["reqtype"] == "DIAL"
    assert sent["source"] == "402"
    assert sent["dest"] == "+4555501234"
    assert sent["recording"] == "yes"
    assert sent["dialtimeout"] == "30"
    assert sent["key"] == KEY
    assert sent["tenant"] == "DEMO"


@respx.mock
async def test_seed_dids_plain_with_glued_header() -> None:
    """The DIDS header that is not followed by a newline still parses."""
    serve(fixture_bytes("dids_plain.txt"))
    async with fixture_client("plain") as client:
        dids = await client.dids()
    assert [d.number for d in dids] == ["4555500100", "4555500101", "4555500102"]
    assert dids[0].destination == "FLOW-7001"


@respx.mock
async def test_seed_dids_json_with_positional_keys() -> None:
    """Rows carrying every value twice validate once."""
    serve(fixture_bytes("dids.json"), "application/json")
    async with fixture_client() as client:
        dids = await client.dids()
    assert [(d.number, d.comment) for d in dids] == [
        ("4555500100", "Main line"),
        ("4555500101", "Support"),
    ]


@respx.mock
@pytest.mark.parametrize(
    ("name", "response_format"), [("cdrs.json", "json"), ("cdrs_plain.txt", "plain")]
)
async def test_seed_cdrs(name: str, response_format: str) -> None:
    """CDRs parse from positional JSON and from a header ending in '|'."""
    serve(fixture_bytes(name))
    async with fixture_client(response_format) as client:
        cdrs = await client.cdrs("2026-11-01", "2026-11-30")
    assert cdrs[0].uniqueid == "srv02-1531779475.48"
    assert cdrs[0].src == "103"
    assert cdrs[0].duration == 64


@respx.mock
async def test_lone_bracket_is_no_rows_for_a_list_and_not_found_for_an_object() -> None:
    """The invalid-JSON ']' means "nothing", never a decoding error."""
    serve(fixture_bytes("queuelogs_empty.json"), "application/json")
    async with fixture_client() as client:
        assert await client.channels() == []
        with pytest.raises(SwitchboardNotFoundError) as caught:
            await client.call_info("15a4cfe6429054")
    assert "15a4cfe6429054" in caught.value.message


@respx.mock
async def test_bad_key_sentence_claiming_json_is_an_auth_error() -> None:
    """The refusal is detected before decoding, whatever the content type says."""
    serve(fixture_bytes("bad_key.txt"), "application/json")
    async with fixture_client() as client:
        with pytest.raises(SwitchboardAuthError) as caught:
            await client.peers()
    assert caught.value.reauth_needed
    assert KEY not in str(caught.value)


def test_pipe_table_empty_last_column_is_not_a_glued_header() -> None:
    """A row whose last column is empty does not make the header look too long."""
    rows = parse_pipe_table("UniqueID|Extension|OtherParty\n|100|\n")
    assert rows == [{"uniqueid": "", "extension": "100", "otherparty": ""}]


@respx.mock
@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"{}", b"  \n"])
async def test_nothing_in_any_spelling(body: bytes) -> None:
    """0 bytes, null, [] and {} are no rows for a list and not found for one object."""
    serve(body, "application/json")
    async with fixture_client() as client:
        assert await client.flows() == []
        with pytest.raises(SwitchboardNotFoundError):
            await client.ext_state("100")
