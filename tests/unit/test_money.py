from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.money import CurrencyMismatch, Money, UnknownCurrency, exponent


def test_exponents_follow_iso_4217() -> None:
    assert (exponent("VND"), exponent("USD"), exponent("KWD")) == (0, 2, 3)


def test_major_units_become_minor_units_exactly() -> None:
    assert Money.of("12.34", "USD") == Money(1234, "USD")
    assert Money.of("350000", "VND") == Money(350_000, "VND")


def test_more_decimals_than_the_currency_has_are_refused() -> None:
    with pytest.raises(InvalidInput, match="decimals"):
        Money.of("1.5", "VND")


def test_mixing_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "USD") + Money(1, "EUR")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Money(1, "XYZ")


def test_floats_are_refused() -> None:
    with pytest.raises(InvalidInput, match="integers"):
        Money(1.5, "USD")  # type: ignore[arg-type]


def test_percent_rounds_half_even() -> None:
    assert Money(250, "USD").percent(Decimal(1)) == Money(2, "USD")
    assert Money(350, "USD").percent(Decimal(1)) == Money(4, "USD")


def test_allocation_gives_the_remainder_to_the_largest_fractions() -> None:
    assert Money(100, "VND").allocate([1, 1, 1]) == [Money(34, "VND"), Money(33, "VND"),
                                                     Money(33, "VND")]


def test_allocation_over_zero_weights_goes_to_the_first_part() -> None:
    assert Money(5, "USD").allocate([0, 0]) == [Money(5, "USD"), Money(0, "USD")]


@given(
    amount=st.integers(min_value=-10**12, max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30),
)
def test_allocation_never_loses_or_invents_a_minor_unit(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "VND").allocate(weights)

    assert sum(p.amount for p in parts) == amount
    assert len(parts) == len(weights)
    if sum(weights) > 0:
        for part, weight in zip(parts, weights, strict=True):
            exact = Decimal(amount) * weight / sum(weights)
            assert abs(Decimal(part.amount) - exact) < 1
