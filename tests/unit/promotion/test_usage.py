"""Usage reservation and lifecycle (spec §2.2-2.4): limits and budgets under concurrency,
idempotency, release on cancellation, redemption on delivery, campaign deactivation."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.engine import CartLineInput, CustomerContext, PricingInput
from commerce_core.promotion.commands import (
    ApplyPromotionUsages,
    CreateCampaign,
    CreatePromotion,
    DeactivateCampaign,
    UsageLine,
)
from commerce_core.promotion.errors import BudgetExceeded, UsageLimitReached
from commerce_core.promotion.model import CampaignType, UsageStatus
from commerce_core.promotion.ports import ApplyOutcome, UsageRequest
from commerce_core.promotion.terms import FixedAmountOff, PercentageOff
from tests.unit.pricing.support import NOW, Shop, make_shop, vnd

TOASTER = "prod-toaster"


def usage(promotion_id: str, discount: int = 10_000, coupon_id: str | None = None) -> UsageLine:
    return UsageLine(promotion_id, vnd(discount), vnd(500_000), vnd(500_000 - discount),
                     coupon_id)


def apply(shop: Shop, order_id: str, *lines: UsageLine, customer: str = "alice") -> None:
    shop.handle(ApplyPromotionUsages(order_id, customer, lines))


def counts(shop: Shop, promotion_id: str, campaign_id: str | None = None) -> tuple[int, int]:
    with shop.uow() as uow:
        found = uow.promotion_usage.counts(promotion_ids=[promotion_id], coupon_ids=[],
                                           campaign_ids=[campaign_id] if campaign_id else [],
                                           customer_id=None)
    used = found.campaign_budget_used.get(campaign_id or "")
    return found.promotion_uses.get(promotion_id, 0), used.amount if used else 0


def test_scenario_21_a_limit_of_100_holds_under_101_concurrent_applications() -> None:
    shop = make_shop()
    promotion_id = shop.handle(CreatePromotion("first hundred", FixedAmountOff(vnd(10_000)),
                                               total_usage_limit=100))
    refused: list[str] = []

    def checkout(n: int) -> None:
        try:
            apply(shop, f"order-{n}", usage(promotion_id), customer=f"customer-{n}")
        except UsageLimitReached:
            refused.append(f"order-{n}")

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(101)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(refused) == 1
    assert counts(shop, promotion_id) == (100, 0)
    assert shop.outbox_types().count("promotion.applied") == 100


def test_the_ledger_refuses_with_the_first_counter_that_would_break_and_leaves_no_trace() -> None:
    shop = make_shop()
    campaign_id = shop.handle(CreateCampaign("Tet", CampaignType.SEASONAL, NOW,
                                             budget_limit=vnd(15_000)))
    promotion_id = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000)),
                                               campaign_id=campaign_id))
    apply(shop, "order-1", usage(promotion_id))

    with shop.uow() as uow:
        result = uow.promotion_usage.try_apply(UsageRequest(
            "u-2", promotion_id, "order-2", vnd(10_000), vnd(500_000), vnd(490_000), NOW,
            customer_id="bob"))
        uow.commit()

    assert result.outcome is ApplyOutcome.BUDGET_EXCEEDED
    assert counts(shop, promotion_id, campaign_id) == (1, 10_000)


def test_scenario_22_applying_twice_for_one_order_records_one_usage() -> None:
    shop = make_shop()
    promotion_id = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000))))

    apply(shop, "order-1", usage(promotion_id))
    apply(shop, "order-1", usage(promotion_id))

    with shop.uow() as uow:
        assert len(uow.promotion_usage.for_order("order-1")) == 1
    assert counts(shop, promotion_id) == (1, 0)


def test_scenario_23_a_discount_beyond_the_remaining_budget_is_refused() -> None:
    shop = make_shop()
    campaign_id = shop.handle(CreateCampaign("Tet", CampaignType.SEASONAL, NOW,
                                             budget_limit=vnd(1_000_000)))
    promotion_id = shop.handle(CreatePromotion("big", PercentageOff(Decimal(20)),
                                               campaign_id=campaign_id))
    apply(shop, "order-1", usage(promotion_id, 950_000))

    with pytest.raises(BudgetExceeded):
        apply(shop, "order-2", usage(promotion_id, 100_000))

    assert counts(shop, promotion_id, campaign_id) == (1, 950_000)


def test_using_the_last_of_the_budget_announces_it() -> None:
    shop = make_shop()
    campaign_id = shop.handle(CreateCampaign("Tet", CampaignType.SEASONAL, NOW,
                                             budget_limit=vnd(20_000)))
    promotion_id = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000)),
                                               campaign_id=campaign_id))

    apply(shop, "order-1", usage(promotion_id))
    apply(shop, "order-2", usage(promotion_id))

    assert shop.outbox_types().count("campaign.budget_exhausted") == 1


def test_scenario_24_a_cancelled_order_releases_its_usage_once() -> None:
    shop = make_shop()
    campaign_id = shop.handle(CreateCampaign("Tet", CampaignType.SEASONAL, NOW,
                                             budget_limit=vnd(1_000_000)))
    promotion_id = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000)),
                                               campaign_id=campaign_id))
    apply(shop, "order-1", usage(promotion_id), customer="alice")
    apply(shop, "order-2", usage(promotion_id), customer="bob")

    for _ in range(2):
        shop.deliver("order.cancelled", order_id="order-1", reason="customer_request")

    with shop.uow() as uow:
        statuses = [u.status for u in uow.promotion_usage.for_order("order-1")]
    assert statuses == [UsageStatus.CANCELLED]
    assert counts(shop, promotion_id, campaign_id) == (1, 10_000)
    assert shop.outbox_types().count("promotion.usage_released") == 1


def test_scenario_25_a_delivered_order_redeems_its_usage() -> None:
    shop = make_shop()
    promotion_id = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000))))
    apply(shop, "order-1", usage(promotion_id))

    shop.deliver("order.status_changed", order_id="order-1", new_status="delivered")
    shop.deliver("order.cancelled", order_id="order-1", reason="too late")

    with shop.uow() as uow:
        assert [u.status for u in uow.promotion_usage.for_order("order-1")] == [
            UsageStatus.REDEEMED]
    assert counts(shop, promotion_id) == (1, 0)
    assert "promotion.redeemed" in shop.outbox_types()


def test_scenario_26_a_deactivated_campaign_takes_its_promotions_down() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(TOASTER, vnd(500_000)))
    campaign_id = shop.handle(CreateCampaign("Summer", CampaignType.SEASONAL,
                                             NOW - timedelta(days=1)))
    for name in ("5%", "10k"):
        shop.handle(CreatePromotion(
            name, PercentageOff(Decimal(5)) if name == "5%" else FixedAmountOff(vnd(10_000)),
            campaign_id=campaign_id, is_stackable=True))
    cart = PricingInput("VND", (CartLineInput("l1", TOASTER, 1),))
    before = shop.pricing.quote(cart, CustomerContext("alice"))
    shop.cache.put(TOASTER, before)

    shop.handle(DeactivateCampaign(campaign_id, "ended early"))

    after = shop.pricing.quote(cart, CustomerContext("alice"))
    with shop.uow() as uow:
        assert not any(p.definition.is_active
                       for p in uow.promotions.for_campaign(campaign_id))
    assert before.totals.discount_total == vnd(35_000)
    assert (after.offers, after.totals.discount_total) == ((), vnd(0))
    assert shop.outbox_types().count("promotion.deactivated") == 2
    assert shop.cache.get(TOASTER) is None


def test_an_order_records_all_its_usages_or_none() -> None:
    shop = make_shop()
    campaign_id = shop.handle(CreateCampaign("Tet", CampaignType.SEASONAL, NOW,
                                             budget_limit=vnd(5_000)))
    free = shop.handle(CreatePromotion("5k", FixedAmountOff(vnd(5_000))))
    capped = shop.handle(CreatePromotion("10k", FixedAmountOff(vnd(10_000)),
                                         campaign_id=campaign_id))

    with pytest.raises(BudgetExceeded):
        apply(shop, "order-1", usage(free, 5_000), usage(capped, 10_000))

    with shop.uow() as uow:
        assert uow.promotion_usage.for_order("order-1") == []
    assert counts(shop, free) == (0, 0)
    assert "promotion.applied" not in shop.outbox_types()
