"""The ledger's records: accounts with their counters, postings (two legs that sum to zero),
lots of credited value with their expiry, and holds. Everything is integer units of the
account's `unit` (an ISO 4217 currency in minor units, or `points`)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from commerce_core.ledger.errors import InvalidLedgerRequest

POINTS = "points"


class AccountKind(enum.StrEnum):
    POINTS = "points"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"
    # The other side of every posting: `issued:<kind>`, `spent:<kind>`, `expired:<kind>`,
    # `restored:<kind>`. Their balances are the mirror image of the customers' and may go
    # below zero; only the value accounts above are guarded.
    SYSTEM = "system"


class EntryKind(enum.StrEnum):
    """What a posting did to the value account it names."""

    CREDIT = "credit"  # value added (issued, earned, restored, refunded)
    DEBIT = "debit"  # value spent directly
    CAPTURE = "capture"  # a hold turned into a debit
    EXPIRE = "expire"  # a lot's remainder taken at its expiry


class HoldStatus(enum.StrEnum):
    ACTIVE = "active"
    CAPTURED = "captured"
    RELEASED = "released"


# The system account each kind of posting has on its other side.
COUNTER = {
    EntryKind.CREDIT: "issued",
    EntryKind.DEBIT: "spent",
    EntryKind.CAPTURE: "spent",
    EntryKind.EXPIRE: "expired",
}


def system_owner(role: str, kind: AccountKind) -> str:
    """The owner name of a system account: `issued:gift_card`, `spent:points`, ..."""
    return f"{role}:{kind.value}"


def check_unit(unit: str) -> str:
    if unit == POINTS or (len(unit) == 3 and unit.isascii() and unit.isupper()):
        return unit
    raise InvalidLedgerRequest(f"unit must be 'points' or an ISO 4217 code, not {unit!r}",
                               unit=unit)


def check_amount(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidLedgerRequest(f"amount must be a positive integer, not {amount!r}",
                                   amount=amount)
    return amount


@frozen
class Account:
    """An account and its counters. `balance` is the sum of its legs; `held` the sum of its
    active holds; `available` what a debit or a new hold may take. For value accounts the
    store keeps 0 <= held <= balance whatever runs concurrently."""

    id: str
    kind: AccountKind
    owner: str
    unit: str
    balance: int
    held: int
    created_at: datetime

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def guarded(self) -> bool:
        return self.kind is not AccountKind.SYSTEM


@frozen
class Posting:
    """One movement of value: `amount` leaves `from_account` and reaches `to_account` (two
    legs, -amount and +amount). `account_id` is the value account it concerns and `kind` what
    it did to it; (account_id, source, source_id, kind) is unique, so a repeated request finds
    the first posting instead of moving value twice. `replayed` is true when it did."""

    id: str
    account_id: str
    kind: EntryKind
    amount: int
    from_account: str
    to_account: str
    source: str
    source_id: str
    created_at: datetime
    memo: str = ""
    replayed: bool = False


@frozen
class Entry:
    """One leg of a posting, as a statement lists it: positive credits the account, negative
    debits it; `balance_after` is the account's balance once the leg applied."""

    id: str
    posting_id: str
    account_id: str
    amount: int
    balance_after: int
    kind: EntryKind
    source: str
    source_id: str
    created_at: datetime
    memo: str = ""


@frozen
class Lot:
    """Value credited in one posting, spent first-to-expire-first; `remaining` is what is left.
    `expires_at` None: never expires (spent after every lot that does)."""

    id: str
    account_id: str
    posting_id: str
    amount: int
    remaining: int
    expires_at: datetime | None
    created_at: datetime


@frozen
class Hold:
    """Value reserved on an account under a `reference` (a checkout): it stays in the balance
    but not in `available` until captured (a debit) or released."""

    id: str
    account_id: str
    reference: str
    amount: int
    status: HoldStatus
    expires_at: datetime | None
    created_at: datetime
    settled_at: datetime | None = None


def consume(lots: Sequence[Lot], amount: int) -> list[tuple[Lot, int]]:
    """How much to take from each lot, in spending order, to take `amount` (or as much as the
    lots have: value credited before lots existed has none to take from)."""
    plan: list[tuple[Lot, int]] = []
    left = amount
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=_sort_key):
        if left <= 0:
            break
        take = min(lot.remaining, left)
        plan.append((lot, take))
        left -= take
    return plan


def _sort_key(lot: Lot) -> tuple[int, datetime, datetime, str]:
    # First to expire first; lots that never expire last; ties oldest first.
    never = lot.expires_at is None
    return (int(never), lot.expires_at or lot.created_at, lot.created_at, lot.id)
