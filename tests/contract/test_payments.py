"""PaymentRepository contract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import PaymentStatus
from tests.contract.builders import payment, state
from tests.contract.conftest import Store


def test_a_payment_reads_back_exactly_as_it_was_added(store: Store) -> None:
    started = payment(store)
    with store.uow() as uow:
        uow.payments.add(started)
        uow.commit()

    with store.uow() as uow:
        loaded = uow.payments.get(started.id)

    assert state(loaded) == state(started)


def test_an_unknown_payment_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(PaymentNotFound):
        uow.payments.get("no-such-payment")


def test_an_authorization_is_saved(store: Store) -> None:
    started = payment(store)
    with store.uow() as uow:
        uow.payments.add(started)
        uow.commit()

    with store.uow() as uow:
        uow.payments.get(started.id).authorized("auth_123", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        loaded = uow.payments.get(started.id)

    assert (loaded.status, loaded.reference, loaded.version) == (
        PaymentStatus.AUTHORIZED, "auth_123", 1
    )


def test_payments_of_an_order_come_oldest_first(store: Store) -> None:
    second = payment(store, order_id="order-1")
    store.clock.advance(timedelta(seconds=-30))
    first = payment(store, order_id="order-1")
    other = payment(store, order_id="order-2")
    with store.uow() as uow:
        for item in (second, other, first):
            uow.payments.add(item)
        uow.commit()

    with store.uow() as uow:
        found = [p.id for p in uow.payments.for_order("order-1")]
        none = uow.payments.for_order("order-3")

    assert found == [first.id, second.id]
    assert none == []
