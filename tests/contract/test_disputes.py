"""A payment's disputes are stored with it (memory, SQLite, PostgreSQL): opened, decided, and
read back with their ledger lines; a lost one's refunded amount persists."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.payment.model import DisputeStatus, Payment, TransactionKind
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


def test_disputes_read_back_as_they_were_opened_and_decided(store: Store) -> None:
    paid = captured(store)
    with store.uow() as uow:
        held = uow.payments.get(paid.id)
        held.dispute_opened("dp_1", Money(100_000, "VND"), "fraudulent", now=store.clock.now())
        held.dispute_opened("dp_2", None, "product_not_received", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        opened = uow.payments.get(paid.id)
    assert state(opened) == state(held)
    assert [(d.id, d.amount, d.status) for d in opened.disputes] == [
        ("dp_1", Money(100_000, "VND"), DisputeStatus.OPEN),
        ("dp_2", paid.amount, DisputeStatus.OPEN)]
    assert opened.open_dispute is not None
    assert opened.open_dispute.id == "dp_1"

    later = store.clock.now() + timedelta(days=30)
    with store.uow() as uow:
        deciding = uow.payments.get(paid.id)
        deciding.dispute_closed("dp_1", DisputeStatus.LOST, now=later)
        deciding.dispute_closed("dp_2", DisputeStatus.WON, now=later)
        uow.commit()
    with store.uow() as uow:
        decided = uow.payments.get(paid.id)

    assert state(decided) == state(deciding)
    assert [(d.status, d.closed_at) for d in decided.disputes] == [
        (DisputeStatus.LOST, later), (DisputeStatus.WON, later)]
    assert decided.open_dispute is None
    assert decided.refunded_amount == 100_000
    assert [t.kind for t in decided.transactions].count(TransactionKind.DISPUTE) == 4


def test_a_payment_without_disputes_reads_back_with_none(store: Store) -> None:
    paid = captured(store)
    with store.uow() as uow:
        assert uow.payments.get(paid.id).disputes == []
        assert [p.id for p in uow.payments.for_order(paid.order_id)] == [paid.id]
