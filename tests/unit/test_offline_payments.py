"""Cash on delivery and bank transfer (spec payment §3.5-§3.6, scenario 24): their own life
cycles behind the gateway port, through checkout, capture, the ledger and the jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory import (
    FrozenClock,
    InMemoryBreakerStore,
    ScriptedPaymentGateway,
    SequentialIds,
    bundle,
)
from adapters.payments import BankTransferGateway, CashOnDeliveryGateway
from commerce_core import Commerce, Money
from commerce_core.checkout.errors import TransferAmountMismatch, TransferTooLate
from commerce_core.checkout.queries import SettleOutcome
from commerce_core.payment.errors import InvalidPaymentState, PaymentDeclined, PaymentNotFound
from commerce_core.payment.model import PaymentStatus
from commerce_core.payment.routing import GatewayProfile, GatewayRouter, RoutingTable
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.shop import LAMP, SHIRT, assert_nothing_leaked, cart_with, events_of, stock_shop

INSTRUCTIONS = "https://shop.test/pay/transfer?ref={reference}&amount={amount}&cur={currency}"


class Shop:
    def __init__(self) -> None:
        self.clock = FrozenClock()
        self.card = ScriptedPaymentGateway(name="fake")
        router = GatewayRouter(
            [self.card, CashOnDeliveryGateway(),
             BankTransferGateway(instructions_url=INSTRUCTIONS)],
            routes=RoutingTable.parse("cod=cod; bank_transfer=bank_transfer"),
            profiles={"cod": GatewayProfile(methods=frozenset({"cod"})),
                      "bank_transfer": GatewayProfile(methods=frozenset({"bank_transfer"}))},
            breakers=InMemoryBreakerStore(), clock=self.clock)
        ports = bundle(gateway=self.card, clock=self.clock, ids=SequentialIds())
        ports.gateways = router
        self.commerce = Commerce(ports)
        stock_shop(self.commerce)

    def place(self, method: str, *lines: tuple[str, int]) -> str:
        return self.commerce.checkout.place_order(
            cart_with(self.commerce, *(lines or ((LAMP, 1),))), payment_method=method,
            idempotency_key=f"{method}-{len(self.commerce.orders.list(limit=200))}").order_id

    def payment(self, order_id: str):  # type: ignore[no-untyped-def]
        (payment,) = self.commerce.payments.for_order(order_id)
        return payment


def test_cash_on_delivery_is_collected_and_captured_at_the_door() -> None:
    shop = Shop()
    order_id = shop.place("cod")
    waiting = shop.payment(order_id)

    shop.commerce.payments.record_collection(order_id, Money(1_250_000, "VND"))
    shop.commerce.payments.record_collection(order_id, Money(1_250_000, "VND"))  # again: once

    payment = shop.payment(order_id)
    assert waiting.gateway == "cod"
    assert waiting.status is PaymentStatus.AUTHORIZED
    assert payment.status is PaymentStatus.CAPTURED
    assert [(t.kind.value, t.amount.amount) for t in payment.transactions] == [
        ("authorize", 1_250_000), ("capture", 1_250_000)]
    assert shop.commerce.orders.get(order_id).status.value == "paid"
    assert events_of(shop.commerce, "payment.collection_mismatched") == []
    assert shop.card.calls == []  # the card gateway was never asked


def test_spec_24_a_different_amount_collected_is_captured_and_flagged() -> None:
    shop = Shop()
    order_id = shop.place("cod")

    shop.commerce.payments.record_collection(order_id, Money(1_200_000, "VND"))

    payment = shop.payment(order_id)
    assert payment.status is PaymentStatus.CAPTURED
    assert payment.captured_amount == 1_200_000
    assert payment.collection_difference == -50_000
    (flag,) = events_of(shop.commerce, "payment.collection_mismatched")
    assert flag["difference"]["amount"] == -50_000


def test_spec_24_confirming_the_collection_of_a_cancelled_order_fails() -> None:
    shop = Shop()
    order_id = shop.place("cod")
    shop.commerce.orders.cancel(order_id, "customer_request", changed_by="shopper")

    with pytest.raises(InvalidPaymentState):
        shop.commerce.payments.record_collection(order_id, Money(1_250_000, "VND"))
    assert shop.payment(order_id).status is PaymentStatus.VOIDED


def test_a_collection_that_failed_fails_the_payment() -> None:
    shop = Shop()
    order_id = shop.place("cod")

    shop.commerce.payments.record_collection_failed(order_id, reason="nobody home")

    payment = shop.payment(order_id)
    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_code == "cod_not_collected"
    assert payment.transactions[-1].failure_code == "cod_not_collected"


def test_cash_on_delivery_above_the_ceiling_is_declined_before_the_order_stands() -> None:
    shop = Shop()
    with pytest.raises(PaymentDeclined):
        shop.place("cod", (LAMP, 5))  # 6,250,000 VND
    assert_nothing_leaked(shop.commerce)


def test_a_card_payment_is_not_collected_at_the_door() -> None:
    shop = Shop()
    order_id = shop.place("card")
    with pytest.raises(InvalidPaymentState, match="not paid on delivery"):
        shop.commerce.payments.record_collection(order_id, Money(1_250_000, "VND"))


def test_a_cod_hold_never_expires() -> None:
    shop = Shop()
    order_id = shop.place("cod")
    shop.clock.advance(timedelta(days=60))
    assert shop.commerce.payments.expire_authorizations() == 0
    assert shop.payment(order_id).status is PaymentStatus.AUTHORIZED


def test_a_bank_transfer_waits_for_the_money_and_staff_confirm_it_once() -> None:
    shop = Shop()
    placed = shop.commerce.checkout.place_order(cart_with(shop.commerce, (SHIRT, 1)),
                                                payment_method="bank_transfer",
                                                idempotency_key="bt-1")
    payment = shop.payment(placed.order_id)
    reference = payment.reference
    assert payment.status is PaymentStatus.REQUIRES_ACTION
    assert reference is not None
    assert placed.payment_url == INSTRUCTIONS.format(
        reference=reference, amount=payment.amount.amount, currency="VND")

    first = shop.commerce.checkout.confirm_bank_transfer(reference, payment.amount)
    again = shop.commerce.checkout.confirm_bank_transfer(reference, payment.amount)

    assert (first, again) == (SettleOutcome.CONFIRMED, SettleOutcome.ALREADY_SETTLED)
    assert shop.commerce.orders.get(placed.order_id).status.value == "confirmed"
    shop.commerce.payments.capture(placed.order_id)
    assert shop.payment(placed.order_id).status is PaymentStatus.CAPTURED


@pytest.mark.parametrize("delta", [-1, 1])
def test_a_transfer_of_another_amount_confirms_nothing(delta: int) -> None:
    shop = Shop()
    order_id = shop.place("bank_transfer")
    payment = shop.payment(order_id)
    assert payment.reference is not None

    with pytest.raises(TransferAmountMismatch):
        shop.commerce.checkout.confirm_bank_transfer(
            payment.reference, Money(payment.amount.amount + delta, "VND"))
    assert shop.payment(order_id).status is PaymentStatus.REQUIRES_ACTION


def test_a_transfer_after_the_window_is_refused_and_the_order_stays_cancelled() -> None:
    shop = Shop()
    order_id = shop.place("bank_transfer")
    payment = shop.payment(order_id)
    assert payment.reference is not None
    shop.clock.advance(timedelta(hours=5))  # bank transfer: 4 hours of stock
    shop.commerce.checkout.recover()

    with pytest.raises(TransferTooLate):
        shop.commerce.checkout.confirm_bank_transfer(payment.reference, payment.amount)
    assert shop.commerce.orders.get(order_id).status.value == "cancelled"
    assert shop.payment(order_id).status is PaymentStatus.EXPIRED


def test_an_unknown_transfer_reference_is_not_found() -> None:
    with pytest.raises(PaymentNotFound):
        Shop().commerce.checkout.confirm_bank_transfer("BTNOPE", Money(1, "VND"))


def test_settings_route_cod_and_bank_transfer_to_their_own_gateways() -> None:
    commerce: Commerce = make_container(Settings(
        database_url="memory://", gateways="fake,cod,bank_transfer",
        bank_transfer_instructions_url=INSTRUCTIONS)).commerce()
    assert commerce.gateways.route("cod", "VND", "VN") == ("cod",)
    assert commerce.gateways.route("bank_transfer", "VND", None) == ("bank_transfer",)
    assert commerce.gateways.route("card", "VND", None) == ("fake",)
