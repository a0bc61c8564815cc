"""Refunds of orders paid with stored value (ADR 0028): each source gets back exactly its share
in the refund order (points, gift card, store credit, then the card), never more than it paid
and once per return; store credit as the refund method; cancellation restores it all."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.ordering import services as ordering
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.returns.handlers import Refunds
from tests.shop import cart_with
from tests.unit.ledger.support import (
    CUSTOMER,
    balance,
    give_points,
    stored_value_shop,
    vnd,
)
from tests.unit.returns.support import HOME, SHIRT_M, clock, gateway, line_id
from tests.unit.returns.test_scenarios import good, walk_to_processing


def delivered(shop: Commerce, quantity: int, **tenders: Any) -> tuple[str, int]:
    placed = shop.handle(PlaceOrder(cart_with(shop, (SHIRT_M, quantity)), "card",
                                    email="lan@example.vn", customer_id=CUSTOMER, ship_to=HOME,
                                    **tenders))
    with suppress(PaymentNotFound):  # no card payment: stored value paid it all
        shop.payments.capture(placed.order_id)
    with shop.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, placed.order_id, step, "test", by="test",
                             now=clock(shop).now())
        uow.commit()
    return str(placed.order_id), placed.total.amount


def returned(shop: Commerce, order_id: str, quantity: int, **kwargs: Any) -> str:
    return_id: str = shop.returns.request(order_id, [(line_id(shop, order_id, SHIRT_M), quantity)],
                                     "defective", customer_id=CUSTOMER, **kwargs)
    walk_to_processing(shop, return_id, good(shop, return_id))
    shop.returns.complete(return_id)
    return return_id


def card_refunds(shop: Commerce) -> list[int]:
    return [a.refunded for a in gateway(shop).authorizations.values()]


def test_a_partial_return_restores_points_then_the_gift_card_then_the_card() -> None:
    shop = stored_value_shop()
    points = give_points(shop, 1_000)
    card = shop.giftcards.issue(vnd(200_000))
    order_id, total = delivered(shop, 2, points=1_000, gift_card_code=card.code)
    card_paid = total - 100_000 - 200_000

    first = returned(shop, order_id, 1)
    refund = shop.returns.get(first).refund.total.amount

    # Points (worth 100,000 ₫) first, then the gift card's 200,000 ₫, then the card.
    assert (balance(shop, points), balance(shop, card.card.account_id)) == (1_000, 200_000)
    assert card_refunds(shop) == [refund - 300_000]
    returned(shop, order_id, 1)
    assert (balance(shop, points), balance(shop, card.card.account_id)) == (1_000, 200_000)
    assert card_refunds(shop) == [card_paid]


def test_a_return_completed_twice_restores_each_source_once() -> None:
    shop = stored_value_shop()
    points = give_points(shop, 1_000)
    order_id, _ = delivered(shop, 2, points=1_000)

    return_id = returned(shop, order_id, 1)
    with shop.ports.uow() as uow:
        ret = uow.returns.get(return_id)
        Refunds(shop.gateways, shop.return_policy, shop.ports.clock,
                shop.tender_policy).attempt(uow, ret)
        uow.commit()

    assert balance(shop, points) == 1_000
    assert shop.ledger.statement(points)[0].amount == 1_000


def test_store_credit_as_the_refund_method_credits_the_whole_refund_for_365_days() -> None:
    shop = stored_value_shop()
    order_id, _ = delivered(shop, 1)

    return_id = returned(shop, order_id, 1, refund_method="store_credit")

    refund = shop.returns.get(return_id).refund.total
    credit = shop.giftcards.store_credit(CUSTOMER, "VND")
    assert credit.balance == refund
    assert card_refunds(shop) == [0]
    assert credit.account_id is not None
    (lot,) = shop.ledger.lots(credit.account_id)
    assert lot.expires_at == clock(shop).now() + timedelta(days=365)


def test_a_disabled_gift_cards_share_comes_back_as_store_credit() -> None:
    shop = stored_value_shop()
    card = shop.giftcards.issue(vnd(500_000))
    order_id, total = delivered(shop, 1, gift_card_code=card.code)
    shop.giftcards.disable(card.card.id, "reported stolen")

    return_id = returned(shop, order_id, 1)

    refund = shop.returns.get(return_id).refund.total
    assert balance(shop, card.card.account_id) == 500_000 - total
    assert shop.giftcards.store_credit(CUSTOMER, "VND").balance == refund


def test_cancelling_a_confirmed_order_gives_its_stored_value_back() -> None:
    shop = stored_value_shop()
    points = give_points(shop, 1_000)
    card = shop.giftcards.issue(vnd(100_000))
    placed = shop.handle(PlaceOrder(cart_with(shop, (SHIRT_M, 1)), "card", customer_id=CUSTOMER,
                                    email="lan@example.vn", ship_to=HOME, points=1_000,
                                    gift_card_code=card.code))

    shop.orders.cancel(placed.order_id, "changed mind")
    shop.orders.cancel(placed.order_id, "changed mind")

    assert (balance(shop, points), balance(shop, card.card.account_id)) == (1_000, 100_000)
