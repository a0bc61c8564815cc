"""What other contexts call inside their own transaction (their unit of work must offer
`value_ledger`): open accounts, credit, debit, hold, capture, release, expire, read.

Amounts are checked here (positive integers) before the store sees them; the store enforces
the rest (no balance below its holds, idempotency) whatever runs concurrently."""

from __future__ import annotations

from datetime import datetime

from commerce_core.ledger.errors import InvalidLedgerRequest
from commerce_core.ledger.model import (
    Account,
    AccountKind,
    Entry,
    Hold,
    Lot,
    Posting,
    check_amount,
    check_unit,
)
from commerce_core.ledger.ports import LedgerUnitOfWork

__all__ = [
    "balance",
    "capture",
    "check_unit",
    "credit",
    "debit",
    "expire_due",
    "get_account",
    "hold",
    "lots",
    "open_account",
    "release",
    "release_all",
    "statement",
]


def open_account(uow: LedgerUnitOfWork, kind: AccountKind | str, owner: str,
                 unit: str) -> Account:
    """The owner's account of this kind and unit, opened empty on first use."""
    try:
        wanted = AccountKind(kind)
    except ValueError:
        raise InvalidLedgerRequest(f"unknown account kind {kind!r}", kind=kind) from None
    if wanted is AccountKind.SYSTEM:
        raise InvalidLedgerRequest("system accounts open themselves", kind=kind)
    if not owner:
        raise InvalidLedgerRequest("an account needs an owner")
    return uow.value_ledger.open(wanted, owner, check_unit(unit))


def get_account(uow: LedgerUnitOfWork, account_id: str) -> Account:
    return uow.value_ledger.get(account_id)


def balance(uow: LedgerUnitOfWork, account_id: str) -> Account:
    """The account with its balance, held and available value."""
    return uow.value_ledger.get(account_id)


def credit(uow: LedgerUnitOfWork, account_id: str, amount: int, *, source: str,
           source_id: str, expires_at: datetime | None = None, counter: str = "issued",
           memo: str = "") -> Posting:
    """Add value as one lot; `counter` names the system account it comes from (`issued` for
    new value, `restored` for value given back by a return or a failed checkout)."""
    _check_source(source, source_id)
    return uow.value_ledger.credit(account_id, check_amount(amount), source=source,
                                   source_id=source_id, expires_at=expires_at,
                                   counter=counter, memo=memo)


def debit(uow: LedgerUnitOfWork, account_id: str, amount: int, *, source: str,
          source_id: str, memo: str = "") -> Posting:
    """Spend available value at once, or `InsufficientValue` (nothing changes)."""
    _check_source(source, source_id)
    return uow.value_ledger.debit(account_id, check_amount(amount), source=source,
                                  source_id=source_id, memo=memo)


def hold(uow: LedgerUnitOfWork, account_id: str, amount: int, *, reference: str,
         expires_at: datetime | None = None) -> Hold:
    """Reserve available value under `reference` (a checkout id), or `InsufficientValue`."""
    if not reference:
        raise InvalidLedgerRequest("a hold needs a reference")
    return uow.value_ledger.hold(account_id, check_amount(amount), reference=reference,
                                 expires_at=expires_at)


def capture(uow: LedgerUnitOfWork, account_id: str, reference: str, *, source: str,
            source_id: str) -> Posting:
    """Spend what the hold reserved; once (a repeat returns the first posting)."""
    _check_source(source, source_id)
    return uow.value_ledger.capture(account_id, reference, source=source, source_id=source_id)


def release(uow: LedgerUnitOfWork, account_id: str, reference: str) -> Hold | None:
    """Free the hold; once (a settled hold is returned unchanged)."""
    return uow.value_ledger.release(account_id, reference)


def release_all(uow: LedgerUnitOfWork, reference: str) -> list[Hold]:
    """Free every active hold under the reference (a compensation does not need to know which
    accounts a checkout held value on)."""
    ledger = uow.value_ledger
    released = []
    for held in ledger.active_holds(reference):
        settled = ledger.release(held.account_id, reference)
        if settled is not None:
            released.append(settled)
    return released


def expire_due(uow: LedgerUnitOfWork, now: datetime, limit: int = 100) -> list[Posting]:
    return uow.value_ledger.expire_due(now, limit)


def lots(uow: LedgerUnitOfWork, account_id: str) -> list[Lot]:
    return uow.value_ledger.lots(account_id)


def statement(uow: LedgerUnitOfWork, account_id: str, limit: int = 50,
              offset: int = 0) -> list[Entry]:
    """The account's legs, newest first."""
    uow.value_ledger.get(account_id)
    return uow.value_ledger.statement(account_id, limit, offset)


def _check_source(source: str, source_id: str) -> None:
    if not source or not source_id:
        raise InvalidLedgerRequest("a posting names its source and source id",
                                   source=source, source_id=source_id)
