"""RefundRepository contract, and the payment's refunded amount kept with it."""

from __future__ import annotations

import pytest

from commerce_core.payment.errors import RefundNotFound
from commerce_core.payment.model import Payment, PaymentStatus, Refund, RefundStatus
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from tests.contract.builders import payment, state
from tests.contract.conftest import Store


def captured(store: Store) -> Payment:
    paid = payment(store)
    paid.authorized("auth-1", now=store.clock.now())
    paid.captured(now=store.clock.now())
    with store.uow() as uow:
        uow.payments.add(paid)
        uow.commit()
    return paid


def asked(store: Store, paid: Payment, amount: int, key: str) -> Refund:
    with store.uow() as uow:
        held = uow.payments.get(paid.id)
        refund = Refund.request(refund_id=store.ids.new_id(), payment=held,
                                amount=Money(amount, "VND"), idempotency_key=key,
                                reason="damaged", now=store.clock.now())
        uow.refunds.add(refund)
        uow.commit()
    return refund


def test_a_refund_reads_back_as_it_was_added_and_is_found_by_key_and_payment(
    store: Store,
) -> None:
    paid = captured(store)
    first = asked(store, paid, 100_000, "refund-1")
    second = asked(store, paid, 200_000, "refund-2")

    with store.uow() as uow:
        loaded = uow.refunds.get(first.id)
        by_key = uow.refunds.by_key("refund-2")
        listed = uow.refunds.for_payment(paid.id)
        after = uow.payments.get(paid.id)

    assert state(loaded) == state(first)
    assert by_key is not None
    assert by_key.id == second.id
    assert [r.id for r in listed] == [first.id, second.id]
    assert after.refunded_amount == 300_000
    assert after.refundable == Money(440_000, "VND")


def test_an_unknown_refund_is_not_found(store: Store) -> None:
    with store.uow() as uow:
        assert uow.refunds.by_key("nope") is None
        assert uow.refunds.for_payment("nope") == []
        with pytest.raises(RefundNotFound):
            uow.refunds.get("nope")


def test_a_key_names_one_refund(store: Store) -> None:
    paid = captured(store)
    asked(store, paid, 100_000, "refund-1")

    with pytest.raises(ConcurrencyConflict):
        asked(store, paid, 100_000, "refund-1")

    with store.uow() as uow:
        assert uow.payments.get(paid.id).refunded_amount == 100_000


def test_a_completed_refund_and_its_payment_are_saved_together(store: Store) -> None:
    paid = captured(store)
    refund = asked(store, paid, 740_000, "refund-all")

    with store.uow() as uow:
        uow.refunds.get(refund.id).completed(uow.payments.get(paid.id), "re_1",
                                             now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        done, after = uow.refunds.get(refund.id), uow.payments.get(paid.id)

    assert (done.status, done.reference) == (RefundStatus.COMPLETED, "re_1")
    assert after.status is PaymentStatus.REFUNDED
    assert after.refundable == Money(0, "VND")
