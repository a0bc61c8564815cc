"""Log lines: JSON or text, the request id on each, and secrets scrubbed from every one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from entrypoints import logs

CARD = "4111 1111 1111 1111"  # a test card number: passes the Luhn check


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_request_id_and_extra_fields(captured: io.StringIO) -> None:
    logs.configure("INFO", "json", stream=captured)
    token = logs.request_id_var.set("req-42")
    try:
        logging.getLogger("commerce.test").info("placed %s", "ORD-1", extra={"http": {"a": 1}})
    finally:
        logs.request_id_var.reset(token)
    logging.getLogger("commerce.test").warning("outside")

    inside, outside = _lines(captured)
    assert inside["message"] == "placed ORD-1"
    assert (inside["request_id"], inside["level"], inside["logger"]) == (
        "req-42", "INFO", "commerce.test")
    assert inside["http"] == {"a": 1}
    assert outside["request_id"] is None


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_tokens_and_card_numbers_are_never_written(captured: io.StringIO, fmt: str) -> None:
    secret = "s3cr3t-operator-token-value"
    logs.configure("INFO", fmt, secrets=(secret,), stream=captured)
    log = logging.getLogger("commerce.test")

    log.info("header Authorization: Bearer abc.def-ghi")
    log.info("paid with %s and 4111-1111-1111-1111", CARD)
    log.info("configured with %s", secret)
    log.info("url https://x.test/cb?token=abcdef123&x=1 password='hunter2'")
    try:
        raise RuntimeError(f"card {CARD} refused")
    except RuntimeError:
        log.exception("gateway failed")
    log.info("order ORD-20240101-000123 total 1234567890123 VND")  # not a card (Luhn fails)

    written = captured.getvalue()
    for leaked in ("abc.def-ghi", "4111", secret, "abcdef123", "hunter2"):
        assert leaked not in written
    assert "1234567890123" in written
    assert written.count(logs.REDACTED) >= 6


def test_text_lines_show_the_request_id(captured: io.StringIO) -> None:
    logs.configure("INFO", "text", stream=captured)
    token = logs.request_id_var.set("req-7")
    try:
        logging.getLogger("commerce.test").info("hello")
    finally:
        logs.request_id_var.reset(token)

    assert "[req-7]: hello" in captured.getvalue()
