"""The points wallet over the value ledger: a customer's spendable points are the available
value of their ledger account of kind `points` (unit `points`), opened on first use."""

from __future__ import annotations

from datetime import datetime

from commerce_core.ledger import services as ledger
from commerce_core.ledger.ports import Account, AccountKind, LedgerUnitOfWork

POINTS = "points"


class LedgerWallet:
    """`PointsWallet` on the ledger. Credits are lots expiring when the points do; a take
    debits what is available (value held by a checkout in progress is not), never more; the
    ledger makes both idempotent on (source, source_id)."""

    def _account(self, uow: LedgerUnitOfWork, customer_id: str) -> Account:
        return ledger.open_account(uow, AccountKind.POINTS, customer_id, POINTS)

    def balance(self, uow: LedgerUnitOfWork, customer_id: str) -> int:
        found = uow.value_ledger.find(AccountKind.POINTS, customer_id, POINTS)
        return found[0].available if found else 0

    def credit(self, uow: LedgerUnitOfWork, customer_id: str, points: int, *, source: str,
               source_id: str, expires_at: datetime | None) -> int:
        account = self._account(uow, customer_id)
        ledger.credit(uow, account.id, points, source=source, source_id=source_id,
                      expires_at=expires_at)
        return ledger.balance(uow, account.id).available

    def take(self, uow: LedgerUnitOfWork, customer_id: str, points: int, *, source: str,
             source_id: str) -> tuple[int, int]:
        account = self._account(uow, customer_id)
        amount = min(points, account.available)
        if amount <= 0:
            return 0, account.available
        posting = ledger.debit(uow, account.id, amount, source=source, source_id=source_id)
        return posting.amount, ledger.balance(uow, account.id).available
