"""The fulfillment acceptance scenarios of the spec (inventory-fulfillment.md, 16-25)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from commerce_core import VariantSpec
from commerce_core.fulfillment.errors import InvalidTransition, QcRequired, RepackRequired
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentPolicy,
    FulfillmentStatus,
    PackageSpec,
    split_cod,
)
from commerce_core.inventory.model import ReservationStatus
from commerce_core.shared.money import Money
from tests.shop import LAMP, MUG, SHIRT, assert_nothing_leaked, clock_of, events_of, every_event
from tests.unit.fulfillment.support import (
    carrier_of,
    fulfillment_in,
    fulfilment_shop,
    paid_order,
    walk_to_packed,
    walk_to_shipped,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = FulfillmentStatus


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def test_scenario_16_a_paid_order_from_two_warehouses_gets_exactly_two_fulfillments() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1), (MUG, 2))
    with commerce.ports.uow() as uow:
        (paid,) = [e for e in every_event(uow) if e.type == "order.paid"]

    commerce.bus.deliver(paid)  # the same event again: the inbox absorbs it
    commerce.bus.deliver(attrs.evolve(paid, id="another-delivery-id"))  # a re-publication

    fulfillments = commerce.fulfillment.for_order(order_id)
    assert sorted(f.warehouse_id for f in fulfillments) == sorted(
        commerce.inventory.warehouse(code).id for code in ("HCM", "HN"))
    assert {f.status for f in fulfillments} == {S.PLANNING}
    assert [e["new_status"] for e in events_of(commerce, "fulfillment.status_changed")] == [
        "pending", "planning", "pending", "planning"]


def test_scenario_17_cod_split_one_to_two_puts_the_remainder_on_the_last_warehouse() -> None:
    assert split_cod(vnd(100_001), [1, 2]) == [vnd(33_333), vnd(66_668)]
    assert split_cod(vnd(100_001), [0, 0]) == [vnd(100_001), vnd(0)]


def test_scenario_17_a_cod_order_collects_its_total_across_its_fulfillments() -> None:
    commerce = fulfilment_shop()

    order_id = paid_order(commerce, (SHIRT, 1), (MUG, 2), method="cod")

    fulfillments = commerce.fulfillment.for_order(order_id)
    assert all(f.requires_cod_collection for f in fulfillments)
    assert sum(f.cod_amount.amount for f in fulfillments if f.cod_amount) == (
        commerce.orders.get(order_id).totals.total.amount)


def test_scenario_18_a_completed_fulfillment_cannot_start_picking() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_shipped(commerce, fulfillment_id)
    commerce.fulfillment.mark_delivered(fulfillment_id)

    with pytest.raises(InvalidTransition):
        commerce.fulfillment.retry_pick(fulfillment_id)
    with pytest.raises(InvalidTransition):
        commerce.fulfillment.generate_picklist("HCM", [fulfillment_id])

    assert commerce.fulfillment.get(fulfillment_id).status is S.COMPLETED


def test_scenario_19_an_order_worth_two_and_a_half_million_needs_qc_before_ready() -> None:
    commerce = fulfilment_shop()
    commerce.catalog.create_product("Brass lamp", "brass-lamp",
                                    [VariantSpec(LAMP, vnd(1_250_000))], publish=True)
    commerce.inventory.set_stock(LAMP, "HCM", 5)
    order_id = paid_order(commerce, (LAMP, 2))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)

    with pytest.raises(QcRequired) as refused:
        commerce.fulfillment.mark_ready(fulfillment_id)
    commerce.fulfillment.record_qc(fulfillment_id, passed=True)
    commerce.fulfillment.mark_ready(fulfillment_id)

    assert commerce.orders.get(order_id).totals.total == vnd(2_500_000)
    assert refused.value.code == "fulfillment.qc_required"
    assert commerce.fulfillment.get(fulfillment_id).status is S.READY


def test_scenario_19_exactly_at_the_threshold_the_policy_asks_for_qc_above_only() -> None:
    policy = FulfillmentPolicy(qc_sample_percent=0)

    assert policy.qc_required("f-1", vnd(2_500_000))
    assert not policy.qc_required("f-1", vnd(2_000_000))


def test_scenario_20_a_package_of_1_06_kg_where_1_kg_is_expected_must_be_repacked() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 4))  # 4 x 250 g
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")
    commerce.fulfillment.confirm_picked(fulfillment_id)
    commerce.fulfillment.start_packing(fulfillment_id)

    with pytest.raises(RepackRequired):
        commerce.fulfillment.confirm_packed(fulfillment_id, [PackageSpec(1060, 30, 20, 10)])
    commerce.fulfillment.confirm_packed(fulfillment_id, [PackageSpec(1050, 30, 20, 10)])

    assert commerce.fulfillment.get(fulfillment_id).status is S.PACKED


def test_scenario_21_a_ready_fulfillment_with_a_shipment_on_record_is_not_shipped_twice() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)
    commerce.fulfillment.mark_ready(fulfillment_id)
    with commerce.ports.uow() as uow:
        uow.fulfillments.get(fulfillment_id).shipment_requested("SHP-EARLIER", "recording")
        uow.commit()

    first = commerce.fulfillment.ship(fulfillment_id)
    again = commerce.fulfillment.ship(fulfillment_id)

    assert (first, again) == ("SHP-EARLIER", "SHP-EARLIER")
    assert carrier_of(commerce).requests == []
    assert commerce.fulfillment.get(fulfillment_id).status is S.SHIPPED


def test_scenario_22_an_order_cancelled_with_one_fulfillment_picking_and_one_shipped() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 2), (MUG, 1))
    picking = fulfillment_in(commerce, order_id, "HCM").id
    shipped = fulfillment_in(commerce, order_id, "HN").id
    commerce.fulfillment.generate_picklist("HCM", [picking])
    walk_to_shipped(commerce, shipped)

    commerce.orders.cancel(order_id, "changed mind", changed_by="operator")

    assert commerce.fulfillment.get(picking).status is S.CANCELLED
    assert commerce.fulfillment.get(shipped).status is S.COMPENSATION_PENDING
    assert commerce.inventory.available(SHIRT) == 10
    assert_nothing_leaked(commerce)


def test_scenario_23_a_fulfillment_shipped_eight_days_ago_is_completed_by_the_job() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_shipped(commerce, fulfillment_id)
    clock_of(commerce).advance(timedelta(days=6))
    too_early = commerce.fulfillment.complete_shipped()
    clock_of(commerce).advance(timedelta(days=2))

    completed = commerce.fulfillment.complete_shipped()

    assert (too_early, completed) == (0, 1)
    assert commerce.fulfillment.get(fulfillment_id).status is S.COMPLETED


def test_scenario_24_a_fulfillment_packing_past_its_sla_is_reported_once() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")
    commerce.fulfillment.confirm_picked(fulfillment_id)
    commerce.fulfillment.start_packing(fulfillment_id)
    clock_of(commerce).advance(timedelta(hours=25))

    runs = (commerce.fulfillment.check_sla(), commerce.fulfillment.check_sla())

    assert runs == (1, 0)
    assert [(e["fulfillment_id"], e["status"]) for e in events_of(
        commerce, "fulfillment.sla_breached")] == [(fulfillment_id, "packing")]


def test_scenario_25_a_qc_failure_releases_the_picked_stock_and_records_qc_failed() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 2))
    fulfillment = fulfillment_in(commerce, order_id, "HCM")
    (old_reservation,) = fulfillment.reservation_ids
    walk_to_packed(commerce, fulfillment.id)
    shelf_after_pick = commerce.inventory.levels(SHIRT)[0].on_hand

    commerce.fulfillment.record_qc(fulfillment.id, passed=False, reason="scratched")

    after = commerce.fulfillment.get(fulfillment.id)
    (level,) = [lv for lv in commerce.inventory.levels(SHIRT)
                if lv.warehouse_id == fulfillment.warehouse_id]
    assert (after.status, after.qc_passed) == (S.PACK_FAILED, False)
    assert (shelf_after_pick, level.on_hand) == (8, 10)  # the picked units are back
    assert [(e["reason"], e["reservation_ids"]) for e in events_of(
        commerce, "fulfillment.qc_failed")] == [("scratched", [old_reservation])]
    (replacement,) = after.reservation_ids
    assert commerce.inventory.reservation(replacement).status is ReservationStatus.CONFIRMED
    assert_nothing_leaked(commerce)


def test_a_qc_failure_is_followed_by_a_new_pick_from_the_stock_held_again() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 2))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)
    commerce.fulfillment.record_qc(fulfillment_id, passed=False, reason="scratched")

    commerce.fulfillment.retry_pick(fulfillment_id)
    commerce.fulfillment.confirm_picked(fulfillment_id)

    assert commerce.fulfillment.get(fulfillment_id).status is S.PICKED
    assert commerce.inventory.levels(SHIRT)[0].on_hand == 8
    assert_nothing_leaked(commerce)


def test_the_model_refuses_picking_from_completed() -> None:
    fulfillment = Fulfillment.create(
        fulfillment_id="f-1", order_id="o-1", order_number="ORD-1", warehouse_id="w-1",
        items=[], payment_method="card", order_value=vnd(1), cod_amount=None,
        policy=FulfillmentPolicy(qc_sample_percent=0), now=NOW,
    )
    fulfillment.status = S.COMPLETED

    with pytest.raises(InvalidTransition):
        fulfillment.start_picking("p-1", now=NOW)
