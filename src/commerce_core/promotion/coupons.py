"""Coupon codes: the `PREFIX-XXXX-XXXX` pattern, and unique generation in bulk."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection
from typing import Final

from commerce_core.promotion.errors import CouponBatchTooLarge, InvalidCoupon

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
MAX_BATCH = 10_000
# A code prefix as given (case-insensitive; kept upper-case).
COUPON_PREFIX_FORMAT: Final = r"^[A-Za-z0-9]{1,12}$"
PREFIX_PATTERN = re.compile(COUPON_PREFIX_FORMAT)
_MAX_ROUNDS = 20


class SecretCodeGenerator:
    """The production `CouponCodeGenerator`: a cryptographic random source."""

    def random_block(self, length: int) -> str:
        return "".join(secrets.choice(ALPHABET) for _ in range(length))


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if not PREFIX_PATTERN.match(prefix):
        raise InvalidCoupon("a code prefix is 1 to 12 letters or digits", prefix=prefix)
    return prefix


def generate_codes(
    prefix: str,
    count: int,
    random_block: Callable[[int], str],
    taken: Callable[[Collection[str]], set[str]],
) -> list[str]:
    """`count` distinct new codes `PREFIX-XXXX-XXXX`; codes already taken are regenerated.

    40 random bits per code make collisions rare; a batch that still collides after a bounded
    number of rounds fails rather than looping forever.
    """
    if not 1 <= count <= MAX_BATCH:
        raise CouponBatchTooLarge(
            f"generate between 1 and {MAX_BATCH} codes per request, not {count}",
            requested=count, maximum=MAX_BATCH,
        )
    prefix = check_prefix(prefix)
    codes: list[str] = []
    chosen: set[str] = set()
    for _ in range(_MAX_ROUNDS):
        missing = count - len(codes)
        if missing == 0:
            return codes
        fresh = []
        for _ in range(missing):
            code = f"{prefix}-{random_block(4)}-{random_block(4)}"
            if code not in chosen:
                chosen.add(code)
                fresh.append(code)
        clash = taken(fresh)
        codes += [c for c in fresh if c not in clash]
    raise InvalidCoupon("could not find enough unused codes; use a longer prefix",
                        prefix=prefix)
