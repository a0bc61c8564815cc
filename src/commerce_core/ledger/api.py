"""`commerce.ledger`: accounts, balances and statements of stored value, the expiry job and
staff adjustments, as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.ledger import services
from commerce_core.ledger.commands import AdjustValue, ExpireDueValue
from commerce_core.ledger.model import Account, Entry, Lot, Posting
from commerce_core.ledger.ports import LedgerTotals, LedgerUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class LedgerApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[LedgerUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def balance(self, account_id: str) -> Account:
        """The account with its balance, held and available value."""
        with self._read() as uow:
            return services.balance(uow, account_id)

    def accounts(self, owner: str) -> builtins.list[Account]:
        """Every account of a customer (or a card), oldest first."""
        with self._read() as uow:
            return uow.value_ledger.of_owner(owner)

    def statement(self, account_id: str, limit: int = 50,
                  offset: int = 0) -> builtins.list[Entry]:
        """The account's legs, newest first."""
        with self._read() as uow:
            return services.statement(uow, account_id, limit, offset)

    def lots(self, account_id: str) -> builtins.list[Lot]:
        """The account's lots with value left, in the order they are spent."""
        with self._read() as uow:
            return services.lots(uow, account_id)

    def totals(self) -> LedgerTotals:
        """The whole books: debits, credits, and accounts that disagree with their legs."""
        with self._read() as uow:
            return uow.value_ledger.totals()

    def expire_due(self, limit: int = 500) -> builtins.list[Posting]:
        """Run the expiry job once (the worker runs it on a schedule)."""
        result: builtins.list[Posting] = self._handle(ExpireDueValue(limit))
        return result

    def adjust(self, account_id: str, amount: int, reference: str, memo: str = "") -> Posting:
        """Credit (positive) or debit (negative) an account by hand; once per reference."""
        result: Posting = self._handle(AdjustValue(account_id, amount, reference, memo))
        return result
