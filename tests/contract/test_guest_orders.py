"""OrderRepository.guest_orders: orders without a customer, found by email ignoring case,
oldest first; linking one to a customer reads back."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from tests.contract.builders import order
from tests.contract.conftest import Store


def test_guest_orders_are_found_by_email_ignoring_case_and_link_for_good(store: Store) -> None:
    guest = order(store, checkout_id="c-1", customer_id=None)
    store.clock.advance(timedelta(minutes=1))
    later = evolve(order(store, checkout_id="c-2", customer_id=None), email="LAN@Example.VN")
    owned = order(store, checkout_id="c-3", customer_id="someone")
    other = evolve(order(store, checkout_id="c-4", customer_id=None), email="minh@example.vn")
    with store.uow() as uow:
        for o in (guest, later, owned, other):
            uow.orders.add(o)
        uow.commit()

    with store.uow() as uow:
        found = [o.id for o in uow.orders.guest_orders("lan@example.vn")]
        for o in uow.orders.guest_orders("Lan@example.vn"):
            o.link_customer("c-lan", now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        left = uow.orders.guest_orders("lan@example.vn")
        linked = [o.id for o in uow.orders.list(customer_id="c-lan")]

    assert found == [guest.id, later.id]
    assert left == []
    assert sorted(linked) == sorted([guest.id, later.id])
    assert "order.customer_linked" in store.event_types()
