"""Standard Webhooks signatures: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`
with the key the `whsec_` secret encodes in base64; the header holds `v1,<base64>` entries
separated by spaces (one per secret that signs: several while a rotated one is in grace)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def encode_secret(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(message_id: str, timestamp: int, body: bytes,
            secrets: Iterable[str]) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, message_id, timestamp, body) for s in secrets),
    }
