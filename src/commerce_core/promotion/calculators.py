"""Discount calculators (spec §2.1): how much each benefit takes off each cart line.

Every calculator works on what is left of each line after the discounts applied before it
(`remaining`, minor units) and returns per-line discounts that never exceed it, so no line ever
goes below zero and no minor unit is invented. Amount-based results are spread over lines with
`Money.allocate` (largest remainder), so the parts always add up to the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from attrs import frozen

from commerce_core.pricing.ports import PromotionLine
from commerce_core.promotion.terms import (
    Benefit,
    BundlePrice,
    BuyXGetY,
    FixedAmountOff,
    FreeShipping,
    ItemSelection,
    PercentageOff,
    Pick,
    ProductScope,
    Tiered,
)
from commerce_core.shared.money import Money

Discounts = dict[str, int]  # line id -> minor units taken off


def in_scope(line: PromotionLine, scope: ProductScope) -> bool:
    return scope.matches(line.product_id, line.category_ids, line.brand_id)


@frozen
class _Unit:
    line_id: str
    line_index: int
    unit_index: int
    value: int


def spread(total: int, weights: Sequence[int], currency: str) -> list[int]:
    """`total` split across `weights` exactly; a part never exceeds its weight when
    `total <= sum(weights)`."""
    if total == 0 or not weights:
        return [0] * len(weights)
    return [m.amount for m in Money(total, currency).allocate(list(weights))]


def _units(lines: Sequence[PromotionLine], remaining: Mapping[str, int], currency: str,
           offset: int = 0) -> list[_Unit]:
    """Each line's remaining amount split evenly over its units (the first units carry the
    extra minor units), so unit-based offers see what is actually left to discount."""
    units = []
    for index, line in enumerate(lines, start=offset):
        values = spread(remaining[line.line_id], [1] * line.quantity, currency)
        units += [_Unit(line.line_id, index, j, v) for j, v in enumerate(values)]
    return units


def _dearest_first(units: list[_Unit]) -> list[_Unit]:
    return sorted(units, key=lambda u: (-u.value, u.line_index, u.unit_index))


def _cheapest_first(units: list[_Unit]) -> list[_Unit]:
    return sorted(units, key=lambda u: (u.value, u.line_index, u.unit_index))


def _percent_per_line(units: Sequence[_Unit], percent: Decimal, currency: str) -> Discounts:
    """`percent` of the chosen units' value, rounded once per line."""
    value: dict[str, int] = defaultdict(int)
    for unit in units:
        value[unit.line_id] += unit.value
    return {line_id: Money(v, currency).percent(percent).amount for line_id, v in value.items()}


def _off_the_whole(amount: int, lines: Sequence[PromotionLine], remaining: Mapping[str, int],
                   currency: str) -> Discounts:
    weights = [remaining[line.line_id] for line in lines]
    parts = spread(min(amount, sum(weights)), weights, currency)
    return {line.line_id: part for line, part in zip(lines, parts, strict=True)}


def _buy_x_get_y(offer: BuyXGetY, buy_lines: Sequence[PromotionLine],
                 get_lines: Sequence[PromotionLine] | None, remaining: Mapping[str, int],
                 currency: str) -> Discounts:
    """Greedy: the dearest eligible units are "bought", the cheapest are "got"; repeat while
    both sets can be filled. Buy 2 get 1 on 300, 200, 100 gives 100 off (scenario 16)."""
    buys = _dearest_first(_units(buy_lines, remaining, currency))
    if get_lines is None:
        pool = buys
        got: list[_Unit] = []
        applications = 0
        group = offer.buy_quantity + offer.get_quantity
        while len(pool) >= group and (
            offer.max_applications is None or applications < offer.max_applications
        ):
            pool = pool[offer.buy_quantity:]
            got += pool[-offer.get_quantity:]
            pool = pool[:-offer.get_quantity]
            applications += 1
        return _percent_per_line(got, offer.get_percent, currency)
    # Buy A get B: a unit plays one role at most. Units of a line in both scopes share ids.
    gets = _cheapest_first(_units(get_lines, remaining, currency, offset=len(buy_lines)))
    used: set[tuple[str, int]] = set()
    chosen: list[_Unit] = []
    b = g = applications = 0
    while offer.max_applications is None or applications < offer.max_applications:
        picked_buys: list[_Unit] = []
        while len(picked_buys) < offer.buy_quantity and b < len(buys):
            if (buys[b].line_id, buys[b].unit_index) not in used:
                picked_buys.append(buys[b])
            b += 1
        if len(picked_buys) < offer.buy_quantity:
            break
        used.update((u.line_id, u.unit_index) for u in picked_buys)
        picked_gets: list[_Unit] = []
        while len(picked_gets) < offer.get_quantity and g < len(gets):
            if (gets[g].line_id, gets[g].unit_index) not in used:
                picked_gets.append(gets[g])
            g += 1
        if len(picked_gets) < offer.get_quantity:
            break
        used.update((u.line_id, u.unit_index) for u in picked_gets)
        chosen += picked_gets
        applications += 1
    return _percent_per_line(chosen, offer.get_percent, currency)


def _bundle(offer: BundlePrice, lines: Sequence[PromotionLine], remaining: Mapping[str, int],
            currency: str) -> Discounts:
    """Each complete set costs the bundle price; sets are made of the cheapest units, and each
    set's saving is spread over its units by value."""
    pools = {
        c.product_id: _cheapest_first(
            _units([ln for ln in lines if ln.product_id == c.product_id], remaining, currency)
        )
        for c in offer.components
    }
    sets = min(len(pools[c.product_id]) // c.quantity for c in offer.components)
    result: Discounts = defaultdict(int)
    for s in range(sets):
        members = [u for c in offer.components
                   for u in pools[c.product_id][s * c.quantity:(s + 1) * c.quantity]]
        values = [u.value for u in members]
        saving = max(0, sum(values) - offer.price.amount)
        for unit, part in zip(members, spread(saving, values, currency), strict=True):
            result[unit.line_id] += part
    return dict(result)


def item_discounts(
    benefit: Benefit,
    eligible: Sequence[PromotionLine],
    all_lines: Sequence[PromotionLine],
    remaining: Mapping[str, int],
    currency: str,
) -> Discounts:
    """Per-line discount of one benefit on the eligible lines (given in the engine's stable
    order). Free shipping takes nothing off items."""
    if not eligible or isinstance(benefit, FreeShipping):
        return {}
    if isinstance(benefit, PercentageOff):
        base = sum(remaining[line.line_id] for line in eligible)
        return _off_the_whole(Money(base, currency).percent(benefit.percent).amount, eligible,
                              remaining, currency)
    if isinstance(benefit, FixedAmountOff):
        if benefit.per_unit:
            return {line.line_id: min(benefit.amount.amount * line.quantity,
                                      remaining[line.line_id]) for line in eligible}
        return _off_the_whole(benefit.amount.amount, eligible, remaining, currency)
    if isinstance(benefit, Tiered):
        # Tiers are reached on the amounts before promotions, like the minimum order.
        reached_by = (sum(line.amount.amount for line in eligible) if benefit.by_spend
                      else sum(line.quantity for line in eligible))
        tier = benefit.reached(reached_by)
        if tier is None:
            return {}
        if tier.percent is not None:
            base = sum(remaining[line.line_id] for line in eligible)
            amount = Money(base, currency).percent(tier.percent).amount
        else:
            assert tier.amount is not None
            amount = tier.amount.amount
        return _off_the_whole(amount, eligible, remaining, currency)
    if isinstance(benefit, BuyXGetY):
        get_lines = (None if benefit.get_scope is None
                     else [ln for ln in all_lines if in_scope(ln, benefit.get_scope)])
        return _buy_x_get_y(benefit, eligible, get_lines, remaining, currency)
    if isinstance(benefit, ItemSelection):
        units = _units(eligible, remaining, currency)
        ordered = (_cheapest_first(units) if benefit.pick is Pick.CHEAPEST
                   else _dearest_first(units))
        return _percent_per_line(ordered[:benefit.count], benefit.percent, currency)
    return _bundle(benefit, eligible, remaining, currency)


def cap(discounts: Discounts, limit: int, lines: Sequence[PromotionLine],
        currency: str) -> Discounts:
    """Scale a promotion's discounts down to `limit` in total (maximum discount, remaining
    budget), spread by each line's share; each line keeps at most what it had."""
    if sum(discounts.values()) <= limit:
        return discounts
    ids = [line.line_id for line in lines if discounts.get(line.line_id)]
    parts = spread(max(limit, 0), [discounts[i] for i in ids], currency)
    return dict(zip(ids, parts, strict=True))
