"""ProductRepository contract."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from commerce_core.catalog.errors import DuplicateSku, DuplicateSlug, ProductNotFound
from commerce_core.catalog.model import Product, ProductStatus
from tests.contract.builders import MUG, SHIRT, product, state, vnd
from tests.contract.conftest import Store


def add(store: Store, *products: Product) -> None:
    with store.uow() as uow:
        for item in products:
            uow.products.add(item)
        uow.commit()


def test_a_product_reads_back_exactly_as_it_was_added(store: Store) -> None:
    shirt = product(store, skus=(SHIRT, "LINEN-SHIRT-L"), category_ids=("c-2", "c-1"))
    add(store, shirt)

    with store.uow() as uow:
        loaded = uow.products.get(shirt.id)

    assert state(loaded) == state(shirt)
    assert loaded is not shirt
    assert [v.sku for v in loaded.variants] == [SHIRT, "LINEN-SHIRT-L"]
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.created_at == store.clock.now().astimezone(UTC)


def test_an_unknown_product_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(ProductNotFound):
        uow.products.get("no-such-product")


def test_one_unit_of_work_hands_out_one_object_per_product(store: Store) -> None:
    shirt = product(store)
    add(store, shirt)

    with store.uow() as uow:
        first = uow.products.get(shirt.id)
        again = uow.products.get(shirt.id)
        by_sku = uow.products.by_skus([SHIRT])[SHIRT]
        listed = uow.products.list()

    assert first is again is by_sku is listed[0]


def test_products_are_found_by_their_skus_and_unknown_skus_are_absent(store: Store) -> None:
    shirt = product(store, skus=(SHIRT, "LINEN-SHIRT-L"))
    mug = product(store, skus=(MUG,), slug="retro-mug")
    add(store, shirt, mug)

    with store.uow() as uow:
        found = uow.products.by_skus([SHIRT, "LINEN-SHIRT-L", MUG, "NOPE"])
        none = uow.products.by_skus([])

    assert {sku: p.id for sku, p in found.items()} == {
        SHIRT: shirt.id, "LINEN-SHIRT-L": shirt.id, MUG: mug.id,
    }
    assert found[SHIRT] is found["LINEN-SHIRT-L"]
    assert none == {}


def test_a_product_is_found_by_slug(store: Store) -> None:
    shirt = product(store)
    add(store, shirt)

    with store.uow() as uow:
        found = uow.products.by_slug("linen-shirt")
        missing = uow.products.by_slug("no-such-slug")

    assert found is not None
    assert found.id == shirt.id
    assert missing is None


def test_products_list_oldest_first_with_filters_and_paging(store: Store) -> None:
    first = product(store, skus=("A-1",), slug="a", category_ids=("shirts",), publish=True)
    store.clock.advance(timedelta(minutes=1))
    second = product(store, skus=("B-1",), slug="b", category_ids=("mugs",))
    store.clock.advance(timedelta(minutes=1))
    third = product(store, skus=("C-1",), slug="c", category_ids=("mugs", "shirts"), publish=True)
    add(store, third, first, second)

    with store.uow() as uow:
        everything = [p.id for p in uow.products.list()]
        active = [p.id for p in uow.products.list(status=ProductStatus.ACTIVE)]
        shirts = [p.id for p in uow.products.list(category_id="shirts")]
        active_mugs = [p.id for p in uow.products.list(status=ProductStatus.ACTIVE,
                                                        category_id="mugs")]
        page = [p.id for p in uow.products.list(limit=1, offset=1)]

    assert everything == [first.id, second.id, third.id]
    assert active == [first.id, third.id]
    assert shirts == [first.id, third.id]
    assert active_mugs == [third.id]
    assert page == [second.id]


def test_products_created_in_the_same_instant_list_by_id(store: Store) -> None:
    products = [product(store, skus=(f"S-{i}",), slug=f"s-{i}") for i in range(4)]
    add(store, *reversed(products))

    with store.uow() as uow:
        listed = [p.id for p in uow.products.list()]

    assert listed == sorted(p.id for p in products)


def test_a_sku_already_sold_by_another_product_is_refused_on_commit(store: Store) -> None:
    add(store, product(store, skus=(SHIRT,)))
    clash = product(store, skus=(MUG, SHIRT), slug="another-shirt")

    with store.uow() as uow:
        uow.products.add(clash)
        with pytest.raises(DuplicateSku):
            uow.commit()

    with store.uow() as uow, pytest.raises(ProductNotFound):
        uow.products.get(clash.id)
    assert store.event_types() == ["catalog.product_created"]


def test_two_new_products_with_one_sku_are_refused_together(store: Store) -> None:
    with store.uow() as uow:
        uow.products.add(product(store, skus=(SHIRT,), slug="one"))
        uow.products.add(product(store, skus=(SHIRT,), slug="two"))
        with pytest.raises(DuplicateSku):
            uow.commit()

    with store.uow() as uow:
        assert uow.products.list() == []


def test_a_slug_already_in_use_is_refused_on_commit(store: Store) -> None:
    add(store, product(store, skus=(SHIRT,), slug="linen-shirt"))

    with store.uow() as uow:
        uow.products.add(product(store, skus=(MUG,), slug="linen-shirt"))
        with pytest.raises(DuplicateSlug):
            uow.commit()


def test_a_published_product_is_saved_with_a_new_version(store: Store) -> None:
    shirt = product(store)
    add(store, shirt)
    store.clock.advance(timedelta(hours=1))

    with store.uow() as uow:
        loaded = uow.products.get(shirt.id)
        loaded.publish(now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        reloaded = uow.products.get(shirt.id)

    assert loaded.version == 1
    assert reloaded.status is ProductStatus.ACTIVE
    assert reloaded.version == 1
    assert reloaded.updated_at == store.clock.now()


def test_a_changed_price_replaces_the_variant_row(store: Store) -> None:
    shirt = product(store, skus=(SHIRT, "LINEN-SHIRT-L"))
    add(store, shirt)

    with store.uow() as uow:
        uow.products.get(shirt.id).change_price("LINEN-SHIRT-L", vnd(399_000),
                                                now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        reloaded = uow.products.get(shirt.id)

    assert [v.price for v in reloaded.variants] == [vnd(350_000), vnd(399_000)]
    assert [v.sku for v in reloaded.variants] == [SHIRT, "LINEN-SHIRT-L"]
