"""The loyalty spec's acceptance scenarios (Part A; 6-8 pay with points the loyalty program
gave, through the checkout's points tender), on memory adapters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.errors import CheckoutFailed
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.loyalty.errors import ReferralRefused
from commerce_core.ordering import services as ordering
from commerce_core.payment.errors import PaymentDeclined, TenderRefused
from commerce_core.returns.commands import ItemInspection
from tests.shop import cart_with, events_of, every_event
from tests.unit.loyalty.support import (
    LAMP,
    SHIRT_L,
    SHIRT_M,
    SOFA,
    announce,
    delivered,
    goods,
    later,
    line_id,
    loyalty_shop,
    redeliver,
)
from tests.unit.returns.support import HOME, gateway


def silver(shop: Commerce, customer: str = "c-1") -> None:
    """The customer spent 5,000,000 ₫ this year and sits in Silver."""
    delivered(shop, (SOFA, 1), customer=customer)
    assert shop.loyalty.account(customer).tier == "silver"


def balance(shop: Commerce, customer: str = "c-1") -> int:
    return shop.loyalty.account(customer).balance


def test_1_a_silver_customer_earns_2814_points_on_2345000_dong() -> None:
    shop = loyalty_shop()
    goods(shop)
    silver(shop)

    order_id = delivered(shop, (LAMP, 1))

    earning = shop.loyalty.earning(order_id)
    assert earning is not None
    assert earning.points == 2_814
    assert earning.status.value == "pending"
    (earned,) = [e for e in events_of(shop, "loyalty.points_earned")
                 if e["source_id"] == order_id]
    assert earned["points"] == 2_814
    assert earned["tier"] == "silver"


def test_1_pending_points_become_spendable_when_the_return_window_closes() -> None:
    shop = loyalty_shop()
    goods(shop)
    delivered(shop, (LAMP, 1))
    assert (balance(shop), shop.loyalty.account("c-1").pending_points) == (0, 2_345)

    later(shop, 29)
    assert shop.loyalty.release().processed == 0
    later(shop, 1)
    report = shop.loyalty.release()

    assert (report.processed, report.points) == (1, 2_345)
    assert (balance(shop), shop.loyalty.account("c-1").pending_points) == (2_345, 0)
    assert shop.loyalty.release().processed == 0


def test_2_delivered_then_completed_earns_once() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (LAMP, 1))
    with shop.ports.uow() as uow:
        ordering.advance(uow, order_id, "completed", "test", by="test", now=shop.ports.clock.now())
        uow.commit()
    shop.relay_outbox(1000)
    redeliver(shop, "order.status_changed", order_id=order_id)

    assert shop.loyalty.account("c-1").lifetime_points == 2_345
    assert len([e for e in events_of(shop, "loyalty.points_earned")
                if e["source_id"] == order_id]) == 1


def test_3_an_order_cancelled_after_earning_500_points_takes_them_back() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (SHIRT_M, 1), (SHIRT_L, 1), customer="c-1")  # 750 points
    shop.loyalty.adjust("c-1", 250, "goodwill", "t-1")
    later(shop, 30)
    shop.loyalty.release()
    assert balance(shop) == 1_000

    announce(shop, "order.cancelled", order_id=order_id, reason="fraud",
             previous_status="delivered", payment_id=None, reservation_ids=[])
    announce(shop, "order.cancelled", order_id=order_id, reason="fraud",
             previous_status="delivered", payment_id=None, reservation_ids=[])

    assert balance(shop) == 250
    (deducted,) = events_of(shop, "loyalty.points_deducted")
    assert (deducted["points"], deducted["source"]) == (750, "order_cancellation")
    entries = [e for e in shop.loyalty.transactions("c-1") if e.kind == "deduct"]
    assert [(e.points, e.source) for e in entries] == [(750, "order_cancellation")]


def test_4_customer_created_twice_opens_one_account_with_one_welcome_bonus() -> None:
    shop = loyalty_shop()
    shop.customers.register("lan@example.vn", "Lan", "Nguyen")
    (created,) = events_of(shop, "customer.created")
    redeliver(shop, "customer.created", times=2)

    account = shop.loyalty.account(created["customer_id"])
    assert account.balance == 500
    assert len(events_of(shop, "loyalty.account_opened")) == 1
    assert [e.source for e in shop.loyalty.transactions(created["customer_id"])] == [
        "welcome_bonus"]


def test_5_reaching_5000000_dong_upgrades_to_silver_in_the_same_transaction() -> None:
    shop = loyalty_shop()
    goods(shop)
    delivered(shop, (LAMP, 2))  # 4,690,000
    assert shop.loyalty.account("c-1").tier == "bronze"

    order_id = delivered(shop, (SHIRT_M, 1))  # + 350,000

    account = shop.loyalty.account("c-1")
    assert (account.tier, account.rolling_spend) == ("silver", 5_040_000)
    (changed,) = events_of(shop, "loyalty.tier_changed")
    assert (changed["old_tier"], changed["new_tier"], changed["direction"]) == (
        "bronze", "silver", "upgrade")
    with shop.ports.uow() as uow:  # the tier change left with the earning's own commit
        earned = [e for e in every_event(uow) if e.type == "loyalty.points_earned"
                  and e.payload["source_id"] == order_id]
        tiered = [e for e in every_event(uow) if e.type == "loyalty.tier_changed"]
    assert earned[0].causation_id == tiered[0].causation_id


def test_9_points_older_than_24_months_expire_once() -> None:
    shop = loyalty_shop()
    goods(shop)
    delivered(shop, (LAMP, 1))
    later(shop, 30)
    shop.loyalty.release()
    later(shop, 365 * 2 - 30 - 2)
    assert shop.loyalty.expire().processed == 0
    later(shop, 3)

    report = shop.loyalty.expire()

    assert (report.processed, report.points) == (1, 2_345)
    assert balance(shop) == 0
    assert [e["points"] for e in events_of(shop, "loyalty.points_expired")] == [2_345]
    assert shop.loyalty.expire().processed == 0
    assert len(events_of(shop, "loyalty.points_expired")) == 1


def test_10_a_referral_code_used_by_its_own_owner_is_invalid() -> None:
    shop = loyalty_shop()
    shop.loyalty.open("c-1")
    code = shop.loyalty.account("c-1").referral_code
    assert code is not None

    with pytest.raises(ReferralRefused) as refused:
        shop.loyalty.use_referral_code("c-1", code)

    assert refused.value.details["reason"] == "self"
    assert shop.loyalty.referrals("c-1") == []


def test_11_a_referees_first_delivered_order_rewards_both_sides() -> None:
    shop = loyalty_shop()
    goods(shop)
    shop.loyalty.open("c-1", welcome=False)
    code = shop.loyalty.account("c-1").referral_code
    assert code is not None
    shop.loyalty.use_referral_code("c-2", code.lower())

    delivered(shop, (SHIRT_M, 1), customer="c-2")
    delivered(shop, (SHIRT_M, 1), customer="c-2")

    (referral,) = shop.loyalty.referrals("c-1")
    assert referral.status.value == "completed"
    assert balance(shop, "c-1") == 1_000
    assert balance(shop, "c-2") == 500
    assert len(events_of(shop, "loyalty.referral_completed")) == 1


def test_12_a_return_of_half_the_order_takes_back_half_its_points_once() -> None:
    shop = loyalty_shop()
    goods(shop)
    order_id = delivered(shop, (LAMP, 2))  # 4,690 points
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, LAMP), 1)],
                                     "defective", customer_id="c-1")
    walk(shop, return_id)
    shop.returns.complete(return_id)
    shop.relay_outbox(1000)
    redeliver(shop, "returns.return_completed", times=3)

    account = shop.loyalty.account("c-1")
    assert account.pending_points == 2_345
    deducted = events_of(shop, "loyalty.points_deducted")
    assert [(d["points"], d["source"], d["source_id"]) for d in deducted] == [
        (2_345, "order_return", return_id)]


def walk(shop: Commerce, return_id: str) -> None:
    ret = shop.returns.get(return_id)
    if ret.status.value == "pending":
        shop.returns.approve(return_id)
    shop.returns.receive(return_id)
    (item,) = shop.returns.get(return_id).items
    shop.returns.inspect(return_id, (ItemInspection(item.id, item.quantity, "new", "restock"),))


def test_returns_23_a_completed_full_return_takes_back_every_point_of_the_order_once() -> None:
    shop = loyalty_shop()
    goods(shop)
    now = shop.ports.clock.now()
    shop.loyalty.create_campaign("Bonus", "bonus", now - timedelta(days=1),
                                 now + timedelta(days=1), bonus_points=100)
    order_id = delivered(shop, (LAMP, 1))  # 2,345 + 100
    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, LAMP), 1)],
                                     "defective", customer_id="c-1")
    walk(shop, return_id)

    shop.returns.complete(return_id)
    shop.relay_outbox(1000)
    redeliver(shop, "returns.return_completed", times=2)

    account = shop.loyalty.account("c-1")
    assert (account.pending_points, account.lifetime_points) == (0, 0)
    assert [d["points"] for d in events_of(shop, "loyalty.points_deducted")] == [2_445]
    assert account.tier == "bronze"


def checkout(shop: Commerce, points: int) -> PlacedOrder:
    placed: PlacedOrder = shop.handle(PlaceOrder(
        cart_with(shop, (SHIRT_L, 1)), "card", email="lan@example.vn", customer_id="c-1",
        ship_to=HOME, points=points))
    return placed


def test_6_a_balance_of_99_cannot_be_redeemed() -> None:
    shop = loyalty_shop()
    shop.loyalty.open("c-1", welcome=False)
    shop.loyalty.adjust("c-1", 99, "goodwill", "t-1")

    with pytest.raises(TenderRefused) as refused:
        checkout(shop, 99)

    assert refused.value.details["minimum"] == 100
    assert balance(shop) == 99


def test_7_points_pay_at_most_half_of_a_400000_dong_order() -> None:
    shop = loyalty_shop()  # one point pays 1 ₫ (the default point value)
    shop.loyalty.open("c-1", welcome=False)
    shop.loyalty.adjust("c-1", 500_000, "goodwill", "t-1")

    with pytest.raises(TenderRefused) as refused:
        checkout(shop, 200_001)
    placed = checkout(shop, 200_000)

    assert placed.total.amount == 400_000
    assert refused.value.details["maximum_value"] == 200_000
    assert balance(shop) == 300_000


def test_8_points_held_by_a_checkout_whose_payment_fails_come_back_once() -> None:
    shop = loyalty_shop()
    shop.loyalty.open("c-1", welcome=False)
    shop.loyalty.adjust("c-1", 1_000, "goodwill", "t-1")
    gateway(shop).script("decline")

    request = PlaceOrder(cart_with(shop, (SHIRT_L, 1)), "card", email="lan@example.vn",
                         customer_id="c-1", ship_to=HOME, points=500, idempotency_key="k-1")

    with pytest.raises(PaymentDeclined):
        shop.handle(request)
    with pytest.raises(CheckoutFailed):
        shop.handle(request)
    shop.relay_outbox(1000)

    assert balance(shop) == 1_000
    account = shop.loyalty.account("c-1")
    assert (account.debt, account.lifetime_points) == (0, 1_000)
