"""Paying with stored value at checkout: holds in the first transaction, the card asked for the
rest only, captures on confirmation, compensation gives it back once; the points rules."""

from __future__ import annotations

from typing import Any

import pytest

from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.errors import CheckoutFailed
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.giftcard.errors import GiftCardUnusable
from commerce_core.ledger.errors import InsufficientValue
from commerce_core.payment.errors import PaymentDeclined, TenderRefused
from commerce_core.payment.ports import Tender, TenderStatus
from tests.shop import cart_with, events_of
from tests.unit.ledger.support import (
    CUSTOMER,
    available,
    balance,
    give_points,
    stored_value_shop,
    vnd,
)
from tests.unit.returns.support import HOME, SHIRT_M, gateway


def order(shop: Commerce, *lines: tuple[str, int], **tenders: Any) -> PlaceOrder:
    return PlaceOrder(cart_with(shop, *lines), "card", email="lan@example.vn",
                      customer_id=CUSTOMER, ship_to=HOME, **tenders)


def place(shop: Commerce, *lines: tuple[str, int], **tenders: Any) -> PlacedOrder:
    placed: PlacedOrder = shop.handle(order(shop, *lines, **tenders))
    return placed


def authorized_amounts(shop: Commerce) -> list[int]:
    return [a.amount.amount for a in gateway(shop).authorizations.values()]


def test_a_gift_card_and_store_credit_pay_part_and_the_card_the_rest() -> None:
    shop = stored_value_shop()
    card = shop.giftcards.issue(vnd(200_000))
    credit = shop.giftcards.grant_store_credit(CUSTOMER, vnd(50_000), "welcome")

    placed = place(shop, (SHIRT_M, 2), gift_card_code=card.code, store_credit_amount=50_000)

    assert placed.status == "confirmed"
    assert authorized_amounts(shop) == [placed.total.amount - 250_000]
    assert balance(shop, card.card.account_id) == 0
    assert (balance(shop, credit), available(shop, credit)) == (0, 0)
    statuses = {t.status for t in _tenders(shop, placed.order_id)}
    assert statuses == {TenderStatus.CAPTURED}


def test_a_gift_card_pays_only_what_the_order_costs_and_keeps_the_rest() -> None:
    shop = stored_value_shop()
    card = shop.giftcards.issue(vnd(1_000_000))

    placed = place(shop, (SHIRT_M, 1), gift_card_code=card.code)

    assert placed.status == "paid"  # the holds were its capture: fulfillment may start
    assert gateway(shop).calls == []
    assert len(events_of(shop, "order.paid")) == 1
    assert balance(shop, card.card.account_id) == 1_000_000 - placed.total.amount
    assert len(events_of(shop, "order.confirmed")) == 1


def test_a_declined_card_gives_the_held_value_back_once() -> None:
    shop = stored_value_shop()
    card = shop.giftcards.issue(vnd(100_000))
    points = give_points(shop, 2_000)
    gateway(shop).script("decline")

    request = order(shop, (SHIRT_M, 1), gift_card_code=card.code, points=1_000,
                    idempotency_key="k-1")

    with pytest.raises(PaymentDeclined):
        shop.handle(request)
    with pytest.raises(CheckoutFailed):
        shop.handle(request)
    (cancelled,) = events_of(shop, "order.cancelled")
    shop.relay_outbox()

    assert available(shop, card.card.account_id) == balance(shop, card.card.account_id)
    assert (balance(shop, card.card.account_id), available(shop, points)) == (100_000, 2_000)
    assert {t.status for t in _tenders(shop, cancelled["order_id"])} == {
        TenderStatus.RELEASED}
    statement = shop.ledger.statement(card.card.account_id)
    assert [e.kind.value for e in statement] == ["credit"]


def test_a_refused_tender_rolls_the_whole_checkout_back() -> None:
    shop = stored_value_shop()
    give_points(shop, 150)
    card = shop.giftcards.issue(vnd(100_000), customer_id="c-2")

    with pytest.raises(InsufficientValue):
        place(shop, (SHIRT_M, 1), points=200)
    with pytest.raises(GiftCardUnusable):
        place(shop, (SHIRT_M, 1), gift_card_code=card.code)

    assert events_of(shop, "order.created") == []
    assert shop.ledger.totals().debits == 100_000 + 150  # the two credits, nothing held


def test_points_pay_at_least_100_and_at_most_half_the_order() -> None:
    shop = stored_value_shop()
    give_points(shop, 10_000)

    with pytest.raises(TenderRefused) as few:
        place(shop, (SHIRT_M, 1), points=99)
    with pytest.raises(TenderRefused) as many:
        place(shop, (SHIRT_M, 1), points=1_751)  # 175,100 ₫ of a 350,000 ₫ order
    placed = place(shop, (SHIRT_M, 1), points=1_750)

    assert few.value.details["minimum"] == 100
    assert many.value.details["maximum_value"] == placed.total.amount // 2
    assert authorized_amounts(shop) == [placed.total.amount - 175_000]


def _tenders(shop: Commerce, order_id: str) -> list[Tender]:
    with shop.ports.uow() as uow:
        return uow.tenders.of_order(order_id)

