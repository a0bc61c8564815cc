"""Chargebacks: recorded from the gateway's notification, decided by finance. A dispute lives on
its payment (one row per dispute beside the ledger), so recording it and counting a lost one as
refunded happen under the payment's version."""

from __future__ import annotations

import logging

from commerce_core.payment.commands import CloseDispute, RecordDispute
from commerce_core.payment.errors import InvalidDisputeOutcome, InvalidPaymentState
from commerce_core.payment.model import DisputeStatus
from commerce_core.payment.ports import PaymentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

log = logging.getLogger("commerce.payment")


class RecordDisputeHandler:
    """Returns the payment's id, or None when no payment has the reference (the notification
    is acknowledged and nothing changes)."""

    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RecordDispute) -> str | None:
        def record() -> str | None:
            with self._uow() as uow:
                payment = uow.payments.by_reference(cmd.gateway, cmd.reference)
                if payment is None:
                    log.warning("a %s dispute names no known payment (%s)", cmd.gateway,
                                cmd.reference)
                    return None
                try:
                    opened = payment.dispute_opened(cmd.dispute_id, cmd.amount,
                                                    cmd.reason or "unknown",
                                                    now=self._clock.now())
                except InvalidPaymentState as error:
                    log.warning("dispute %s not recorded: %s", cmd.dispute_id, error.message)
                    return payment.id
                if opened:
                    uow.commit()
                return payment.id

        result: str | None = retrying(record, retry_on=ConcurrencyConflict, attempts=10)
        return result


class CloseDisputeHandler:
    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: CloseDispute) -> str:
        try:
            outcome = DisputeStatus(cmd.outcome)
        except ValueError:
            outcome = DisputeStatus.OPEN
        if outcome is DisputeStatus.OPEN:
            raise InvalidDisputeOutcome(f"a dispute closes as won or lost, not {cmd.outcome!r}",
                                        outcome=cmd.outcome)

        def close() -> str:
            with self._uow() as uow:
                payment = uow.payments.get(cmd.payment_id)
                if payment.dispute_closed(cmd.dispute_id, outcome, now=self._clock.now()):
                    uow.commit()
                return cmd.dispute_id

        result: str = retrying(close, retry_on=ConcurrencyConflict, attempts=10)
        return result
