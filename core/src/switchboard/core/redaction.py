"""Keep secrets out of logs, error messages and reprs.

PBXware (``apikey``) and MiRTA (``key``) put the credential in the query string, so
any URL may carry one. Two mechanisms cover that:

* :func:`redact_url` blanks the values of known secret query parameters;
* every secret value a transport is given is registered here, and
  :func:`redact_text` replaces it wherever it appears, whatever the context.

:func:`install_log_filter` attaches a filter that applies both to every record
of the loggers that can see URLs or headers (httpx, httpcore and our own).
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "**REDACTED**"

# Query parameters and form fields that carry credentials at some vendor.
SECRET_PARAM_NAMES = frozenset(
    {
        "apikey",
        "api_key",
        "key",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "secret",
    }
)

_PARAM_RE = re.compile(
    r"(?i)(?P<name>\b(?:"
    + "|".join(sorted(SECRET_PARAM_NAMES))
    + r"))=(?P<value>[^&\s'\"]+)"
)
_BEARER_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# A registered secret shorter than this is too likely to match ordinary text.
_MIN_SECRET_LENGTH = 4

# Credentials from the configuration: kept for the life of the process.
_secrets: set[str] = set()
# Session tokens the vendors hand out (TelecomX every 15 min, Telphin hourly): only
# the newest are kept. An expired token opens nothing, and an ever-growing list
# would slow every log line of a process that runs for months.
MAX_SESSION_TOKENS = 256
_tokens: dict[str, None] = {}  # insertion-ordered: the oldest first
# Longest first, so that a secret containing another is blanked whole; rebuilt
# only when a secret is added, not for every log line.
_ordered: tuple[str, ...] = ()
_lock = threading.Lock()
# Filters apply only to records created on the logger itself, not its children:
# httpx logs every request URL on exactly "httpx"; our modules use get_logger().
_LOGGERS = ("httpx", "httpcore")


def register_secret(value: str | None, *, session_token: bool = False) -> None:
    """Remember a secret so that :func:`redact_text` blanks it everywhere.

    Args:
        value: The secret; values shorter than four characters are ignored.
        session_token: A token the vendor renews; only the newest
            :data:`MAX_SESSION_TOKENS` of those are remembered.
    """
    global _ordered  # noqa: PLW0603 - one registry per process, by design
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets or value in _tokens:
            return
        if session_token:
            _tokens[value] = None
            while len(_tokens) > MAX_SESSION_TOKENS:
                del _tokens[next(iter(_tokens))]
        else:
            _secrets.add(value)
        _ordered = tuple(sorted(_secrets | _tokens.keys(), key=len, reverse=True))


def redact_text(text: str) -> str:
    """Blank every registered secret, secret-looking parameter and bearer token."""
    secrets = _ordered  # an immutable snapshot: no lock needed to read it
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _PARAM_RE.sub(lambda m: f"{m.group('name')}={MASK}", text)
    return _BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", text)


def redact_url(url: str) -> str:
    """Return ``url`` with the values of secret query parameters blanked."""
    parts = urlsplit(url)
    if not parts.query:
        return redact_text(url)
    query = [
        (name, MASK if name.lower() in SECRET_PARAM_NAMES else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    cleaned = urlunsplit(parts._replace(query=urlencode(query, safe="*")))
    return redact_text(cleaned)


class RedactingFilter(logging.Filter):
    """Rewrite a log record so that its message carries no secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message, redact it, and keep the record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact_text(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Attach the redacting filter to every logger that may see a secret (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def get_logger(name: str) -> logging.Logger:
    """Return the named logger with the redacting filter attached."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def scrub_exception(exc: BaseException) -> None:
    """Redact the arguments of a third-party exception before it is chained.

    httpx puts the request URL (with PBXware's ``apikey``) into some messages;
    chained exceptions are printed in tracebacks, so their text must be clean too.
    """
    exc.args = tuple(redact_text(a) if isinstance(a, str) else a for a in exc.args)
