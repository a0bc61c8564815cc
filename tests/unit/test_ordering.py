"""The order aggregate: math checks, state machine, cancellation (spec order.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commerce_core import Money
from commerce_core.ordering.errors import InvalidOrder, InvalidTransition, OrderNotCancellable
from commerce_core.ordering.model import (
    TRANSITIONS,
    Order,
    OrderLine,
    OrderStatus,
    Totals,
    order_number,
)
from tests.shop import SHIRT, cart_with, make_commerce, stock_shop

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VND = "VND"


def _line(quantity: int = 2, unit: int = 100_000, total: int | None = None,
          warehouse: str = "W1") -> OrderLine:
    return OrderLine("l1", SHIRT, "p1", "Shirt", quantity, Money(unit, VND),
                     Money(total if total is not None else unit * quantity, VND), warehouse, "r1")


def _totals(subtotal: int, total: int | None = None) -> Totals:
    zero = Money(0, VND)
    return Totals(Money(subtotal, VND), zero, zero, zero, Money(total or subtotal, VND))


def _order(**overrides: object) -> Order:
    args: dict[str, object] = {
        "order_id": "o1", "number": "ORD-1", "checkout_id": "c1", "cart_id": "cart1",
        "customer_id": None, "email": None, "currency": VND, "lines": [_line()],
        "totals": _totals(200_000), "payment_method": "card", "payment_id": None, "now": NOW,
    }
    args.update(overrides)
    return Order.place(**args)  # type: ignore[arg-type]


def test_a_new_order_is_pending_with_one_history_entry_and_two_events() -> None:
    order = _order()

    assert order.status is OrderStatus.PENDING
    assert len(order.history) == 1
    assert [e.type for e in order.events] == ["order.created", "order.status_changed"]


def test_lines_that_do_not_add_up_are_rejected() -> None:
    with pytest.raises(InvalidOrder):
        _order(lines=[_line(total=150_000)])


def test_totals_that_do_not_add_up_are_rejected() -> None:
    with pytest.raises(InvalidOrder):
        _order(totals=_totals(200_000, total=210_000))


def test_a_line_without_a_warehouse_is_rejected() -> None:
    with pytest.raises(InvalidOrder):
        _order(lines=[_line(warehouse="")])


def test_every_accepted_transition_is_recorded_and_published() -> None:
    order = _order()

    order.confirm("pay1", now=NOW)
    order.mark_paid(now=NOW)

    assert [h.to_status for h in order.history] == [
        OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PAID]
    types = [e.type for e in order.events]
    assert types.count("order.status_changed") == 3
    assert "order.confirmed" in types
    assert "order.paid" in types


def test_confirming_twice_changes_nothing_the_second_time() -> None:
    order = _order()
    order.confirm("pay1", now=NOW)
    before = len(order.events)

    order.confirm("pay1", now=NOW)

    assert len(order.events) == before


@pytest.mark.parametrize("status", [OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                                    OrderStatus.COMPLETED, OrderStatus.REFUNDED])
def test_an_order_past_processing_cannot_be_cancelled(status: OrderStatus) -> None:
    order = _order()
    order.status = status

    with pytest.raises(OrderNotCancellable):
        order.cancel("changed mind", changed_by="customer", now=NOW)


def test_terminal_states_have_no_way_out() -> None:
    for terminal in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        assert TRANSITIONS[terminal] == frozenset()


def test_a_cancelled_order_refuses_any_further_transition() -> None:
    order = _order()
    order.cancel("changed mind", changed_by="customer", now=NOW)

    with pytest.raises(InvalidTransition):
        order.confirm("pay1", now=NOW)


def test_order_numbers_carry_the_date_and_eight_characters_of_the_id() -> None:
    assert order_number("0192f4a0-7c3e-7b61-9d4e-1a2b3c4d5e6f", NOW) == "ORD-20260301-3C4D5E6F"


def test_cancelling_a_placed_order_releases_its_stock_and_voids_its_payment() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 3)))

    commerce.orders.cancel(placed.order_id, "changed mind")

    assert commerce.orders.get(placed.order_id).status is OrderStatus.CANCELLED
    assert [lv.reserved for lv in commerce.inventory.levels(SHIRT)] == [0]
    assert [p.status.value for p in commerce.payments.for_order(placed.order_id)] == ["voided"]


def test_cancelling_a_paid_order_refunds_it() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)))
    commerce.payments.capture(placed.order_id)

    commerce.orders.cancel(placed.order_id, "out of stock at the shelf", changed_by="operator")

    assert [p.status.value for p in commerce.payments.for_order(placed.order_id)] == ["refunded"]
    assert [lv.reserved for lv in commerce.inventory.levels(SHIRT)] == [0]


def test_capturing_marks_the_order_paid_with_its_own_total() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 2)))

    commerce.payments.capture(placed.order_id)
    commerce.payments.capture(placed.order_id)  # a retried capture takes nothing twice

    assert commerce.orders.get(placed.order_id).status is OrderStatus.PAID
    gateway = commerce.ports.gateway
    captures = [c for c in gateway.calls if c[0] == "capture"]  # type: ignore[attr-defined]
    assert len(captures) == 1


def test_an_order_advances_along_its_delivery_path_once_per_step() -> None:
    from commerce_core.ordering.errors import InvalidTransition as Refused

    s = OrderStatus
    order = _order()
    order.confirm("pay1", now=NOW)
    order.mark_paid(now=NOW)
    for step in (s.PROCESSING, s.SHIPPED, s.DELIVERED):
        assert order.advance(step, "shipping", by="shipping", now=NOW) is True
        assert order.advance(step, "again", by="shipping", now=NOW) is False
    assert order.delivered_at == NOW
    with pytest.raises(Refused):
        order.advance(s.SHIPPED, "late", by="shipping", now=NOW)
    with pytest.raises(Refused):
        order.advance(s.CANCELLED, "not this way", by="shipping", now=NOW)
