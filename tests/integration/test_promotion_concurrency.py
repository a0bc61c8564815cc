"""Promotions under concurrent checkouts on PostgreSQL: limits and budgets hold exactly, refused
checkouts leave nothing behind, and a cancellation gives a usage back once."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import partial

import pytest

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from commerce_core import Commerce
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.promotion.commands import CreateCampaign, CreateCoupon, CreatePromotion
from commerce_core.promotion.errors import PromotionNotApplicable
from commerce_core.promotion.model import CampaignType, UsageStatus
from commerce_core.promotion.terms import FixedAmountOff, PercentageOff
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.money import Money
from tests.integration.test_sql_concurrency import all_at_once
from tests.shop import SHIRT, assert_nothing_leaked, cart_with, events_of, every_event, stock_shop

SHOPPERS = 100


@pytest.fixture
def commerce(postgres_url: str) -> Iterator[Commerce]:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=20)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Commerce(ports)
    finally:
        factory.dispose()


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def coupon_usage(commerce: Commerce, coupon_id: str) -> int:
    with commerce.ports.uow() as uow:
        counts = uow.promotion_usage.counts(promotion_ids=[], coupon_ids=[coupon_id],
                                            campaign_ids=[], customer_id=None)
    return int(counts.coupon_uses.get(coupon_id, 0))


def test_a_coupon_limited_to_ten_uses_is_redeemed_exactly_ten_times(commerce: Commerce) -> None:
    stock_shop(commerce, shirts=SHOPPERS)
    promotion_id = commerce.promotions.create(CreatePromotion(
        "10% with FLASH", PercentageOff(Decimal(10)), requires_coupon=True))
    coupon_id = commerce.promotions.create_coupon(CreateCoupon(promotion_id, "FLASH",
                                                               usage_limit=10))
    carts = [cart_with(commerce, (SHIRT, 1)) for _ in range(SHOPPERS)]
    for cart_id in carts:
        commerce.cart.apply_coupon(cart_id, "FLASH")

    outcomes = all_at_once([partial(commerce.checkout.place_order, c) for c in carts])

    placed = [o for o in outcomes if isinstance(o, PlacedOrder)]
    refused = [o for o in outcomes if not isinstance(o, PlacedOrder)]
    assert len(placed) == 10
    assert all(isinstance(e, PromotionNotApplicable) for e in refused), refused
    assert {o.total for o in placed} == {vnd(315_000)}
    assert coupon_usage(commerce, coupon_id) == 10
    assert len(commerce.orders.list(limit=1000)) == 10
    assert len(events_of(commerce, "promotion.applied")) == 10
    assert len(events_of(commerce, "coupon.exhausted")) == 1
    assert_nothing_leaked(commerce)


def test_a_campaign_budget_is_never_overspent_by_concurrent_checkouts(
    commerce: Commerce,
) -> None:
    stock_shop(commerce, shirts=40)
    campaign_id = commerce.promotions.create_campaign(CreateCampaign(
        "Flash", CampaignType.FLASH_SALE, SystemClock().now(), budget_limit=vnd(1_000_000)))
    commerce.promotions.create(CreatePromotion("100k off", FixedAmountOff(vnd(100_000)),
                                               campaign_id=campaign_id))
    carts = [cart_with(commerce, (SHIRT, 1)) for _ in range(40)]

    outcomes = all_at_once([partial(commerce.checkout.place_order, c) for c in carts])

    placed = [o for o in outcomes if isinstance(o, PlacedOrder)]
    discounts = sum(commerce.orders.get(o.order_id).totals.discount.amount for o in placed)
    with commerce.ports.uow() as uow:
        used = uow.promotion_usage.counts(promotion_ids=[], coupon_ids=[],
                                          campaign_ids=[campaign_id], customer_id=None)
    assert used.campaign_budget_used[campaign_id] == vnd(discounts)
    assert discounts <= 1_000_000
    assert all(isinstance(o, PlacedOrder | PromotionNotApplicable) for o in outcomes)
    assert_nothing_leaked(commerce)


def test_cancelling_releases_the_usage_once_when_the_event_arrives_twice(
    commerce: Commerce,
) -> None:
    stock_shop(commerce)
    promotion_id = commerce.promotions.create(CreatePromotion(
        "10% with ONCE", PercentageOff(Decimal(10)), requires_coupon=True))
    coupon_id = commerce.promotions.create_coupon(CreateCoupon(promotion_id, "ONCE",
                                                               usage_limit=1))
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.cart.apply_coupon(cart_id, "ONCE")
    placed = commerce.checkout.place_order(cart_id)

    commerce.orders.cancel(placed.order_id)
    with commerce.ports.uow() as uow:
        (cancelled,) = [e for e in every_event(uow) if e.type == "order.cancelled"]
    all_at_once([partial(commerce.bus.deliver, cancelled) for _ in range(2)])

    (usage,) = commerce.promotions.usages(placed.order_id)
    assert usage.status is UsageStatus.CANCELLED
    assert coupon_usage(commerce, coupon_id) == 0
    assert len(events_of(commerce, "promotion.usage_released")) == 1

