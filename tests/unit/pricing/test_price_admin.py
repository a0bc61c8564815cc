"""Price writes: optimistic locking, events with sequences, cache invalidation, bulk updates."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from commerce_core.pricing.commands import (
    BulkUpdatePrices,
    CreatePrice,
    DeactivatePrice,
    PriceUpdate,
    UpdatePrice,
)
from commerce_core.pricing.errors import BulkLimitExceeded, DuplicatePrice, PriceChangeRefused
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.money import Money
from tests.shop import every_event
from tests.unit.pricing.support import NOW, make_shop, vnd

LAMP = "prod-lamp"


def test_scenario_5_two_updates_from_the_same_version_conflict() -> None:
    shop = make_shop()
    price_id = shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    shop.handle(UpdatePrice(price_id, expected_version=0, base_price=vnd(1_200_000)))

    with pytest.raises(ConcurrencyConflict):
        shop.handle(UpdatePrice(price_id, expected_version=0, base_price=vnd(1_100_000)))

    with shop.uow() as uow:
        assert uow.prices.get(price_id).point.base_price == vnd(1_200_000)


def test_scenario_5_concurrent_updates_of_one_version_let_exactly_one_win() -> None:
    shop = make_shop()
    price_id = shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    outcomes: list[str] = []

    def edit(amount: int) -> None:
        try:
            shop.handle(UpdatePrice(price_id, expected_version=0, base_price=vnd(amount)))
            outcomes.append("ok")
        except ConcurrencyConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(a,)) for a in (1_100_000, 1_150_000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict", "ok"]


def test_scenario_9_a_price_write_commits_one_event_and_invalidates_the_cache_after() -> None:
    shop = make_shop()
    price_id = shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    shop.cache.put(LAMP, "cached 1,250,000")
    committed_when_invalidated: list[int] = []
    invalidate = shop.cache.invalidate_product

    def spy(product_id: str) -> None:
        with shop.uow() as uow:
            committed_when_invalidated.append(uow.prices.get(price_id).point.base_price.amount)
        invalidate(product_id)

    shop.cache.invalidate_product = spy  # type: ignore[method-assign]
    before = shop.outbox_types().count("price.updated")

    shop.handle(UpdatePrice(price_id, expected_version=0, base_price=vnd(1_100_000)))

    assert shop.outbox_types().count("price.updated") == before + 1
    assert committed_when_invalidated == [1_100_000]
    assert shop.cache.get(LAMP) is None


def test_a_refused_price_write_leaves_no_event_and_keeps_the_cache() -> None:
    shop = make_shop()
    price_id = shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    shop.cache.put(LAMP, "cached")
    before = shop.outbox_types()

    with pytest.raises(CommerceError):
        shop.handle(UpdatePrice(price_id, expected_version=0, base_price=vnd(1_000),
                                sale_price=vnd(2_000)))

    assert shop.outbox_types() == before
    assert shop.cache.get(LAMP) == "cached"


def test_price_events_carry_a_growing_sequence_per_product() -> None:
    shop = make_shop()
    product_price = shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    sku_price = shop.handle(CreatePrice(LAMP, vnd(1_200_000), sku="LAMP-BRASS"))
    shop.handle(UpdatePrice(product_price, 0, vnd(1_300_000)))
    shop.handle(DeactivatePrice(sku_price))
    shop.handle(CreatePrice("prod-other", vnd(10_000)))

    with shop.uow() as uow:
        events = [e for e in every_event(uow) if e.type in ("price.updated", "price.deleted")]
    lamp = [e.payload["sequence"] for e in events if e.payload["product_id"] == LAMP]

    assert lamp == [1, 2, 3, 4]
    assert [e.payload["sequence"] for e in events if e.payload["product_id"] != LAMP] == [1]


def test_two_active_prices_for_one_key_at_the_same_time_are_refused() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(LAMP, vnd(1_250_000)))

    with pytest.raises(DuplicatePrice):
        shop.handle(CreatePrice(LAMP, vnd(1_000_000)))

    shop.handle(CreatePrice(LAMP, vnd(1_000_000), sku="LAMP-BRASS"))


def test_a_future_price_can_follow_the_current_one() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(LAMP, vnd(1_250_000), effective_to=NOW + timedelta(days=7)))

    shop.handle(CreatePrice(LAMP, vnd(990_000), effective_from=NOW + timedelta(days=7)))

    with shop.uow() as uow:
        assert len(uow.prices.points_for([LAMP])) == 2


def test_scenario_10_a_bulk_update_of_10001_items_is_rejected() -> None:
    shop = make_shop()
    items = tuple(PriceUpdate(f"p-{i}", vnd(1_000)) for i in range(10_001))

    with pytest.raises(BulkLimitExceeded):
        shop.handle(BulkUpdatePrices(items))

    with shop.uow() as uow:
        assert uow.prices.points_for(["p-0"]) == []


def test_a_bulk_update_reports_each_refused_item_and_applies_the_rest() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(LAMP, vnd(1_250_000)))
    items = (
        PriceUpdate(LAMP, vnd(1_100_000)),
        PriceUpdate("prod-new", vnd(50_000), sale_price=vnd(60_000)),
        PriceUpdate("prod-ok", vnd(70_000)),
        PriceUpdate("prod-ok", vnd(71_000)),
        PriceUpdate("prod-same", vnd(80_000)),
    )

    result = shop.handle(BulkUpdatePrices(items))

    assert (result.created, result.updated) == (2, 1)
    assert [(e.index, e.code) for e in result.errors] == [
        (1, "pricing.invalid_price"), (3, "pricing.duplicate_price")]


def test_a_bulk_update_of_many_items_runs_in_chunks() -> None:
    shop = make_shop()
    items = tuple(PriceUpdate(f"p-{i:04d}", vnd(1_000 + i)) for i in range(1_200))

    result = shop.handle(BulkUpdatePrices(items))

    assert (result.created, result.errors) == (1_200, ())
    with shop.uow() as uow:
        assert uow.prices.points_for(["p-1199"])[0].base_price == vnd(2_199)


def test_a_change_the_row_as_it_stands_cannot_take_is_a_conflict() -> None:
    shop = make_shop()
    price_id = shop.handle(CreatePrice(LAMP, vnd(1_250_000), effective_from=NOW))

    with pytest.raises(PriceChangeRefused):  # ends before the row takes effect
        shop.handle(UpdatePrice(price_id, 0, vnd(1_200_000),
                                effective_to=NOW - timedelta(days=1)))
    with pytest.raises(PriceChangeRefused):  # another currency than the row's
        shop.handle(UpdatePrice(price_id, 0, Money(100, "USD")))
    shop.handle(DeactivatePrice(price_id))
    with pytest.raises(PriceChangeRefused):
        shop.handle(UpdatePrice(price_id, 1, vnd(1_200_000)))
