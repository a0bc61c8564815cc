"""The price engine in the shopper's journey: catalog prices become price rows, carts are quoted
by the engine, checkout charges the engine's confirm-stage total and records promotion usage in
its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs
import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce
from commerce_core.cart.errors import CartLimitReached
from commerce_core.pricing.commands import UpdatePrice
from commerce_core.pricing.ports import TaxDestination
from commerce_core.promotion.commands import CreateCampaign, CreateCoupon, CreatePromotion
from commerce_core.promotion.errors import PromotionNotApplicable
from commerce_core.promotion.model import CampaignType, UsageStatus
from commerce_core.promotion.terms import FixedAmountOff, PercentageOff
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.money import Money
from commerce_core.tax.commands import CreateTaxRule
from commerce_core.tax.errors import TaxServiceUnavailable
from commerce_core.tax.model import TaxRuleDefinition
from tests.shop import (
    MUG,
    SHIRT,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    events_of,
    every_event,
    make_commerce,
    stock_shop,
)


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def shop() -> Commerce:
    commerce = make_commerce()
    stock_shop(commerce)
    return commerce


def coupon_offer(commerce: Commerce, code: str = "TET10", *, limit: int | None = None,
                 percent: str = "10", campaign_id: str | None = None) -> str:
    promotion_id = commerce.promotions.create(CreatePromotion(
        f"{percent}% with {code}", PercentageOff(Decimal(percent)), campaign_id=campaign_id,
        requires_coupon=True,
    ))
    commerce.promotions.create_coupon(CreateCoupon(promotion_id, code, usage_limit=limit))
    return promotion_id


def vat(commerce: Commerce, rate: str = "15") -> None:
    commerce.tax.create_rule(CreateTaxRule(f"VAT {rate}%", "VN", "VAT", Decimal(rate)))


def test_creating_a_product_gives_each_variant_a_sku_price_and_a_price_event() -> None:
    commerce = shop()

    product = commerce.catalog.by_sku(MUG)
    assert product is not None
    (row,) = commerce.pricing.prices_of(product.id)
    assert (row.point.sku, row.point.base_price) == (MUG, vnd(89_000))
    updates = [e for e in events_of(commerce, "price.updated") if e["product_id"] == product.id]
    assert [e["sequence"] for e in updates] == [1]


def test_a_catalog_price_change_moves_the_price_row_with_the_next_sequence() -> None:
    commerce = shop()

    commerce.catalog.change_price(MUG, vnd(79_000))

    product = commerce.catalog.by_sku(MUG)
    assert product is not None
    assert [p.point.base_price for p in commerce.pricing.prices_of(product.id)] == [vnd(79_000)]
    updates = [e for e in events_of(commerce, "price.updated") if e["product_id"] == product.id]
    assert [e["sequence"] for e in updates] == [1, 2]


def test_the_cart_view_is_priced_by_the_engine_with_tax_pending() -> None:
    commerce = shop()
    vat(commerce)
    cart_id = cart_with(commerce, (SHIRT, 2))
    coupon_offer(commerce)
    commerce.cart.apply_coupon(cart_id, "tet10")

    view = commerce.cart.get(cart_id)

    assert (view.subtotal, view.discount_total, view.tax_total, view.total) == (
        vnd(700_000), vnd(70_000), vnd(0), vnd(630_000))
    assert (view.tax_status, view.coupon_codes) == ("pending", ("TET10",))


def test_a_cart_holds_at_most_five_coupon_codes() -> None:
    commerce = shop()
    cart_id = cart_with(commerce, (MUG, 1))
    for n in range(5):
        commerce.cart.apply_coupon(cart_id, f"CODE{n}")

    with pytest.raises(CartLimitReached):
        commerce.cart.apply_coupon(cart_id, "CODE5")
    commerce.cart.remove_coupon(cart_id, "code0")
    assert commerce.cart.get(cart_id).coupon_codes == ("CODE1", "CODE2", "CODE3", "CODE4")


def test_tax_is_charged_once_through_checkout() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    commerce.catalog.change_price(MUG, vnd(110_000))
    vat(commerce, "15")

    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 2)),
                                           idempotency_key="k-1")

    order = commerce.orders.get(placed.order_id)
    t = order.totals
    assert (t.subtotal, t.discount, t.tax, t.total) == (
        vnd(220_000), vnd(0), vnd(33_000), vnd(253_000))
    t.check()
    (payment,) = commerce.payments.for_order(order.id)
    assert payment.amount == vnd(253_000) == placed.total


def test_an_active_sale_price_is_charged_through_checkout() -> None:
    commerce = shop()
    commerce.catalog.change_price(MUG, vnd(120_000))
    product = commerce.catalog.by_sku(MUG)
    assert product is not None
    (row,) = commerce.pricing.prices_of(product.id)
    commerce.pricing.update_price(UpdatePrice(row.id, row.version, vnd(120_000),
                                              sale_price=vnd(110_000)))

    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 1)))

    line = commerce.orders.get(placed.order_id).lines[0]
    assert (line.unit_price, placed.total) == (vnd(110_000), vnd(110_000))


def test_a_coupon_discount_is_frozen_into_the_order_and_its_usage_recorded() -> None:
    commerce = shop()
    vat(commerce, "10")
    promotion_id = coupon_offer(commerce, limit=1)
    cart_id = cart_with(commerce, (SHIRT, 2))
    commerce.cart.apply_coupon(cart_id, "TET10")

    placed = commerce.checkout.place_order(cart_id, customer_id="ann")

    t = commerce.orders.get(placed.order_id).totals
    assert (t.subtotal, t.discount, t.tax, t.total) == (
        vnd(700_000), vnd(70_000), vnd(63_000), vnd(693_000))
    (usage,) = commerce.promotions.usages(placed.order_id)
    assert (usage.promotion_id, usage.discount, usage.status) == (
        promotion_id, vnd(70_000), UsageStatus.APPLIED)
    assert [e["order_id"] for e in events_of(commerce, "promotion.applied")] == [
        placed.order_id]
    assert len(events_of(commerce, "coupon.exhausted")) == 1


def test_a_used_up_coupon_stops_the_checkout_and_leaves_nothing_behind() -> None:
    commerce = shop()
    coupon_offer(commerce, limit=1)
    first, second = cart_with(commerce, (MUG, 1)), cart_with(commerce, (MUG, 1))
    commerce.cart.apply_coupon(first, "TET10")
    commerce.cart.apply_coupon(second, "TET10")
    commerce.checkout.place_order(first)

    with pytest.raises(PromotionNotApplicable, match="TET10"):
        commerce.checkout.place_order(second)

    assert len(commerce.orders.list()) == 1
    assert commerce.cart.get(second).status == "active"
    assert_nothing_leaked(commerce)


def test_a_campaign_budget_refusal_rolls_the_whole_checkout_back() -> None:
    commerce = shop()
    campaign_id = commerce.promotions.create_campaign(CreateCampaign(
        "Tet", CampaignType.SEASONAL, clock_of(commerce).now(), budget_limit=vnd(100_000)))
    commerce.promotions.create(CreatePromotion("50k off", FixedAmountOff(vnd(60_000)),
                                               campaign_id=campaign_id))
    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))

    # The second order sees only the 40,000 left and takes exactly that.
    assert commerce.orders.get(placed.order_id).totals.discount == vnd(40_000)
    assert len(events_of(commerce, "campaign.budget_exhausted")) == 1


class _TaxServiceDown:
    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        raise ServiceUnavailable("the tax service timed out")


def test_a_tax_outage_blocks_checkout_and_creates_no_order() -> None:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    commerce = make_commerce(attrs.evolve(ports, tax_rules=_TaxServiceDown()))
    stock_shop(commerce)
    cart_id = cart_with(commerce, (MUG, 1))

    with pytest.raises(TaxServiceUnavailable):
        commerce.checkout.place_order(cart_id)

    assert commerce.orders.list() == []
    assert_nothing_leaked(commerce)


def test_the_shipping_destination_decides_the_tax() -> None:
    commerce = shop()
    vat(commerce, "10")
    commerce.tax.create_rule(CreateTaxRule("TH VAT", "TH", "VAT", Decimal("7")))

    placed = commerce.checkout.place_order(cart_with(commerce, (MUG, 1)),
                                           destination=TaxDestination("TH"))

    assert commerce.orders.get(placed.order_id).totals.tax == vnd(6_230)


def test_cancelling_an_order_releases_its_promotion_usage_once() -> None:
    commerce = shop()
    coupon_offer(commerce, limit=1)
    cart_id = cart_with(commerce, (MUG, 1))
    commerce.cart.apply_coupon(cart_id, "TET10")
    placed = commerce.checkout.place_order(cart_id)

    commerce.orders.cancel(placed.order_id)
    with commerce.ports.uow() as uow:
        (cancelled,) = [e for e in every_event(uow) if e.type == "order.cancelled"]
    commerce.bus.deliver(cancelled)

    (usage,) = commerce.promotions.usages(placed.order_id)
    assert usage.status is UsageStatus.CANCELLED
    assert len(events_of(commerce, "promotion.usage_released")) == 1
    again = cart_with(commerce, (MUG, 1))
    commerce.cart.apply_coupon(again, "TET10")
    assert commerce.checkout.place_order(again).total == vnd(80_100)
