"""What the ledger consumes: one store of accounts, postings, lots and holds, written at once in
the caller's transaction; with the records it exchanges."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from commerce_core.ledger.model import (
    Account,
    AccountKind,
    Entry,
    EntryKind,
    Hold,
    HoldStatus,
    Lot,
    Posting,
)
from commerce_core.shared.uow import UnitOfWork

__all__ = [
    "Account",
    "AccountKind",
    "Entry",
    "EntryKind",
    "Hold",
    "HoldStatus",
    "LedgerTotals",
    "LedgerUnitOfWork",
    "Lot",
    "Posting",
    "ValueLedger",
]


@frozen
class LedgerTotals:
    """The books at one instant: the sum of every debit leg and of every credit leg (equal when
    the books balance), and the accounts whose counters disagree with their legs or holds."""

    debits: int
    credits: int
    mismatched: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits and not self.mismatched


class ValueLedger(Protocol):
    """Accounts of stored value, written at once in the unit of work's transaction.

    Every movement is a posting of two legs (the value account and a system account named by
    its role, `issued:<kind>`, `spent:<kind>`, `expired:<kind>`, created on first use), so the
    sum of all debits equals the sum of all credits. Nothing is updated or deleted but the
    counters (balance, held), a lot's remainder and a hold's status.

    Guarantees, whatever runs concurrently: a value account's balance never goes below its
    active holds, nor its holds below zero (a debit or hold that would is refused with
    `InsufficientValue`, changing nothing); postings are idempotent on (account, source,
    source_id, kind) and holds on (account, reference): a repeat returns the first
    (`Posting.replayed`), a concurrent duplicate raises `ConcurrencyConflict` at the latest on
    commit. Amounts are positive integers; units never mix (a posting stays in its account's
    unit).
    """

    def open(self, kind: AccountKind, owner: str, unit: str) -> Account:
        """The account of `owner` of this kind and unit, created (empty) if it has none."""
        ...

    def get(self, account_id: str) -> Account:
        """The account, or `AccountNotFound`."""
        ...

    def find(self, kind: AccountKind, owner: str, unit: str | None = None) -> list[Account]:
        """The owner's accounts of this kind (in this unit), oldest first."""
        ...

    def of_owner(self, owner: str) -> list[Account]:
        """Every account of the owner, oldest first."""
        ...

    def credit(self, account_id: str, amount: int, *, source: str, source_id: str,
               expires_at: datetime | None = None, counter: str = "issued",
               memo: str = "") -> Posting:
        """Add value (one lot, expiring at `expires_at` or never), taken from the system
        account `<counter>:<kind>`."""
        ...

    def debit(self, account_id: str, amount: int, *, source: str, source_id: str,
              memo: str = "") -> Posting:
        """Spend available value into `spent:<kind>`, from the lots first to expire, or
        `InsufficientValue`."""
        ...

    def hold(self, account_id: str, amount: int, *, reference: str,
             expires_at: datetime | None = None) -> Hold:
        """Reserve available value under `reference`, or `InsufficientValue`. A second hold
        under the same reference returns the first, whatever its state."""
        ...

    def hold_of(self, account_id: str, reference: str) -> Hold | None: ...

    def capture(self, account_id: str, reference: str, *, source: str,
                source_id: str) -> Posting:
        """Turn the active hold into a debit (`EntryKind.CAPTURE`); again: the first capture.
        `HoldNotFound`; `HoldSettled` if it was released."""
        ...

    def release(self, account_id: str, reference: str) -> Hold | None:
        """Free the active hold; a settled one is returned unchanged, an unknown one is None."""
        ...

    def active_holds(self, reference: str) -> list[Hold]:
        """Every active hold under the reference, on any account."""
        ...

    def expire_due(self, now: datetime, limit: int = 100) -> list[Posting]:
        """Take the remainder of up to `limit` lots whose time has come into `expired:<kind>`.
        Value under an active hold stays until the hold settles (a later run takes it)."""
        ...

    def lots(self, account_id: str) -> list[Lot]:
        """The account's lots with value left, in spending order."""
        ...

    def statement(self, account_id: str, limit: int = 50, offset: int = 0) -> list[Entry]:
        """The account's legs, newest first."""
        ...

    def totals(self) -> LedgerTotals:
        """The whole books (the invariant tests check after every test)."""
        ...


class LedgerUnitOfWork(UnitOfWork, Protocol):
    @property
    def value_ledger(self) -> ValueLedger: ...
