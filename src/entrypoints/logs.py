"""Logging for every entry point: plain text or one JSON object per line
(`COMMERCE_LOG_FORMAT=json`), each line with the id of the request it was written for, and
secrets scrubbed from every line whatever the format.

The request id travels in a context variable the HTTP middleware sets; Starlette copies the
context into the thread that runs a route, so lines logged by the core during a request carry
it too. Scrubbing covers bearer tokens and `token=`/`password=`-style pairs, the operator token
itself, and runs of 13 to 19 digits (optionally spaced or dashed) that pass the Luhn check, as
card numbers do: wider than the rule commands are held to (`commerce_core.shared.cards`), since a
barcode masked in a log line costs nothing.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any, Final

from commerce_core.shared.cards import luhn

request_id_var: ContextVar[str | None] = ContextVar("commerce_request_id", default=None)

REDACTED: Final = "[redacted]"
_BEARER: Final = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_SECRET_PAIR: Final = re.compile(
    r"(?i)\b(token|password|passwd|secret|api[_-]?key|authorization)(\s*[=:]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
)
_CARD_LIKE: Final = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "taskName"}


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return REDACTED if luhn(digits) else match.group(0)


class Redactor:
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = tuple(s for s in secrets if len(s) >= 8)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        return _CARD_LIKE.sub(_card, text)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`None` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class _Scrubbing(logging.Formatter):
    def __init__(self, redact: Redactor, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.redact = redact

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return self.redact(super().formatException(ei))


class TextFormatter(_Scrubbing):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(redact, "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(_Scrubbing):
    """`{"time", "level", "logger", "message", "request_id", ...extra fields, "exception"}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        text = json.dumps(entry, default=str, ensure_ascii=False)
        # Extra fields are scrubbed too (a token in a logged URL or header).
        return self.redact(text)


def configure(
    level: str, fmt: str = "text", secrets: tuple[str, ...] = (), stream: IO[str] | None = None,
) -> logging.Handler:
    """Root logging for a process: one handler on `stream` (stderr) in `fmt`, scrubbing
    `secrets` and the patterns above from every line. Answers the handler."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Alembic narrates every plugin it loads at INFO; migrations worth reading log as warnings.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # uvicorn's own loggers write through the root handler, in the same format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return handler
