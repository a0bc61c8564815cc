"""The ledger's own use cases: the expiry job and staff adjustments."""

from __future__ import annotations

from commerce_core.ledger import services
from commerce_core.ledger.commands import AdjustValue, ExpireDueValue
from commerce_core.ledger.errors import InvalidLedgerRequest
from commerce_core.ledger.events import ValueAdjusted, ValueExpired
from commerce_core.ledger.model import Posting
from commerce_core.ledger.ports import LedgerUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.uow import UnitOfWorkFactory


class ExpireDueValueHandler:
    def __init__(self, uow: UnitOfWorkFactory[LedgerUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ExpireDueValue) -> list[Posting]:
        with self._uow() as uow:
            now = self._clock.now()
            postings = services.expire_due(uow, now, cmd.limit)
            for posting in postings:
                account = uow.value_ledger.get(posting.account_id)
                uow.record(ValueExpired(account_id=account.id, kind=account.kind.value,
                                        owner=account.owner, amount=posting.amount,
                                        unit=account.unit, occurred_at=now))
            uow.commit()
        return postings


class AdjustValueHandler:
    def __init__(self, uow: UnitOfWorkFactory[LedgerUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: AdjustValue) -> Posting:
        if isinstance(cmd.amount, bool) or not isinstance(cmd.amount, int) or cmd.amount == 0:
            raise InvalidLedgerRequest("an adjustment is a non-zero integer amount")
        with self._uow() as uow:
            if cmd.amount > 0:
                posting = services.credit(uow, cmd.account_id, cmd.amount, source="adjustment",
                                          source_id=cmd.reference, counter="adjusted",
                                          memo=cmd.memo)
            else:
                posting = services.debit(uow, cmd.account_id, -cmd.amount, source="adjustment",
                                         source_id=cmd.reference, memo=cmd.memo)
            if not posting.replayed:
                account = uow.value_ledger.get(cmd.account_id)
                uow.record(ValueAdjusted(account_id=account.id, kind=account.kind.value,
                                         owner=account.owner, amount=cmd.amount,
                                         unit=account.unit, reference=cmd.reference,
                                         occurred_at=self._clock.now()))
            uow.commit()
        return posting
