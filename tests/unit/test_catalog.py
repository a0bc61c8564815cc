"""Catalog upkeep: editing what a product says, archiving it, and what follows from that."""

from __future__ import annotations

import pytest

from commerce_core import Commerce, Money
from commerce_core.cart.errors import ItemNotForSale
from commerce_core.catalog.errors import (
    CategoryNotFound,
    DuplicateSlug,
    InvalidProduct,
    ProductNotAvailable,
)
from commerce_core.checkout.errors import CheckoutNotPossible
from tests.shop import MUG, SHIRT, cart_with, events_of, make_commerce, stock_shop


def _shirt_id(commerce: Commerce) -> str:
    product = commerce.catalog.by_sku(SHIRT)
    assert product is not None
    return product.id


def test_an_update_changes_only_the_fields_given_and_says_which() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    shirts = commerce.catalog.create_category("shirts", "Shirts")
    product_id = _shirt_id(commerce)

    changes = commerce.catalog.update(product_id, name=" Linen shirt, washed ",
                                      category_ids=(shirts,), description="Soft.")

    product = commerce.catalog.get(product_id)
    assert changes == ("name", "description", "category_ids")
    assert (product.name, product.description, product.category_ids, product.slug) == (
        "Linen shirt, washed", "Soft.", [shirts], "linen-shirt")
    (updated,) = events_of(commerce, "catalog.product_updated")
    assert updated["changes"] == ["name", "description", "category_ids"]
    assert updated["category_ids"] == [shirts]


def test_an_update_that_changes_nothing_records_nothing() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    product_id = _shirt_id(commerce)

    assert commerce.catalog.update(product_id, name="Linen shirt", slug="linen-shirt") == ()
    assert events_of(commerce, "catalog.product_updated") == []


@pytest.mark.parametrize(("fields", "error"), [
    ({"name": "  "}, InvalidProduct),
    ({"slug": "Not A Slug"}, InvalidProduct),
    ({"slug": "retro-mug"}, DuplicateSlug),
    ({"category_ids": ("no-such-category",)}, CategoryNotFound),
])
def test_a_bad_update_is_refused_and_changes_nothing(
    fields: dict[str, object], error: type[Exception]
) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    product_id = _shirt_id(commerce)
    before = commerce.catalog.get(product_id)

    with pytest.raises(error):
        commerce.catalog.update(product_id, **fields)  # type: ignore[arg-type]  # parametrized

    after = commerce.catalog.get(product_id)
    assert (after.name, after.slug, after.category_ids, after.version) == (
        before.name, before.slug, before.category_ids, before.version)


def test_an_archived_product_cannot_be_added_to_a_cart() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = commerce.cart.create("VND")

    commerce.catalog.archive(_shirt_id(commerce))

    with pytest.raises(ItemNotForSale):
        commerce.cart.add_item(cart_id, SHIRT, 1)
    assert commerce.cart.get(cart_id).lines == ()


def test_a_cart_holding_a_product_archived_since_cannot_check_out() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1), (MUG, 1))

    commerce.catalog.archive(_shirt_id(commerce))

    with pytest.raises(CheckoutNotPossible, match=SHIRT):
        commerce.checkout.place_order(cart_id, idempotency_key="after-archive")
    assert commerce.inventory.levels(SHIRT)[0].reserved == 0


def test_an_archived_product_stays_archived() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    product_id = _shirt_id(commerce)
    commerce.catalog.archive(product_id)
    commerce.catalog.archive(product_id)  # again: nothing more happens

    for attempt in (
        lambda: commerce.catalog.publish(product_id),
        lambda: commerce.catalog.update(product_id, name="Revived"),
        lambda: commerce.catalog.change_price(SHIRT, Money(1, "VND")),
    ):
        with pytest.raises(ProductNotAvailable):
            attempt()
    assert commerce.catalog.get(product_id).status.value == "archived"
    assert product_id not in [p.id for p in commerce.catalog.list(published_only=True)]
    assert [e["skus"] for e in events_of(commerce, "catalog.product_archived")] == [[SHIRT]]
