"""CategoryRepository contract."""

from __future__ import annotations

import pytest

from commerce_core.catalog.errors import CategoryNotFound, DuplicateSlug
from tests.contract.builders import category, state
from tests.contract.conftest import Store


def test_a_category_reads_back_exactly_as_it_was_added(store: Store) -> None:
    shirts = category(store, slug="shirts", parent_id="clothing-id")
    with store.uow() as uow:
        uow.categories.add(shirts)
        uow.commit()

    with store.uow() as uow:
        loaded = uow.categories.get(shirts.id)

    assert state(loaded) == state(shirts)


def test_an_unknown_category_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(CategoryNotFound):
        uow.categories.get("no-such-category")


def test_categories_list_by_slug(store: Store) -> None:
    with store.uow() as uow:
        for slug in ("mugs", "shirts", "lamps", "a-z", "a1"):
            uow.categories.add(category(store, slug=slug))
        uow.commit()

    with store.uow() as uow:
        slugs = [c.slug for c in uow.categories.list()]

    assert slugs == ["a-z", "a1", "lamps", "mugs", "shirts"]


def test_a_slug_already_in_use_is_refused_on_commit(store: Store) -> None:
    with store.uow() as uow:
        uow.categories.add(category(store, slug="shirts"))
        uow.commit()

    with store.uow() as uow:
        uow.categories.add(category(store, slug="shirts"))
        with pytest.raises(DuplicateSlug):
            uow.commit()

    with store.uow() as uow:
        assert len(uow.categories.list()) == 1
