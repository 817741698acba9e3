"""Keep secrets out of logs, error messages and reprs.

PBXware (``apikey``) and MiRTA (``key``) put the credential in the query string, so
any URL may carry one. Two mechanisms cover that:

* :func:`redact_url` blanks the values of known secret query parameters;
* every secret value a transport is given is registered here, and
  :func:`redact_text` replaces it wherever it appears, whatever the context --
  also in the forms a PBX may echo it in: percent-encoded (``%2B`` or a bare
  ``+``, upper or lower case hex), form-decoded (``+`` read as a space) and
  base64 (see :func:`encoded_forms`).

:func:`install_log_filter` attaches a filter that applies both to every record
of the loggers that can see URLs or headers (httpx, httpcore and our own).
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

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
# The encoded forms of each secret, computed once (tokens come and go).
_form_cache: dict[str, frozenset[str]] = {}
# Filters apply only to records created on the logger itself, not its children:
# httpx logs every request URL on exactly "httpx"; our modules use get_logger().
_LOGGERS = ("httpx", "httpcore")


_PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")


def encoded_forms(secret: str) -> set[str]:
    """Return ``secret`` and every form a PBX or a log line may show it in.

    A wrong-key answer may quote the key the way it arrived: percent-encoded with
    ``+`` as ``%2B`` (httpx's query encoding) or left bare (``quote``'s default),
    or already form-decoded, where a bare ``+`` became a space; lower-case hex
    is as valid as upper-case. Basic auth and some token endpoints carry it in
    base64 (standard or URL-safe, padded or not).
    """
    forms = {secret, secret.replace("+", " "), quote_plus(secret, safe="")}
    for safe in ("", "+", "/", "+/"):
        forms.add(quote(secret, safe=safe))
    forms |= {_PERCENT_ESCAPE.sub(lambda m: m.group(0).lower(), f) for f in forms}
    raw = secret.encode()
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms |= {text, text.rstrip("=")}
    return {form for form in forms if len(form) >= _MIN_SECRET_LENGTH}


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
        # Computed here, once per secret, so that a log line only scans.
        forms = {f for secret in (*_secrets, *_tokens) for f in _forms(secret)}
        _ordered = tuple(sorted(forms, key=len, reverse=True))


def _forms(secret: str) -> frozenset[str]:
    forms = _form_cache.get(secret)
    if forms is None:
        forms = frozenset(encoded_forms(secret))
        _form_cache[secret] = forms
        if len(_form_cache) > 4 * MAX_SESSION_TOKENS:
            # Forget forms of tokens that were dropped (configured secrets stay).
            for stale in set(_form_cache) - _secrets - _tokens.keys():
                del _form_cache[stale]
    return forms


def redact_text(text: str, *, auth_headers: bool = True) -> str:
    """Blank every registered secret, secret-looking parameter and bearer token.

    Args:
        text: What to clean.
        auth_headers: Also blank whatever follows "Bearer" or "Basic" (a header
            in a log line). Off for sentences meant for users, where "Basic
            Information" is Slack's page name; the tokens themselves are
            registered secrets and blanked anyway.
    """
    secrets = _ordered  # an immutable snapshot: no lock needed to read it
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _PARAM_RE.sub(lambda m: f"{m.group('name')}={MASK}", text)
    if not auth_headers:
        return text
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
    """Clean a third-party exception (and what it chains) before it is kept.

    httpx puts the request URL (with PBXware's ``apikey``) into some messages and
    keeps the whole request on the exception (``err.request.url``); chained
    exceptions are printed in tracebacks and kept on ours as ``__cause__``, so
    their text is redacted and the request (and response) they hold is dropped.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(
            redact_text(a) if isinstance(a, str) else a for a in current.args
        )
        for holder in _REQUEST_HOLDERS:
            if holder in vars(current):
                setattr(current, holder, None)
        current = current.__cause__ or current.__context__


# Where httpx keeps the request (``HTTPError._request``) and the response of
# an ``HTTPStatusError``: both carry the URL with the key in it.
_REQUEST_HOLDERS = ("_request", "response")
