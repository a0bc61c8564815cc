"""Base prices: the 4-level lookup, sale prices, validation and conversion (spec §1)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from commerce_core.pricing.currency import ExchangeRate, ExchangeRateTable
from commerce_core.pricing.engine import PricingContext
from commerce_core.pricing.errors import (
    ExchangeRateTooOld,
    ExchangeRateUnavailable,
    InvalidPrice,
    PriceNotFound,
)
from commerce_core.pricing.model import PriceLevel
from tests.unit.pricing.support import NOW, line, price, quote, usd, vnd

SHIRT = "prod-shirt"


def test_scenario_1_the_sku_warehouse_price_wins_and_other_warehouses_fall_back() -> None:
    prices = [price(SHIRT, 100_000), price(SHIRT, 90_000, sku="SHIRT-M", warehouse_id="HCM")]

    here = quote([line(SHIRT, sku="SHIRT-M", warehouse_id="HCM")], prices=prices).lines[0]
    there = quote([line(SHIRT, sku="SHIRT-M", warehouse_id="HN")], prices=prices).lines[0]

    assert (here.unit_price, here.source.level) == (vnd(90_000), PriceLevel.SKU_WAREHOUSE)
    assert (there.unit_price, there.source.level) == (vnd(100_000), PriceLevel.PRODUCT)


def test_a_sku_price_beats_a_product_warehouse_price() -> None:
    prices = [price(SHIRT, 100_000), price(SHIRT, 95_000, warehouse_id="HN"),
              price(SHIRT, 97_000, sku="SHIRT-M")]

    found = quote([line(SHIRT, sku="SHIRT-M", warehouse_id="HN")], prices=prices).lines[0]

    assert (found.unit_price, found.source.level) == (vnd(97_000), PriceLevel.SKU)


def test_scenario_2_no_price_at_any_level_fails_instead_of_pricing_at_zero() -> None:
    with pytest.raises(PriceNotFound):
        quote([line(SHIRT)], prices=[price("another-product", 50_000)])


def test_an_expired_or_inactive_price_does_not_count() -> None:
    prices = [price(SHIRT, 80_000, effective_to=NOW - timedelta(days=1)),
              price(SHIRT, 70_000, is_active=False)]

    with pytest.raises(PriceNotFound):
        quote([line(SHIRT)], prices=prices)


def test_scenario_3_an_active_sale_price_is_the_unit_price() -> None:
    priced = quote([line(SHIRT)], prices=[price(SHIRT, 120_000, sale=110_000)]).lines[0]

    assert priced.unit_price == vnd(110_000)
    assert priced.list_unit_price == vnd(120_000)
    assert priced.source.on_sale


def test_regression_the_sale_price_is_charged_not_the_list_price() -> None:
    """The live system charged 120,000 list while a 110,000 sale was active."""
    breakdown = quote([line(SHIRT, 2)], prices=[price(SHIRT, 120_000, sale=110_000)],
                      destination=None)

    assert breakdown.totals.subtotal == vnd(220_000)
    assert [a.kind.value for a in breakdown.lines[0].adjustments] == ["sale"]


def test_a_sale_outside_its_window_gives_the_base_price() -> None:
    ended = price(SHIRT, 120_000, sale=110_000, sale_starts_at=NOW - timedelta(days=5),
                  sale_ends_at=NOW)

    assert quote([line(SHIRT)], prices=[ended]).lines[0].unit_price == vnd(120_000)


@pytest.mark.parametrize("sale", [120_000, 130_000])
def test_scenario_4_a_sale_price_not_below_the_base_price_is_refused(sale: int) -> None:
    with pytest.raises(InvalidPrice, match="below the base price"):
        price(SHIRT, 120_000, sale=sale)


def test_a_base_price_of_zero_is_refused() -> None:
    with pytest.raises(InvalidPrice, match="greater than zero"):
        price(SHIRT, 0)


def test_scenario_8_a_vnd_only_price_is_converted_for_a_usd_cart_and_says_so() -> None:
    rate = ExchangeRate("VND", "USD", Decimal("0.00004"), NOW - timedelta(minutes=10))

    priced = quote([line(SHIRT)], prices=[price(SHIRT, 250_000)], currency="USD",
                   rates=ExchangeRateTable.of([rate]), destination=None).lines[0]

    assert priced.unit_price == usd(1000)
    assert priced.source.converted
    assert priced.source.fx_rate == Decimal("0.00004")
    assert priced.source.original_unit_price == vnd(250_000)


def test_a_price_in_the_cart_currency_is_never_converted() -> None:
    priced = quote([line(SHIRT)], prices=[price(SHIRT, 250_000), price(SHIRT, usd(999))],
                   currency="USD", destination=None).lines[0]

    assert (priced.unit_price, priced.source.converted) == (usd(999), False)


def test_conversion_without_a_rate_fails() -> None:
    with pytest.raises(ExchangeRateUnavailable):
        quote([line(SHIRT)], prices=[price(SHIRT, 250_000)], currency="USD", destination=None)


def test_a_stale_rate_is_flagged_and_a_very_old_one_refused() -> None:
    old = ExchangeRate("VND", "USD", Decimal("0.00004"), NOW - timedelta(hours=2))
    ancient = ExchangeRate("VND", "USD", Decimal("0.00004"), NOW - timedelta(days=2))

    flagged = quote([line(SHIRT)], prices=[price(SHIRT, 250_000)], currency="USD",
                    rates=ExchangeRateTable.of([old]), destination=None)
    with pytest.raises(ExchangeRateTooOld):
        quote([line(SHIRT)], prices=[price(SHIRT, 250_000)], currency="USD",
              rates=ExchangeRateTable.of([ancient]), destination=None,
              context=PricingContext())

    assert "pricing.fx_rate_stale" in [w.code for w in flagged.warnings]
