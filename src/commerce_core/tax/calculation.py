"""Tax calculation: once, per line, on the discounted net amount, by shipping destination.

For each line the matching rules are grouped by tax type and the most specific rule of each
type is kept (postcode over region over country, then a product filter, then a customer group,
then priority). Kept rules apply in this order: inclusive ones (extracted from the amount, which
is then gross for them), then plain exclusive ones on the net base, then compound ones on the
base plus every tax computed before them. Each tax is rounded half-even per line; order totals
are sums of line amounts, so they reconcile to the minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from attrs import frozen

from commerce_core.pricing.ports import (
    AppliedTax,
    LineTax,
    NoRulePolicy,
    RateTotal,
    TaxRequest,
    TaxResult,
)
from commerce_core.shared.money import Money
from commerce_core.tax.errors import NoTaxRuleMatched
from commerce_core.tax.model import TaxRuleDefinition

SHIPPING_LINE = "shipping"


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_EVEN))


def choose_rules(rules: Iterable[TaxRuleDefinition]) -> list[TaxRuleDefinition]:
    """The most specific rule of each tax type, in application order."""
    best: dict[str, TaxRuleDefinition] = {}
    for rule in rules:
        current = best.get(rule.tax_type)
        if current is None or _rank(rule) < _rank(current):
            best[rule.tax_type] = rule
    return sorted(best.values(), key=lambda r: (
        0 if r.is_inclusive else 2 if r.is_compound else 1, -r.priority, r.created_at, r.rule_id,
    ))


def _rank(rule: TaxRuleDefinition) -> tuple[int, int, int, int, datetime, str]:
    level, product, group, priority = rule.specificity
    # Equal specificity: the older rule wins, so adding a duplicate never changes prices.
    return (-level, -product, -group, -priority, rule.created_at, rule.rule_id)


def tax_amount(amount: Money, rules: Sequence[TaxRuleDefinition]) -> tuple[list[AppliedTax], Money]:
    """The taxes of one amount under already chosen rules, and the amount's net."""
    currency = amount.currency
    inclusive = [r for r in rules if r.is_inclusive]
    applied: list[AppliedTax] = []
    extracted = 0
    if inclusive:
        rate = sum((r.rate for r in inclusive), Decimal(0))
        extracted = _round(Decimal(amount.amount) * rate / (100 + rate)) if rate else 0
        weights = [int(r.rate * 10_000) for r in inclusive]
        parts = Money(extracted, currency).allocate(weights)
        applied += [AppliedTax(r.rule_id, r.name, r.tax_type, r.rate, part, inclusive=True)
                    for r, part in zip(inclusive, parts, strict=True)]
    net = Money(amount.amount - extracted, currency)
    so_far = extracted
    for rule in (r for r in rules if not r.is_inclusive):
        base = net.amount + so_far if rule.is_compound else net.amount
        value = _round(Decimal(base) * rule.rate / 100)
        so_far += value
        applied.append(AppliedTax(rule.rule_id, rule.name, rule.tax_type, rule.rate,
                                  Money(value, currency), compound=rule.is_compound))
    return applied, net


def _line_tax(line_id: str, amount: Money, rules: list[TaxRuleDefinition],
              unmatched: bool) -> LineTax:
    applied, net = tax_amount(amount, rules)
    zero = Money.zero(amount.currency)
    tax = sum((t.amount for t in applied), zero)
    included = sum((t.amount for t in applied if t.inclusive), zero)
    return LineTax(line_id, tuple(applied), tax, included, net, unmatched)


def calculate_tax(
    request: TaxRequest,
    rules: Iterable[TaxRuleDefinition],
    *,
    at: datetime,
    policy: NoRulePolicy = NoRulePolicy.ZERO_WITH_WARNING,
) -> TaxResult:
    """Tax of every line and of shipping; raises `NoTaxRuleMatched` only under `FAIL`."""
    zero = Money.zero(request.currency)
    dest = request.destination
    live = [r for r in rules if r.live_at(at) and r.covers(dest) and (
        r.customer_group_id is None or r.customer_group_id == request.customer_group_id)]
    if request.tax_exempt:
        lines = tuple(LineTax(ln.line_id, (), zero, zero, ln.amount) for ln in request.lines)
        shipping = (None if request.shipping is None
                    else LineTax(SHIPPING_LINE, (), zero, zero, request.shipping))
        return TaxResult(lines, shipping, zero, zero, (), False, exempt=True)
    results: list[LineTax] = []
    unmatched: list[str] = []
    for line in request.lines:
        chosen = choose_rules(r for r in live if r.covers_product(line.tax_class,
                                                                  line.category_ids))
        if not chosen:
            unmatched.append(line.line_id)
        results.append(_line_tax(line.line_id, line.amount, chosen, not chosen))
    if unmatched and policy is NoRulePolicy.FAIL:
        raise NoTaxRuleMatched(
            f"no tax rule covers {len(unmatched)} line(s) shipped to {dest.country_code}",
            line_ids=unmatched, country_code=dest.country_code,
        )
    shipping_tax = None
    if request.shipping is not None:
        # Shipping is taxed only by rules that say so; none is a normal state, not a warning.
        chosen = choose_rules(r for r in live if r.applies_to_shipping)
        shipping_tax = _line_tax(SHIPPING_LINE, request.shipping, chosen, False)
    every = [*results, *([shipping_tax] if shipping_tax else [])]
    totals: dict[str, RateTotal] = {}
    for line_tax in every:
        for t in line_tax.taxes:
            seen = totals.get(t.rule_id)
            totals[t.rule_id] = RateTotal(
                t.rule_id, t.name, t.tax_type, t.rate, t.inclusive,
                t.amount + (seen.amount if seen else zero),
            )
    return TaxResult(
        lines=tuple(results), shipping=shipping_tax,
        tax=sum((lt.tax for lt in every), zero),
        included=sum((lt.included for lt in every), zero),
        rates=tuple(sorted(totals.values(), key=lambda r: (r.tax_type, r.rule_id))),
        no_rule_matched=bool(unmatched), unmatched_line_ids=tuple(unmatched),
    )


@frozen
class TaxRuleSet:
    """The rules of one country, loaded for a calculation: pricing's `TaxCalculator`."""

    rules: tuple[TaxRuleDefinition, ...]

    def calculate(self, request: TaxRequest, *, at: datetime,
                  policy: NoRulePolicy) -> TaxResult:
        return calculate_tax(request, self.rules, at=at, policy=policy)
