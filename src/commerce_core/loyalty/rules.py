"""How many points an order earns (rules A2.1-A2.3): the eligible value of each line (after the
order's discount, without shipping and tax) at the currency's earn rate, times the best bonus
of the line's categories, the tier's and the campaign's multipliers, floored once per line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrs import frozen

from commerce_core.shared.money import Money

PERCENT = 100


@frozen
class LineValue:
    line_id: str
    sku: str
    quantity: int
    value: int  # eligible minor units
    category_ids: tuple[str, ...]


def eligible_values(line_totals: Sequence[Money], discount: Money) -> list[int]:
    """Each line's total less its share of the order's discount (shared out exactly, by line
    total), never below zero."""
    if not line_totals:
        return []
    if discount.amount <= 0 or sum(m.amount for m in line_totals) <= 0:
        return [max(0, m.amount) for m in line_totals]
    shares = discount.allocate([max(0, m.amount) for m in line_totals])
    return [max(0, m.amount - s.amount) for m, s in zip(line_totals, shares, strict=True)]


def category_multiplier(category_ids: Sequence[str], rules: Mapping[str, int]) -> int:
    """The best bonus among the line's categories (100 without one)."""
    return max((rules[c] for c in category_ids if c in rules), default=PERCENT)


def line_points(line: LineValue, *, rate: int, categories: Mapping[str, int], tier: int,
                campaign: int = PERCENT) -> int:
    numerator = line.value * category_multiplier(line.category_ids, categories) * tier * campaign
    return numerator // (rate * PERCENT ** 3)
