"""Guest checkout linked on registration: orders placed as a guest with the customer's email
become theirs once the email is verified, never before."""

from __future__ import annotations

from commerce_core.ordering.commands import LinkGuestOrders
from tests.shop import SHIRT, cart_with, events_of, stock_shop
from tests.unit.customer.support import customer_shop


def test_guest_orders_become_the_customers_once_their_email_is_verified() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    guest = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                          email="Lan@Example.vn")
    stranger = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                             email="minh@example.vn")

    customer = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn")
    before = commerce.orders.get(guest.order_id).customer_id
    commerce.customers.verify(customer.id)

    assert before is None  # an unverified email proves nothing
    assert commerce.orders.get(guest.order_id).customer_id == customer.id
    assert commerce.orders.get(stranger.order_id).customer_id is None
    assert [o.id for o in commerce.orders.list(customer_id=customer.id)] == [guest.order_id]
    assert commerce.customers.export(customer.id)["order_ids"] == [guest.order_id]
    assert events_of(commerce, "order.customer_linked") == [{
        "order_id": guest.order_id, "customer_id": customer.id,
        "occurred_at": events_of(commerce, "order.customer_linked")[0]["occurred_at"]}]


def test_a_verified_social_sign_up_links_at_once_and_linking_again_changes_nothing() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    guest = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                          email="lan@example.vn")

    customer = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn",
                                           email_verified=True, registration_source="mobile")
    again = commerce.handle(LinkGuestOrders(customer.id, "lan@example.vn"))

    assert commerce.orders.get(guest.order_id).customer_id == customer.id
    assert again == []
    assert len(events_of(commerce, "order.customer_linked")) == 1
