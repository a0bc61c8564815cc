"""Loyalty's rules beyond the acceptance scenarios: category, tier and campaign multipliers,
campaign budgets, returns after release, debt, downgrades, referral abuse, erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core import Commerce
from commerce_core.loyalty.errors import AccountNotActive, ReferralRefused
from commerce_core.loyalty.model import EarnedLine, Earning, EarningStatus
from commerce_core.loyalty.rules import eligible_values
from commerce_core.returns.commands import ItemInspection
from commerce_core.shared.money import Money
from tests.shop import events_of
from tests.unit.loyalty.support import (
    LAMP,
    PHONE,
    SHIRT_M,
    SOFA,
    announce,
    clock,
    delivered,
    goods,
    later,
    line_id,
    loyalty_shop,
)


def points_of(shop: Commerce, order_id: str) -> int:
    earning = shop.loyalty.earning(order_id)
    assert earning is not None
    return earning.points


def released(shop: Commerce) -> None:
    later(shop, 30)
    shop.loyalty.release()


def inspected_return(shop: Commerce, order_id: str, sku: str, quantity: int) -> str:
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, sku), quantity)],
                                     "defective", customer_id="c-1")
    if shop.returns.get(return_id).status.value == "pending":
        shop.returns.approve(return_id)
    shop.returns.receive(return_id)
    (item,) = shop.returns.get(return_id).items
    shop.returns.inspect(return_id, (ItemInspection(item.id, item.quantity, "new",
                                                    "restock"),))
    return return_id


def complete(shop: Commerce, return_id: str) -> str:
    shop.returns.complete(return_id)
    shop.relay_outbox(1000)
    return return_id


def complete_return(shop: Commerce, order_id: str, sku: str, quantity: int) -> str:
    return complete(shop, inspected_return(shop, order_id, sku, quantity))


def test_a_category_bonus_applies_per_line_and_floors_once() -> None:
    shop = loyalty_shop()
    electronics = goods(shop)
    shop.loyalty.update_program(category_multipliers={electronics: 200})

    order_id = delivered(shop, (PHONE, 1), (LAMP, 1))

    assert points_of(shop, order_id) == 20_000 + 2_345


def test_the_orders_discount_is_shared_out_over_its_lines_before_points() -> None:
    values = eligible_values([Money(300_000, "VND"), Money(100_000, "VND")],
                             Money(40_000, "VND"))

    assert values == [270_000, 90_000]


def test_a_multiplier_campaign_doubles_points_until_its_budget_runs_out() -> None:
    shop = loyalty_shop()
    goods(shop)
    now = clock(shop).now()
    campaign = shop.loyalty.create_campaign("Double", "multiplier", now - timedelta(days=1),
                                            now + timedelta(days=1), multiplier=200,
                                            budget=3_000)

    first = delivered(shop, (LAMP, 1))  # 2,345 + 2,345 extra
    second = delivered(shop, (LAMP, 1))  # 2,345 + what is left: 655

    assert points_of(shop, first) == 4_690
    assert points_of(shop, second) == 2_345 + 655
    assert shop.loyalty.campaign(campaign.id).awarded == 3_000
    assert points_of(shop, delivered(shop, (LAMP, 1))) == 2_345


def test_a_bonus_campaign_needs_the_tier_and_the_minimum_purchase() -> None:
    shop = loyalty_shop()
    goods(shop)
    now = clock(shop).now()
    shop.loyalty.create_campaign("Big basket", "bonus", now - timedelta(days=1),
                                 now + timedelta(days=1), bonus_points=100,
                                 min_purchase=1_000_000)
    shop.loyalty.create_campaign("Silver treat", "bonus", now - timedelta(days=1),
                                 now + timedelta(days=1), bonus_points=7,
                                 eligible_tiers=("silver",))

    small = delivered(shop, (SHIRT_M, 1))
    big = delivered(shop, (LAMP, 1))

    assert points_of(shop, small) == 350
    assert points_of(shop, big) == 2_345 + 100


def test_a_return_after_release_takes_the_points_from_the_balance_pro_rata() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (LAMP, 3))  # 7,035 points
    later(shop, 5)
    first = complete_return(shop, order_id, LAMP, 1)
    later(shop, 24)
    second = inspected_return(shop, order_id, LAMP, 1)
    later(shop, 1)
    assert shop.loyalty.release().points == 4_690

    complete(shop, second)

    account = shop.loyalty.account("c-1")
    assert (account.balance, account.pending_points) == (2_345, 0)
    deducted = [(d["source_id"], d["points"], d["pending"])
                for d in events_of(shop, "loyalty.points_deducted")]
    assert deducted == [(first, 2_345, 2_345), (second, 2_345, 0)]


def test_a_clawback_larger_than_the_balance_leaves_a_debt_the_next_points_pay() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (LAMP, 1))
    released(shop)
    shop.loyalty.adjust("c-1", -2_000, "spent elsewhere", "t-1")

    announce(shop, "order.cancelled", order_id=order_id, reason="chargeback",
             previous_status="delivered", payment_id=None, reservation_ids=[])
    assert (shop.loyalty.account("c-1").balance, shop.loyalty.account("c-1").debt) == (0, 2_000)
    delivered(shop, (SOFA, 1))
    released(shop)

    account = shop.loyalty.account("c-1")
    assert (account.balance, account.debt) == (3_000, 0)


def test_tiers_fall_as_the_twelve_month_window_rolls() -> None:
    shop = loyalty_shop()
    goods(shop)
    delivered(shop, (SOFA, 1))
    assert shop.loyalty.account("c-1").tier == "silver"

    later(shop, 364)
    assert shop.loyalty.recalculate_tiers().points == 0
    later(shop, 2)
    report = shop.loyalty.recalculate_tiers(page=1)

    assert (report.processed, report.points) == (1, 1)
    assert shop.loyalty.account("c-1").tier == "bronze"
    assert [(e["old_tier"], e["direction"]) for e in events_of(
        shop, "loyalty.tier_changed")] == [("bronze", "upgrade"), ("silver", "downgrade")]


def test_a_return_can_drop_the_tier_in_its_own_transaction() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (LAMP, 3))  # 7,035,000: silver
    assert shop.loyalty.account("c-1").tier == "silver"

    complete_return(shop, order_id, LAMP, 2)

    account = shop.loyalty.account("c-1")
    assert (account.tier, account.rolling_spend) == ("bronze", 2_345_000)


def test_referral_abuse_is_refused() -> None:
    shop = loyalty_shop()
    goods(shop)
    lan = shop.customers.register("lan@example.vn", "Lan", "Nguyen")
    twin = shop.customers.register("LAN+2@example.vn", "Lan", "Nguyen")
    code = shop.loyalty.account(lan.id).referral_code
    assert code is not None
    delivered(shop, (SHIRT_M, 1), customer="c-9")

    with pytest.raises(ReferralRefused) as same:
        shop.loyalty.use_referral_code(twin.id, code)
    with pytest.raises(ReferralRefused) as not_first:
        shop.loyalty.use_referral_code("c-9", code)
    with pytest.raises(ReferralRefused) as unknown:
        shop.loyalty.use_referral_code("c-8", "NOSUCHCODE")

    assert [e.value.details["reason"] for e in (same, not_first, unknown)] == [
        "same_person", "not_first", "unknown"]
    assert shop.loyalty.referrals(lan.id) == []


def test_an_expired_referral_rewards_nobody() -> None:
    shop = loyalty_shop()
    goods(shop)
    shop.loyalty.open("c-1", welcome=False)
    code = shop.loyalty.account("c-1").referral_code
    assert code is not None
    shop.loyalty.use_referral_code("c-2", code)
    later(shop, 91)

    delivered(shop, (SHIRT_M, 1), customer="c-2")

    (referral,) = shop.loyalty.referrals("c-1")
    assert referral.status.value == "expired"
    assert shop.loyalty.account("c-1").balance == 0


def test_guests_foreign_currencies_and_suspended_accounts_earn_nothing() -> None:
    shop = loyalty_shop()
    goods(shop)
    shop.loyalty.open("c-2", welcome=False)
    shop.loyalty.set_status("c-2", "suspended", "review")

    guest = delivered(shop, (SHIRT_M, 1), customer=None)  # type: ignore[arg-type]
    suspended = delivered(shop, (SHIRT_M, 1), customer="c-2")

    assert shop.loyalty.earning(guest) is None
    assert shop.loyalty.earning(suspended) is None
    with pytest.raises(AccountNotActive):
        shop.loyalty.adjust("c-2", 10, "x", "r")


def test_erasure_closes_the_account_and_drops_its_code() -> None:
    shop = loyalty_shop()
    lan = shop.customers.register("lan@example.vn", "Lan", "Nguyen")

    announce(shop, "customer.deleted", customer_id=lan.id)

    account = shop.loyalty.account(lan.id)
    assert (account.status, account.referral_code) == ("closed", None)
    assert [(e["old_status"], e["new_status"]) for e in events_of(
        shop, "loyalty.account_status_changed")] == [("active", "closed")]


def test_a_partial_return_of_several_units_is_counted_per_unit_once() -> None:
    earning = Earning("o-1", "c-1", "VND", 3_000, 3_000, 10, 0, 0, 0, EarningStatus.AVAILABLE,
                      *(clock(loyalty_shop()).now(),) * 3, (),
                      [EarnedLine("l-1", "S", 3, 3_000, 10)])

    assert earning.returned("r-1", {"l-1": 1}, False) == (3, 1_000)
    assert earning.returned("r-1", {"l-1": 1}, False) is None
    assert earning.returned("r-2", {"l-1": 1}, False) == (3, 1_000)
    assert earning.returned("r-3", {"l-1": 1}, False) == (4, 1_000)
    assert earning.remaining == 0
