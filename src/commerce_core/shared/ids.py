"""Identifiers: UUIDv7 generation (time-ordered, index friendly) and the `IdGenerator` port."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from typing import Final, Protocol

from commerce_core.shared.errors import InvalidInput


class IdGenerator(Protocol):
    """Hands out new unique ids as canonical UUID strings; tests substitute a predictable one."""

    def new_id(self) -> str: ...


_lock = threading.Lock()
_last = (0, 0)  # (unix ms, 12-bit counter) of the previous id, for monotonic ids within 1 ms


def uuid7() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48-bit unix ms, a 12-bit counter keeping ids monotonic, random tail."""
    global _last
    with _lock:
        ms = time.time_ns() // 1_000_000
        last_ms, counter = _last
        if ms <= last_ms:
            ms, counter = last_ms, counter + 1
            if counter > 0xFFF:
                ms, counter = last_ms + 1, 0
        else:
            counter = int.from_bytes(os.urandom(2), "big") & 0x7FF
        _last = (ms, counter)
    tail = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | tail
    return uuid.UUID(int=value)


class Uuid7Generator:
    """The production `IdGenerator`."""

    def new_id(self) -> str:
        return str(uuid7())


# What a SKU may be as given (case-insensitive; kept upper-case). Entry points state it in their
# schemas from this constant, so they and the core cannot drift apart.
SKU_FORMAT: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SKU_PATTERN = re.compile(SKU_FORMAT)


class InvalidSku(InvalidInput):
    code = "catalog.invalid_sku"


def normalise_sku(raw: str) -> str:
    """SKUs are case-insensitive on input and kept upper-case (`linen-m` → `LINEN-M`)."""
    sku = raw.strip().upper()
    if not SKU_PATTERN.match(sku):
        raise InvalidSku(f"invalid SKU {raw!r}: use letters, digits, '.', '_' or '-'", sku=raw)
    return sku
