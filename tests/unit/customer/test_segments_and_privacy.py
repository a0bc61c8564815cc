"""Segments (scenario 28: evaluating twice adds a membership once) and data protection:
export, deletion refused while an order is active, scheduled 30 days ahead and cancellable
(scenario 11), and the job that anonymises and emits `customer.deleted`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core import Commerce
from commerce_core.customer.commands import SegmentRule
from commerce_core.customer.errors import (
    DeletionNotScheduled,
    DeletionRefused,
    InvalidSegment,
    SegmentNotFound,
)
from commerce_core.customer.model import CustomerStatus
from tests.shop import SHIRT, cart_with, clock_of, events_of, stock_shop
from tests.unit.customer.support import customer_shop, home


def place_orders(commerce: Commerce, customer_id: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                               customer_id=customer_id,
                                               email="lan@example.vn")
        ids.append(placed.order_id)
    return ids


def test_a_segment_rule_evaluated_twice_adds_the_membership_once() -> None:
    commerce = customer_shop()
    stock_shop(commerce, shirts=20)
    loyal = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    casual = commerce.customers.register("minh@example.vn", "Minh", "Trần").id
    place_orders(commerce, loyal, 6)
    place_orders(commerce, casual, 2)
    commerce.customers.define_segment("loyal", "Loyal", (SegmentRule("total_orders", "gt", "5"),))

    first = commerce.customers.evaluate_segments()
    second = commerce.customers.evaluate_segments()

    assert "loyal" in commerce.customers.get(loyal).segments
    assert "loyal" not in commerce.customers.get(casual).segments
    assigned = [e for e in events_of(commerce, "customer.segment_assigned")
                if e["segment"] == "loyal"]
    assert [e["customer_id"] for e in assigned] == [loyal]
    assert (first.customers, first.added) == (2, 1)
    assert (second.added, second.removed) == (0, 0)
    assert [c.id for c in commerce.customers.list(segment="loyal")] == [loyal]


def test_new_customers_leave_the_new_segment_after_thirty_days() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    clock_of(commerce).advance(timedelta(days=31))

    run = commerce.customers.evaluate_segments(batch_size=1)

    assert commerce.customers.get(customer_id).segments == ["all-customers"]
    assert run.removed == 1


def test_segments_by_hand_and_bad_rules() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    commerce.customers.define_segment("press", "Press contacts")

    commerce.customers.assign_segment(customer_id, "press")
    commerce.customers.evaluate_segments()  # a segment without rules is left alone

    assert "press" in commerce.customers.get(customer_id).segments
    with pytest.raises(SegmentNotFound):
        commerce.customers.assign_segment(customer_id, "nope")
    with pytest.raises(InvalidSegment):
        commerce.customers.define_segment("bad", "Bad", (SegmentRule("total_orders", "ge", "1"),))
    with pytest.raises(InvalidSegment):
        commerce.customers.define_segment("bad", "Bad", (SegmentRule("shoe_size", "gt", "1"),))
    commerce.customers.remove_segment(customer_id, "press")
    assert "press" not in commerce.customers.get(customer_id).segments


def test_deletion_is_refused_while_an_order_is_in_progress() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn",
                                              email_verified=True).id
    (order_id,) = place_orders(commerce, customer_id, 1)

    with pytest.raises(DeletionRefused) as refused:
        commerce.customers.request_deletion(customer_id)

    assert refused.value.details["order_ids"] == [order_id]
    assert commerce.customers.get(customer_id).deletion_scheduled_at is None
    commerce.orders.cancel(order_id)
    assert commerce.customers.request_deletion(customer_id)


def test_deletion_is_scheduled_thirty_days_ahead_and_can_be_cancelled() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn",
                                              email_verified=True).id
    now = clock_of(commerce).now()

    when = commerce.customers.request_deletion(customer_id, "moving abroad")
    commerce.customers.cancel_deletion(customer_id)

    assert when == now + timedelta(days=30)
    customer = commerce.customers.get(customer_id)
    assert customer.deletion_scheduled_at is None
    assert customer.status is CustomerStatus.ACTIVE
    with pytest.raises(DeletionNotScheduled):
        commerce.customers.cancel_deletion(customer_id)


def test_the_deletion_job_anonymises_after_the_grace_period_and_keeps_orders() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn",
                                              phone="0901234567", email_verified=True).id
    commerce.customers.add_address(customer_id, home())
    (order_id,) = place_orders(commerce, customer_id, 1)
    commerce.orders.cancel(order_id)
    stays = commerce.customers.register("minh@example.vn", "Minh", "Trần",
                                        email_verified=True).id
    commerce.customers.request_deletion(customer_id)
    commerce.customers.request_deletion(stays)
    clock = clock_of(commerce)

    clock.advance(timedelta(days=29))
    early = commerce.customers.process_deletions()
    commerce.customers.cancel_deletion(stays)
    clock.advance(timedelta(days=2))
    run = commerce.customers.process_deletions()
    again = commerce.customers.process_deletions()

    assert early.deleted == ()
    assert run.deleted == (customer_id,)
    assert again.deleted == ()
    gone = commerce.customers.get(customer_id)
    assert gone.status is CustomerStatus.DELETED
    assert gone.email == f"deleted-{customer_id}@deleted.invalid"
    assert (gone.first_name, gone.last_name, gone.phone, gone.addresses) == (
        "deleted", "deleted", None, [])
    assert commerce.customers.by_email("lan@example.vn") is None
    assert commerce.orders.get(order_id).customer_id == customer_id  # accounting stays
    assert events_of(commerce, "customer.deleted") == [
        {"customer_id": customer_id, "occurred_at": clock.now().isoformat()}]
    assert commerce.customers.get(stays).status is CustomerStatus.ACTIVE


def test_the_job_postpones_a_customer_whose_order_became_active_meanwhile() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn",
                                              email_verified=True).id
    commerce.customers.request_deletion(customer_id)
    place_orders(commerce, customer_id, 1)
    clock_of(commerce).advance(timedelta(days=31))

    run = commerce.customers.process_deletions()

    assert (run.deleted, run.postponed) == ((), (customer_id,))
    assert commerce.customers.get(customer_id).status is CustomerStatus.ACTIVE


def test_the_export_holds_everything_about_the_customer_and_their_order_ids() -> None:
    commerce = customer_shop()
    stock_shop(commerce)
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    commerce.customers.add_address(customer_id, home())
    order_ids = place_orders(commerce, customer_id, 2)

    exported = commerce.customers.export(customer_id)

    assert exported["email"] == "lan@example.vn"
    assert exported["preferences"]["email_marketing"] is True
    assert exported["addresses"][0]["ward"] == "Phường Bến Thành"
    assert exported["segments"] == ["all-customers", "new-customers"]
    assert sorted(exported["order_ids"]) == sorted(order_ids)
