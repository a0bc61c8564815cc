"""A shopper's sign-up with identity becomes a customer profile under the same id, once; the
verified email verifies the customer and links the guest orders placed with it."""

from __future__ import annotations

from adapters import memory
from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.identity import RecordingTokenDelivery
from commerce_core import Commerce
from commerce_core.customer.model import CustomerStatus
from tests.identity_support import PASSWORD, with_identity
from tests.shop import SHIRT, cart_with, stock_shop


def shop() -> tuple[Commerce, RecordingTokenDelivery]:
    delivery = RecordingTokenDelivery()
    ports = with_identity(memory.bundle(clock=FrozenClock(), ids=SequentialIds()),
                          delivery=delivery)
    return Commerce(ports), delivery


def test_a_sign_up_makes_the_customer_profile_under_the_accounts_customer_id() -> None:
    commerce, _ = shop()

    account = commerce.identity.register("lan@example.vn", PASSWORD, name="Lan Nguyễn Thị")

    assert account.customer_id is not None
    customer = commerce.customers.get(account.customer_id)
    assert customer.email == "lan@example.vn"
    assert customer.status is CustomerStatus.PENDING_VERIFICATION
    assert (customer.first_name, customer.last_name) == ("Lan Nguyễn Thị", "")


def test_a_sign_up_without_a_name_is_called_by_its_email() -> None:
    commerce, _ = shop()

    account = commerce.identity.register("minh@example.vn", PASSWORD)

    assert account.customer_id is not None
    assert commerce.customers.get(account.customer_id).first_name == "minh"


def test_verifying_the_email_verifies_the_customer_and_links_guest_orders() -> None:
    commerce, delivery = shop()
    stock_shop(commerce)
    guest = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                          email="lan@example.vn", idempotency_key="guest")
    account = commerce.identity.register("lan@example.vn", PASSWORD, name="Lan")
    commerce.identity.request_email_verification("lan@example.vn")

    commerce.identity.verify_email(delivery.last("email_verification", "lan@example.vn"))

    assert account.customer_id is not None
    assert commerce.customers.get(account.customer_id).status is CustomerStatus.ACTIVE
    assert commerce.orders.get(guest.order_id).customer_id == account.customer_id
