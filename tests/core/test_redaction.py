"""Redaction of URLs, free text and log records."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from switchboard.core.cli.main import main
from switchboard.core.redaction import (
    MASK,
    MAX_SESSION_TOKENS,
    RedactingFilter,
    get_logger,
    redact_text,
    redact_url,
    register_secret,
)
from switchboard.core.transport import Transport

if TYPE_CHECKING:
    import pytest


def test_secret_query_parameters_are_blanked() -> None:
    url = "https://pbx.example.com/index.php?apikey=abcdef123456&action=pbxware.ext.list&key=zzz999"
    cleaned = redact_url(url)
    assert "abcdef123456" not in cleaned
    assert "zzz999" not in cleaned
    assert "action=pbxware.ext.list" in cleaned


def test_registered_secrets_are_blanked_anywhere() -> None:
    register_secret("hunter2-very-secret")
    assert (
        redact_text("the password is hunter2-very-secret!")
        == f"the password is {MASK}!"
    )


def test_a_secret_containing_another_is_blanked_whole() -> None:
    register_secret("tok-1234")
    register_secret("tok-1234-and-more")
    assert redact_text("x tok-1234-and-more y") == f"x {MASK} y"


def test_session_tokens_are_bounded_configured_secrets_are_not() -> None:
    """A process renewing tokens for months keeps a bounded list to scan.

    The newest tokens (the live ones) are always blanked; configured credentials
    are never forgotten, however many tokens come after them.
    """
    register_secret("configured-api-key-0001")
    tokens = [f"session-token-{i:06d}" for i in range(MAX_SESSION_TOKENS * 3)]
    for token in tokens:
        register_secret(token, session_token=True)
    assert redact_text(tokens[-1]) == MASK
    assert redact_text(tokens[-MAX_SESSION_TOKENS]) == MASK
    assert redact_text(tokens[0]) == tokens[0]  # long expired, forgotten
    assert redact_text("key configured-api-key-0001") == f"key {MASK}"


def test_bearer_tokens_are_blanked() -> None:
    assert "eyJabc.def" not in redact_text("Authorization: Bearer eyJabc.def")


def test_short_values_are_not_registered() -> None:
    register_secret("ab")
    assert redact_text("abc") == "abc"


def test_module_loggers_redact(caplog: object) -> None:
    register_secret("tok-9876543210")
    logger = get_logger("switchboard.core.test_module")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning("calling %s", "https://x/?token=tok-9876543210")
    finally:
        logger.removeHandler(handler)
    assert records
    assert "tok-9876543210" not in records[0].getMessage()


def _has_filter(name: str) -> bool:
    return any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters)


def test_the_library_leaves_third_party_loggers_alone_the_cli_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A transport (what Home Assistant builds) installs no filter on httpx; the CLI,
    which owns its process's logging, does (with --verbose httpx logs every URL)."""
    for name in ("httpx", "httpcore"):
        monkeypatch.setattr(
            logging.getLogger(name),
            "filters",
            [
                f
                for f in logging.getLogger(name).filters
                if not isinstance(f, RedactingFilter)
            ],
        )
    Transport(
        "https://pbx.example.com", vendor="x", display_name="X", secrets=["k-123456"]
    )
    assert not _has_filter("httpx")
    assert not _has_filter("httpcore")
    assert main([]) == 0
    assert _has_filter("httpx")
    assert _has_filter("httpcore")
