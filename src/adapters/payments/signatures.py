"""Signature primitives shared by the adapters: lowercase hex HMACs over UTF-8 text, compared in
constant time, so no adapter hand-rolls its own (and gets the comparison wrong)."""

from __future__ import annotations

import hashlib
import hmac


def hmac_sha256_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def hmac_sha512_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha512).hexdigest()


def same_hex(expected: str, received: str) -> bool:
    """Constant-time comparison of two hex digests, case-insensitive as providers vary."""
    return hmac.compare_digest(expected.lower().encode(), received.strip().lower().encode())


def short_digest(text: str, length: int) -> str:
    """A stable identifier derived from `text` (an idempotency key) for providers whose ids
    are short or restricted to letters and digits."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]
