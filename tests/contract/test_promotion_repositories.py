"""Campaign, promotion and coupon repositories and the PromotionUsageLedger contract: definitions
read back exactly (benefits, scopes and condition trees included); usage counters, per-customer
limits and budgets move atomically, refuse past their limits leaving no trace, and come back
once on release."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from commerce_core.promotion.errors import DuplicateCouponCode, PromotionNotFound
from commerce_core.promotion.model import (
    Campaign,
    CampaignDefinition,
    CampaignType,
    Coupon,
    CouponDefinition,
    CouponType,
    Promotion,
    PromotionDefinition,
    UsageStatus,
)
from commerce_core.promotion.ports import ApplyOutcome, ApplyResult, UsageRequest
from commerce_core.promotion.terms import (
    AllOf,
    AnyOf,
    BuyXGetY,
    Condition,
    FixedAmountOff,
    Op,
    PercentageOff,
    ProductScope,
    Tier,
    Tiered,
)
from tests.contract.builders import state
from tests.contract.conftest import Store
from tests.unit.pricing.support import vnd


@contextmanager
def committing(store: Store) -> Iterator[Any]:
    with store.uow() as uow:
        yield uow
        uow.commit()


def campaign(store: Store, budget: int | None = None) -> Campaign:
    definition = CampaignDefinition(
        campaign_id=store.ids.new_id(), name="Tet", campaign_type=CampaignType.SEASONAL,
        starts_at=store.clock.now() - timedelta(days=1), created_at=store.clock.now(),
        budget_limit=vnd(budget) if budget else None, target_segments=("vip",),
    )
    return Campaign.create(definition, now=store.clock.now())


def promotion(store: Store, *, campaign_id: str | None = None, total: int | None = None,
              per_customer: int | None = None, **fields: Any) -> Promotion:
    definition = PromotionDefinition(
        promotion_id=store.ids.new_id(), name=fields.pop("name", "Ten off"),
        benefit=fields.pop("benefit", PercentageOff(Decimal("10"))),
        created_at=store.clock.now(), campaign_id=campaign_id, total_usage_limit=total,
        usage_limit_per_customer=per_customer, **fields,
    )
    store.clock.advance(timedelta(seconds=1))
    return Promotion.create(definition, now=store.clock.now())


def coupon(store: Store, promotion_id: str, code: str = "TET-2026", *, limit: int | None = None,
           per_customer: int | None = None) -> Coupon:
    definition = CouponDefinition(
        coupon_id=store.ids.new_id(), promotion_id=promotion_id, code=code,
        created_at=store.clock.now(),
        coupon_type=CouponType.SINGLE_USE if limit == 1 else CouponType.MULTI_USE,
        usage_limit=limit, usage_limit_per_customer=per_customer,
        minimum_order_amount=vnd(100_000), customer_segments=("vip",),
    )
    return Coupon.issue(definition, now=store.clock.now())


def apply(store: Store, promotion_id: str, order_id: str, *, discount: int = 10_000,
          coupon_id: str | None = None, customer_id: str | None = "c-1") -> ApplyResult:
    with committing(store) as uow:
        result: ApplyResult = uow.promotion_usage.try_apply(UsageRequest(
            usage_id=store.ids.new_id(), promotion_id=promotion_id, order_id=order_id,
            discount=vnd(discount), original_amount=vnd(100_000),
            final_amount=vnd(100_000 - discount), used_at=store.clock.now(),
            coupon_id=coupon_id, customer_id=customer_id,
        ))
        return result


def test_definitions_read_back_exactly(store: Store) -> None:
    tet = campaign(store, budget=1_000_000)
    conditions = AllOf((Condition("subtotal", Op.GTE, 100_000),
                        AnyOf((Condition("customer_segments", Op.CONTAINS, "vip"),
                               Condition("shipping_country", Op.IN, ("VN", "TH"))))))
    bogo = promotion(store, campaign_id=tet.id, name="Buy 2 get 1",
                     benefit=BuyXGetY(2, 1, get_scope=ProductScope(product_ids=("p-mug",))),
                     scope=ProductScope(category_ids=("kitchen",), excluded_product_ids=("x",)),
                     conditions=conditions, minimum_order_amount=vnd(50_000),
                     maximum_discount_amount=vnd(80_000), is_stackable=True, priority=3)
    tiers = promotion(store, benefit=Tiered((Tier(2, percent=Decimal("5")),
                                             Tier(5, amount=vnd(20_000)))))
    code = coupon(store, bogo.id, limit=1, per_customer=1)
    with committing(store) as uow:
        uow.campaigns.add(tet)
        uow.promotions.add(bogo)
        uow.promotions.add(tiers)
        uow.coupons.add(code)

    with store.uow() as uow:
        assert state(uow.campaigns.get(tet.id)) == state(tet)
        assert state(uow.promotions.get(bogo.id)) == state(bogo)
        assert state(uow.promotions.get(tiers.id)) == state(tiers)
        assert [state(c) for c in uow.coupons.by_codes(["TET-2026"])] == [state(code)]
        assert [p.id for p in uow.promotions.live(store.clock.now())] == [bogo.id, tiers.id]
        assert [p.id for p in uow.promotions.for_campaign(tet.id)] == [bogo.id]
        assert uow.coupons.taken(["TET-2026", "NOPE"]) == {"TET-2026"}
        with pytest.raises(PromotionNotFound):
            uow.promotions.get("no-such-promotion")


def test_a_taken_coupon_code_is_refused(store: Store) -> None:
    offer = promotion(store)
    with committing(store) as uow:
        uow.promotions.add(offer)
        uow.coupons.add(coupon(store, offer.id))

    with store.uow() as uow:
        uow.coupons.add_many([coupon(store, offer.id, "OTHER"), coupon(store, offer.id)])
        with pytest.raises(DuplicateCouponCode):
            uow.commit()


def test_a_deactivated_promotion_leaves_the_live_list(store: Store) -> None:
    offer = promotion(store)
    with committing(store) as uow:
        uow.promotions.add(offer)
    with committing(store) as uow:
        uow.promotions.get(offer.id).deactivate("over", now=store.clock.now())

    with store.uow() as uow:
        assert uow.promotions.live(store.clock.now()) == []
        assert [p.id for p in uow.promotions.list()] == [offer.id]


def test_a_total_usage_limit_is_never_exceeded_and_a_refusal_leaves_no_trace(
    store: Store,
) -> None:
    offer = promotion(store, total=2)
    with committing(store) as uow:
        uow.promotions.add(offer)

    outcomes = [apply(store, offer.id, f"order-{n}").outcome for n in range(3)]

    assert outcomes == [ApplyOutcome.APPLIED, ApplyOutcome.APPLIED,
                        ApplyOutcome.USAGE_LIMIT_REACHED]
    with store.uow() as uow:
        counts = uow.promotion_usage.counts(promotion_ids=[offer.id], coupon_ids=[],
                                            campaign_ids=[], customer_id="c-1")
        assert uow.promotion_usage.for_order("order-2") == []
    assert counts.promotion_uses == {offer.id: 2}
    assert counts.promotion_customer_uses == {offer.id: 2}


def test_applying_twice_for_one_order_records_one_usage(store: Store) -> None:
    offer = promotion(store)
    with committing(store) as uow:
        uow.promotions.add(offer)

    first, second = apply(store, offer.id, "order-1"), apply(store, offer.id, "order-1")

    assert (first.outcome, second.outcome) == (ApplyOutcome.APPLIED,
                                               ApplyOutcome.ALREADY_APPLIED)
    assert second.usage == first.usage
    with store.uow() as uow:
        assert uow.promotion_usage.counts(promotion_ids=[offer.id], coupon_ids=[],
                                          campaign_ids=[], customer_id=None
                                          ).promotion_uses == {offer.id: 1}


def test_per_customer_limits_count_each_customer_and_need_one(store: Store) -> None:
    offer = promotion(store, per_customer=1)
    with committing(store) as uow:
        uow.promotions.add(offer)

    outcomes = [apply(store, offer.id, "o-1", customer_id="ann").outcome,
                apply(store, offer.id, "o-2", customer_id="ann").outcome,
                apply(store, offer.id, "o-3", customer_id="bob").outcome,
                apply(store, offer.id, "o-4", customer_id=None).outcome]

    assert outcomes == [ApplyOutcome.APPLIED, ApplyOutcome.CUSTOMER_LIMIT_REACHED,
                        ApplyOutcome.APPLIED, ApplyOutcome.CUSTOMER_LIMIT_REACHED]


def test_a_coupon_is_used_up_at_its_limit_and_says_so(store: Store) -> None:
    offer = promotion(store)
    code = coupon(store, offer.id, limit=2)
    with committing(store) as uow:
        uow.promotions.add(offer)
        uow.coupons.add(code)

    results = [apply(store, offer.id, f"o-{n}", coupon_id=code.id) for n in range(3)]

    assert [r.outcome for r in results] == [ApplyOutcome.APPLIED, ApplyOutcome.APPLIED,
                                            ApplyOutcome.COUPON_EXHAUSTED]
    assert [r.coupon_exhausted for r in results[:2]] == [False, True]
    with store.uow() as uow:
        counts = uow.promotion_usage.counts(promotion_ids=[offer.id], coupon_ids=[code.id],
                                            campaign_ids=[], customer_id="c-1")
    assert (counts.promotion_uses, counts.coupon_uses) == ({offer.id: 2}, {code.id: 2})


def test_a_campaign_budget_is_never_overspent(store: Store) -> None:
    tet = campaign(store, budget=1_000_000)
    offer = promotion(store, campaign_id=tet.id)
    with committing(store) as uow:
        uow.campaigns.add(tet)
        uow.promotions.add(offer)

    spent = apply(store, offer.id, "o-1", discount=950_000)
    refused = apply(store, offer.id, "o-2", discount=100_000)
    last = apply(store, offer.id, "o-3", discount=50_000)

    assert (spent.outcome, refused.outcome) == (ApplyOutcome.APPLIED,
                                                ApplyOutcome.BUDGET_EXCEEDED)
    assert (last.budget_exhausted, last.budget_used) == (True, vnd(1_000_000))
    with store.uow() as uow:
        used = uow.promotion_usage.counts(promotion_ids=[], coupon_ids=[],
                                          campaign_ids=[tet.id], customer_id=None)
    assert used.campaign_budget_used == {tet.id: vnd(1_000_000)}


def test_release_gives_everything_back_once_and_redeem_is_final(store: Store) -> None:
    tet = campaign(store, budget=500_000)
    offer = promotion(store, campaign_id=tet.id, per_customer=1)
    code = coupon(store, offer.id, limit=1)
    kept = promotion(store)
    with committing(store) as uow:
        for item in (tet, offer, kept):
            (uow.campaigns if item is tet else uow.promotions).add(item)
        uow.coupons.add(code)
    apply(store, offer.id, "o-1", discount=200_000, coupon_id=code.id, customer_id="ann")
    apply(store, kept.id, "o-2")

    with committing(store) as uow:
        released = uow.promotion_usage.release("o-1", now=store.clock.now())
        again = uow.promotion_usage.release("o-1", now=store.clock.now())
        redeemed = uow.promotion_usage.redeem("o-2", now=store.clock.now())
        not_released = uow.promotion_usage.release("o-2", now=store.clock.now())

    assert [u.status for u in released] == [UsageStatus.CANCELLED]
    assert (again, not_released) == ([], [])
    assert [u.status for u in redeemed] == [UsageStatus.REDEEMED]
    with store.uow() as uow:
        counts = uow.promotion_usage.counts(promotion_ids=[offer.id, kept.id],
                                            coupon_ids=[code.id], campaign_ids=[tet.id],
                                            customer_id="ann")
        assert [u.status for u in uow.promotion_usage.for_order("o-1")] == [
            UsageStatus.CANCELLED]
    assert counts.promotion_uses == {kept.id: 1}
    assert (counts.coupon_uses, counts.promotion_customer_uses) == ({}, {})
    assert counts.campaign_budget_used == {tet.id: vnd(0)}
    assert apply(store, offer.id, "o-3", coupon_id=code.id, customer_id="ann").ok


def test_an_inactive_promotion_is_refused(store: Store) -> None:
    offer = promotion(store, benefit=FixedAmountOff(vnd(5_000)))
    with committing(store) as uow:
        uow.promotions.add(offer)
        offer.deactivate("stop", now=store.clock.now())

    assert apply(store, offer.id, "o-1").outcome is ApplyOutcome.PROMOTION_UNAVAILABLE
    assert apply(store, "no-such-promotion", "o-1").outcome is (
        ApplyOutcome.PROMOTION_UNAVAILABLE)
