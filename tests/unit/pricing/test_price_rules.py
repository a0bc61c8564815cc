"""Price rules: volume tiers, segments, time windows, priority and creation order (spec §1)."""

from __future__ import annotations

import random
from datetime import time, timedelta

from commerce_core.pricing.engine import CustomerContext
from commerce_core.pricing.rules import (
    PriceRuleDefinition,
    RuleAction,
    RuleCondition,
    RuleType,
)
from tests.unit.pricing.support import NOW, _created, line, price, quote, vnd

SOFA = "prod-sofa"
_counter = iter(range(1, 10_000))


def rule(name: str, rule_type: RuleType, action: RuleAction,
         condition: RuleCondition | None = None, **fields: object) -> PriceRuleDefinition:
    return PriceRuleDefinition(
        rule_id=f"rule-{next(_counter):04d}", name=name, rule_type=rule_type,
        condition=condition or RuleCondition(), action=action, created_at=_created(),
        **fields,  # type: ignore[arg-type]
    )


VOLUME = rule("Volume tiers", RuleType.VOLUME,
              RuleAction.volume_tiers((10, vnd(450_000)), (50, vnd(400_000))))


def unit_price_at(quantity: int, *rules: PriceRuleDefinition) -> int:
    breakdown = quote([line(SOFA, quantity)], prices=[price(SOFA, 500_000)], rules=rules,
                      destination=None)
    return breakdown.lines[0].unit_price.amount


def test_scenario_6_volume_tiers_include_their_lower_bound() -> None:
    assert unit_price_at(9, VOLUME) == 500_000
    assert unit_price_at(10, VOLUME) == 450_000
    assert unit_price_at(49, VOLUME) == 450_000
    assert unit_price_at(50, VOLUME) == 400_000


def test_volume_counts_every_line_of_the_sku_across_warehouses() -> None:
    lines = [line(SOFA, 6, line_id="a", warehouse_id="HCM"),
             line(SOFA, 4, line_id="b", warehouse_id="HN")]

    breakdown = quote(lines, prices=[price(SOFA, 500_000)], rules=[VOLUME], destination=None)

    assert {ln.unit_price for ln in breakdown.lines} == {vnd(450_000)}


def test_scenario_7_rules_of_equal_priority_apply_in_creation_order_every_time() -> None:
    ten_percent = rule("10% off", RuleType.CONDITION, RuleAction.percent_off(10))
    fifty_off = rule("50,000 off", RuleType.CONDITION, RuleAction.amount_off(vnd(50_000)))
    rules = [ten_percent, fifty_off]

    outcomes = set()
    for seed in range(20):
        random.Random(seed).shuffle(rules)
        priced = quote([line(SOFA)], prices=[price(SOFA, 500_000)], rules=rules,
                       destination=None).lines[0]
        outcomes.add((priced.unit_price.amount, tuple(a.name for a in priced.adjustments)))

    assert outcomes == {(400_000, ("10% off", "50,000 off"))}


def test_a_higher_priority_rule_applies_first_and_can_stop_the_rest() -> None:
    late = rule("late 10%", RuleType.CONDITION, RuleAction.percent_off(10))
    first = rule("VIP price", RuleType.CONDITION, RuleAction.set_price(vnd(420_000)),
                 priority=5, stop_further_rules=True)

    assert unit_price_at(1, late, first) == 420_000


def test_a_rule_never_raises_a_price_nor_goes_below_zero() -> None:
    higher = rule("set higher", RuleType.CONDITION, RuleAction.set_price(vnd(900_000)))
    huge = rule("huge off", RuleType.CONDITION, RuleAction.amount_off(vnd(9_000_000)))

    assert unit_price_at(1, higher) == 500_000
    assert unit_price_at(1, huge) == 0


def test_a_segment_rule_applies_only_to_that_segment() -> None:
    vip = rule("VIP 20%", RuleType.CUSTOMER_SEGMENT, RuleAction.percent_off(20),
               RuleCondition(customer_segments=("vip",)))

    def unit(segments: tuple[str, ...]) -> int:
        return quote([line(SOFA)], prices=[price(SOFA, 500_000)], rules=[vip],
                     customer=CustomerContext("c", segments), destination=None,
                     ).lines[0].unit_price.amount

    assert (unit(("vip",)), unit(())) == (400_000, 500_000)


def test_a_time_based_rule_follows_its_hours_and_window() -> None:
    happy_hour = rule("Happy hour", RuleType.TIME_BASED, RuleAction.percent_off(10),
                      RuleCondition(time_from=time(9), time_to=time(11)))
    expired = rule("Last week", RuleType.TIME_BASED, RuleAction.percent_off(50),
                   starts_at=NOW - timedelta(days=9), ends_at=NOW - timedelta(days=2))

    assert unit_price_at(1, happy_hour, expired) == 450_000
    assert quote([line(SOFA)], prices=[price(SOFA, 500_000)], rules=[happy_hour],
                 destination=None, at=NOW + timedelta(hours=2)).lines[0].unit_price == vnd(
        500_000)
