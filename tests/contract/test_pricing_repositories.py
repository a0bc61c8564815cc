"""PriceRepository, PriceRuleRepository and TaxRuleRepository contracts: rows read back exactly,
lookups by key and product, the per-product event sequence, overlap refusal, rule order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from commerce_core.pricing.errors import DuplicatePrice, PriceNotFound
from commerce_core.pricing.model import Price, PriceChange
from commerce_core.pricing.rules import (
    PriceRule,
    PriceRuleDefinition,
    RuleAction,
    RuleCondition,
    RuleType,
)
from commerce_core.tax.errors import TaxRuleNotFound
from commerce_core.tax.model import TaxRule, TaxRuleDefinition
from tests.contract.builders import state
from tests.contract.conftest import Store
from tests.unit.pricing.support import vnd


@contextmanager
def committing(store: Store) -> Iterator[Any]:
    with store.uow() as uow:
        yield uow
        uow.commit()


@contextmanager
def reading(store: Store) -> Iterator[Any]:
    with store.uow() as uow:
        yield uow


def new_price(store: Store, product_id: str = "p-shirt", *, sku: str | None = "SHIRT-M",
              amount: int = 350_000, sale: int | None = None, **fields: Any) -> Price:
    now = store.clock.now()
    return Price.create(
        price_id=store.ids.new_id(), product_id=product_id, currency="VND",
        change=PriceChange(vnd(amount), vnd(sale) if sale else None, **fields), sku=sku,
        warehouse_id=None, effective_from=now, sequence=1, now=now,
    )


def test_a_price_reads_back_exactly_as_it_was_added(store: Store) -> None:
    price = new_price(store, sale=300_000, cost_price=vnd(200_000),
                      sale_ends_at=store.clock.now() + timedelta(days=3))
    with committing(store) as uow:
        uow.prices.add(price)

    with store.uow() as uow:
        loaded = uow.prices.get(price.id)
        points = uow.prices.points_for(["p-shirt"])

    assert (loaded.point, loaded.updated_at) == (price.point, price.updated_at)
    assert points == [price.point]


def test_an_unknown_price_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(PriceNotFound):
        uow.prices.get("no-such-price")


def test_for_key_finds_only_active_rows_of_exactly_that_key(store: Store) -> None:
    sku_row, product_row = new_price(store), new_price(store, sku=None, amount=400_000)
    with committing(store) as uow:
        uow.prices.add(sku_row)
        uow.prices.add(product_row)

    with store.uow() as uow:
        by_sku = uow.prices.for_key("p-shirt", "SHIRT-M", None, "VND")
        by_product = uow.prices.for_key("p-shirt", None, None, "VND")
        in_usd = uow.prices.for_key("p-shirt", "SHIRT-M", None, "USD")

    assert [p.id for p in by_sku] == [sku_row.id]
    assert [p.id for p in by_product] == [product_row.id]
    assert in_usd == []


def test_an_overlapping_active_row_of_one_key_is_refused_on_commit(store: Store) -> None:
    with committing(store) as uow:
        uow.prices.add(new_price(store))

    with store.uow() as uow:
        uow.prices.add(new_price(store, amount=360_000))
        with pytest.raises(DuplicatePrice):
            uow.commit()


def test_price_event_sequences_grow_per_product_and_roll_back(store: Store) -> None:
    with committing(store) as uow:
        numbers = [uow.prices.next_sequence("p-shirt") for _ in range(3)]
        other = uow.prices.next_sequence("p-mug")
    with store.uow() as uow:
        uow.prices.next_sequence("p-shirt")  # rolled back
    with committing(store) as uow:
        after = uow.prices.next_sequence("p-shirt")

    assert (numbers, other, after) == ([1, 2, 3], 1, 4)


def rule(store: Store, name: str, priority: int = 0, **fields: Any) -> PriceRule:
    definition = PriceRuleDefinition(
        rule_id=store.ids.new_id(), name=name, rule_type=RuleType.TIME_BASED,
        condition=RuleCondition(days_of_week=(0, 1), time_from=time(22), time_to=time(2),
                                attributes={"colour": "red"}),
        action=RuleAction.volume_tiers((1, vnd(500_000)), (10, vnd(450_000))),
        created_at=store.clock.now(), priority=priority, **fields,
    )
    store.clock.advance(timedelta(seconds=1))
    return PriceRule.create(definition, now=store.clock.now())


def test_price_rules_read_back_exactly_and_in_application_order(store: Store) -> None:
    low, high = rule(store, "night owls"), rule(store, "members", priority=5)
    ended = rule(store, "last week", ends_at=store.clock.now() - timedelta(seconds=1),
                 starts_at=store.clock.now() - timedelta(days=7))
    with committing(store) as uow:
        for item in (low, high, ended):
            uow.price_rules.add(item)

    with store.uow() as uow:
        live = uow.price_rules.live(store.clock.now())
        every = uow.price_rules.list()

    assert [r.definition for r in live] == [high.definition, low.definition]
    assert {r.id for r in every} == {low.id, high.id, ended.id}


def tax(store: Store, country: str = "VN", **fields: Any) -> TaxRule:
    definition = TaxRuleDefinition(
        rule_id=store.ids.new_id(), name=fields.pop("name", "VAT 10%"), country_code=country,
        tax_type="VAT", rate=Decimal("10.0000"), created_at=store.clock.now(), **fields,
    )
    store.clock.advance(timedelta(seconds=1))
    return TaxRule.create(definition, now=store.clock.now())


def test_tax_rules_read_back_exactly_by_country_oldest_first(store: Store) -> None:
    vat = tax(store)
    food = tax(store, name="VAT food", region="HCM", postcode="700*", categories=("FOOD",),
               tax_classes=("reduced",), is_compound=True, applies_to_shipping=True)
    thai = tax(store, "TH")
    with committing(store) as uow:
        for item in (vat, food, thai):
            uow.tax_rules.add(item)

    with reading(store) as uow:
        vietnam = uow.tax_rules.for_country("VN")
        every = uow.tax_rules.list()

    assert [state(r) for r in vietnam] == [state(vat), state(food)]
    assert [r.id for r in every] == [thai.id, vat.id, food.id]
    assert vietnam[0].definition.rate == Decimal("10.0000")


def test_a_changed_tax_rate_is_saved(store: Store) -> None:
    vat = tax(store)
    with committing(store) as uow:
        uow.tax_rules.add(vat)
    with committing(store) as uow:
        uow.tax_rules.get(vat.id).change_rate(Decimal("8"), now=store.clock.now())

    with reading(store) as uow:
        assert uow.tax_rules.get(vat.id).definition.rate == Decimal("8")
        with pytest.raises(TaxRuleNotFound):
            uow.tax_rules.get("no-such-rule")
