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


def test_a_payment_awaiting_the_shopper_is_found_by_its_gateway_reference(store: Store) -> None:
    awaiting, other = payment(store, order_id="order-1"), payment(store, order_id="order-2")
    with store.uow() as uow:
        uow.payments.add(awaiting)
        uow.payments.add(other)
        uow.commit()
    with store.uow() as uow:
        uow.payments.get(awaiting.id).requires_action(
            "vnp-ref-1", "https://pay.example/vnp-ref-1", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        found = uow.payments.by_reference(awaiting.gateway, "vnp-ref-1")
        elsewhere = uow.payments.by_reference("another-gateway", "vnp-ref-1")
        unknown = uow.payments.by_reference(awaiting.gateway, "vnp-ref-2")

    assert found is not None
    assert (found.id, found.status, found.redirect_url) == (
        awaiting.id, PaymentStatus.REQUIRES_ACTION, "https://pay.example/vnp-ref-1")
    assert elsewhere is None
    assert unknown is None
    with store.uow() as uow:
        uow.payments.get(awaiting.id).authorized("vnp-ref-1", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        settled = uow.payments.by_reference(awaiting.gateway, "vnp-ref-1")
    assert settled is not None
    assert (settled.status, settled.redirect_url) == (PaymentStatus.AUTHORIZED, None)
