"""Cart merge on sign-in (spec identity §3): the guest cart's lines join the customer's active
cart, quantities added up within 1-99 and at most 100 lines, what a limit cut is reported, and
the guest cart closes. Without an active cart the guest cart becomes the customer's."""

from __future__ import annotations

import pytest

from commerce_core import Commerce, Money
from commerce_core.cart.errors import CartNotEditable, CartsNotMergeable
from commerce_core.cart.model import MAX_LINES
from commerce_core.catalog.commands import VariantSpec
from tests.shop import LAMP, MUG, SHIRT, cart_with, every_event, make_commerce, stock_shop

CUSTOMER = "cus-an"


def shop() -> Commerce:
    commerce = make_commerce()
    stock_shop(commerce)
    return commerce


def test_guest_lines_join_the_customers_cart_and_the_guest_cart_closes() -> None:
    commerce = shop()
    mine = commerce.cart.create("VND", CUSTOMER)
    commerce.cart.add_item(mine, SHIRT, 2)
    guest = cart_with(commerce, (SHIRT, 3), (MUG, 1))
    commerce.cart.apply_coupon(guest, "welcome10")

    result = commerce.cart.merge(guest, CUSTOMER)

    assert result.cart_id == mine
    assert result.merged_from == guest
    assert result.capped == ()
    view = commerce.cart.get(mine)
    assert sorted((ln.sku, ln.quantity) for ln in view.lines) == [(SHIRT, 5), (MUG, 1)]
    assert view.coupon_codes == ("WELCOME10",)
    assert commerce.cart.get(guest).status == "merged"
    with pytest.raises(CartNotEditable):
        commerce.cart.add_item(guest, LAMP, 1)
    with commerce.ports.uow() as uow:
        merged = [e for e in every_event(uow) if e.type == "cart.merged"]
    assert [(e.payload["cart_id"], e.payload["into_cart_id"]) for e in merged] == [(guest, mine)]


def test_a_line_that_would_pass_99_units_is_capped_and_reported() -> None:
    commerce = shop()
    mine = commerce.cart.create("VND", CUSTOMER)
    commerce.cart.add_item(mine, SHIRT, 90)
    guest = cart_with(commerce, (SHIRT, 20), (MUG, 4))

    result = commerce.cart.merge(guest, CUSTOMER)

    assert [(x.sku, x.requested, x.kept) for x in result.capped] == [(SHIRT, 20, 9)]
    lines = {ln.sku: ln.quantity for ln in commerce.cart.get(mine).lines}
    assert lines == {SHIRT: 99, MUG: 4}


def test_a_full_cart_takes_no_new_line_and_says_so() -> None:
    commerce = make_commerce()
    commerce.catalog.create_product(
        "Bulk", "bulk",
        [VariantSpec(f"BULK-{i}", Money(1_000, "VND")) for i in range(MAX_LINES + 1)],
        publish=True)
    mine = commerce.cart.create("VND", CUSTOMER)
    for i in range(MAX_LINES):
        commerce.cart.add_item(mine, f"BULK-{i}", 1)
    guest = commerce.cart.create("VND")
    commerce.cart.add_item(guest, f"BULK-{MAX_LINES}", 2)
    commerce.cart.add_item(guest, "BULK-0", 3)

    result = commerce.cart.merge(guest, CUSTOMER)

    assert sorted((x.sku, x.requested, x.kept) for x in result.lines) == [
        ("BULK-0", 3, 3), (f"BULK-{MAX_LINES}", 2, 0)]
    view = commerce.cart.get(mine)
    assert len(view.lines) == MAX_LINES
    assert {ln.sku: ln.quantity for ln in view.lines}["BULK-0"] == 4


def test_without_an_active_cart_the_guest_cart_becomes_the_customers() -> None:
    commerce = shop()
    guest = cart_with(commerce, (MUG, 2))

    result = commerce.cart.merge(guest, CUSTOMER)

    assert (result.cart_id, result.merged_from) == (guest, guest)
    view = commerce.cart.get(guest)
    assert view.customer_id == CUSTOMER
    assert view.status == "active"


def test_another_customers_cart_or_another_currency_does_not_merge() -> None:
    commerce = shop()
    commerce.cart.create("VND", CUSTOMER)
    theirs = commerce.cart.create("VND", "cus-other")
    dollars = commerce.cart.create("USD")

    with pytest.raises(CartsNotMergeable):
        commerce.cart.merge(theirs, CUSTOMER)
    with pytest.raises(CartsNotMergeable):
        commerce.cart.merge(dollars, CUSTOMER)
    assert commerce.cart.get(dollars).status == "active"
