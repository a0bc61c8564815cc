"""Cart rules (spec cart-checkout §5 and its acceptance scenarios 1-7)."""

from __future__ import annotations

import threading

import pytest

from commerce_core import Money
from commerce_core.cart.errors import (
    CartLimitReached,
    CartNotEditable,
    InvalidQuantity,
    ItemNotForSale,
    SkuNotSold,
)
from commerce_core.cart.model import MAX_LINES
from commerce_core.catalog.commands import VariantSpec
from tests.shop import MUG, SHIRT, cart_with, make_commerce, stock_shop


def test_a_line_is_priced_at_the_catalog_list_price() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    cart = commerce.cart.get(cart_with(commerce, (SHIRT, 2)))

    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in cart.lines] == [
        (SHIRT, 2, Money(350_000, "VND"))
    ]
    assert cart.total == Money(700_000, "VND")


def test_adding_the_same_sku_again_adds_up_the_quantity() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    cart = commerce.cart.get(cart_with(commerce, (SHIRT, 2), (SHIRT, 3)))

    assert [(ln.sku, ln.quantity) for ln in cart.lines] == [(SHIRT, 5)]


def test_the_same_sku_from_two_warehouses_makes_two_lines() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    hn = commerce.inventory.create_warehouse("HN", "Ha Noi")
    cart_id = cart_with(commerce, (SHIRT, 1))

    commerce.cart.add_item(cart_id, SHIRT, 1, warehouse_id=hn)

    assert len(commerce.cart.get(cart_id).lines) == 2


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_a_quantity_outside_1_to_99_is_refused(quantity: int) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = commerce.cart.create("VND")

    with pytest.raises(InvalidQuantity):
        commerce.cart.add_item(cart_id, SHIRT, quantity)

    assert commerce.cart.get(cart_id).lines == ()


def test_unknown_and_unpublished_skus_are_refused() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    commerce.catalog.create_product("Draft", "draft", [VariantSpec("DRAFT-1", Money(1, "VND"))])
    cart_id = commerce.cart.create("VND")

    with pytest.raises(SkuNotSold):
        commerce.cart.add_item(cart_id, "NOPE-404", 1)
    with pytest.raises(ItemNotForSale):
        commerce.cart.add_item(cart_id, "DRAFT-1", 1)


def test_a_full_cart_refuses_another_line_and_stays_unchanged() -> None:
    commerce = make_commerce()
    commerce.catalog.create_product(
        "Bulk", "bulk",
        [VariantSpec(f"BULK-{i}", Money(1_000, "VND")) for i in range(MAX_LINES + 1)],
        publish=True,
    )
    cart_id = commerce.cart.create("VND")
    for i in range(MAX_LINES):
        commerce.cart.add_item(cart_id, f"BULK-{i}", 1)

    with pytest.raises(CartLimitReached):
        commerce.cart.add_item(cart_id, f"BULK-{MAX_LINES}", 1)

    assert len(commerce.cart.get(cart_id).lines) == MAX_LINES


def test_setting_a_quantity_to_zero_removes_the_line() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1), (MUG, 1))
    line = commerce.cart.get(cart_id).lines[0]

    commerce.cart.update_item(cart_id, line.id, 0)

    assert [ln.sku for ln in commerce.cart.get(cart_id).lines] == [MUG]


def test_twenty_concurrent_adds_end_with_the_exact_sum() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = commerce.cart.create("VND")
    threads = [threading.Thread(target=commerce.cart.add_item, args=(cart_id, MUG, 1))
               for _ in range(20)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [ln.quantity for ln in commerce.cart.get(cart_id).lines] == [20]


def test_a_converted_cart_cannot_change() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.checkout.place_order(cart_id)

    with pytest.raises(CartNotEditable):
        commerce.cart.add_item(cart_id, MUG, 1)


def test_a_price_change_shows_in_the_cart_and_is_flagged() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (MUG, 1))

    commerce.catalog.change_price(MUG, Money(79_000, "VND"))

    line = commerce.cart.get(cart_id).lines[0]
    assert (line.unit_price, line.price_changed) == (Money(79_000, "VND"), True)
