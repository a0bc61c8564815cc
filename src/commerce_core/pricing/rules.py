"""Price rules: volume tiers, customer-segment, time-based and conditional unit-price changes.

Rules act on the unit price, one after another, in a deterministic order: higher `priority`
first, then creation order (`created_at`, then the time-ordered id). A rule never raises a price
and never takes it below zero; a matched rule with `stop_further_rules` ends the sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, tzinfo
from decimal import Decimal
from enum import StrEnum

import attrs
from attrs import define, field, frozen

from commerce_core.pricing.errors import InvalidPriceRule
from commerce_core.pricing.events import PriceRuleCreated, PriceRuleDeactivated
from commerce_core.pricing.model import in_window
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class RuleType(StrEnum):
    VOLUME = "volume"
    CUSTOMER_SEGMENT = "customer_segment"
    TIME_BASED = "time_based"
    CONDITION = "condition"


class ActionKind(StrEnum):
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    SET_PRICE = "set_price"
    VOLUME_TIERS = "volume_tiers"


@frozen
class VolumeTier:
    """From `min_quantity` units on (inclusive), each unit costs `unit_price`."""

    min_quantity: int
    unit_price: Money


@frozen
class RuleAction:
    kind: ActionKind
    percent: Decimal | None = None
    amount: Money | None = None
    tiers: tuple[VolumeTier, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.kind is ActionKind.PERCENT_OFF:
            if self.percent is None or not Decimal(0) < self.percent <= 100:
                raise InvalidPriceRule("a percentage must be above 0 and at most 100")
        elif self.kind is ActionKind.VOLUME_TIERS:
            minimums = [t.min_quantity for t in self.tiers]
            if not minimums or minimums[0] < 1 or minimums != sorted(set(minimums)):
                raise InvalidPriceRule("volume tiers need strictly increasing minimums >= 1")
            if len({t.unit_price.currency for t in self.tiers}) != 1:
                raise InvalidPriceRule("volume tiers are priced in one currency")
            if any(t.unit_price.amount < 0 for t in self.tiers):
                raise InvalidPriceRule("a tier price cannot be negative")
        elif self.amount is None or self.amount.amount < 0:
            raise InvalidPriceRule(f"a {self.kind} action needs an amount >= 0")

    @classmethod
    def percent_off(cls, percent: Decimal | int | str) -> RuleAction:
        return cls(ActionKind.PERCENT_OFF, percent=Decimal(percent))

    @classmethod
    def amount_off(cls, amount: Money) -> RuleAction:
        return cls(ActionKind.AMOUNT_OFF, amount=amount)

    @classmethod
    def set_price(cls, amount: Money) -> RuleAction:
        return cls(ActionKind.SET_PRICE, amount=amount)

    @classmethod
    def volume_tiers(cls, *tiers: tuple[int, Money]) -> RuleAction:
        return cls(ActionKind.VOLUME_TIERS, tiers=tuple(VolumeTier(q, p) for q, p in tiers))

    @property
    def currency(self) -> str | None:
        """Amount-based actions only apply to prices in their own currency."""
        if self.amount is not None:
            return self.amount.currency
        return self.tiers[0].unit_price.currency if self.tiers else None

    def apply(self, unit: Money, quantity: int) -> Money | None:
        """The new unit price, or None when the action does not apply (currency, tier)."""
        if self.currency not in (None, unit.currency):
            return None
        if self.kind is ActionKind.PERCENT_OFF:
            assert self.percent is not None
            proposed = unit - unit.percent(self.percent)
        elif self.kind is ActionKind.AMOUNT_OFF:
            assert self.amount is not None
            proposed = unit - self.amount
        elif self.kind is ActionKind.SET_PRICE:
            assert self.amount is not None
            proposed = self.amount
        else:
            reached = [t for t in self.tiers if t.min_quantity <= quantity]
            if not reached:
                return None
            proposed = reached[-1].unit_price
        # A rule lowers a price or leaves it; it never raises it nor takes it below zero.
        return Money(max(0, min(proposed.amount, unit.amount)), unit.currency)


@frozen
class RuleSubject:
    """What a rule may look at: one cart line and who buys it."""

    product_id: str
    sku: str | None
    quantity: int
    warehouse_id: str | None = None
    category_ids: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(factory=dict)
    customer_segments: tuple[str, ...] = ()


@frozen
class RuleCondition:
    """Every non-empty criterion must hold (AND). Empty tuples mean "any"."""

    product_ids: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    warehouse_ids: tuple[str, ...] = ()
    customer_segments: tuple[str, ...] = ()
    min_quantity: int | None = None
    max_quantity: int | None = None
    days_of_week: tuple[int, ...] = ()  # 0 = Monday, in the shop's time zone
    time_from: time | None = None  # time of day, inclusive; a window may cross midnight
    time_to: time | None = None  # exclusive
    attributes: Mapping[str, str] = field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.min_quantity is not None and self.min_quantity < 1:
            raise InvalidPriceRule("a minimum quantity is at least 1")
        if (self.min_quantity is not None and self.max_quantity is not None
                and self.max_quantity < self.min_quantity):
            raise InvalidPriceRule("the maximum quantity is below the minimum")
        if any(d not in range(7) for d in self.days_of_week):
            raise InvalidPriceRule("days of week are 0 (Monday) to 6 (Sunday)")
        if (self.time_from is None) != (self.time_to is None):
            raise InvalidPriceRule("a time-of-day window needs both ends")

    def matches(self, subject: RuleSubject, local: datetime) -> bool:
        checks = (
            not self.product_ids or subject.product_id in self.product_ids,
            not self.skus or subject.sku in self.skus,
            not self.category_ids or bool(set(self.category_ids) & set(subject.category_ids)),
            not self.warehouse_ids or subject.warehouse_id in self.warehouse_ids,
            not self.customer_segments
            or bool(set(self.customer_segments) & set(subject.customer_segments)),
            self.min_quantity is None or subject.quantity >= self.min_quantity,
            self.max_quantity is None or subject.quantity <= self.max_quantity,
            not self.days_of_week or local.weekday() in self.days_of_week,
            self._time_of_day_matches(local.time()),
            all(subject.attributes.get(k) == v for k, v in self.attributes.items()),
        )
        return all(checks)

    def _time_of_day_matches(self, now: time) -> bool:
        if self.time_from is None or self.time_to is None:
            return True
        if self.time_from <= self.time_to:
            return self.time_from <= now < self.time_to
        return now >= self.time_from or now < self.time_to  # e.g. 22:00-02:00


@frozen
class PriceRuleDefinition:
    """A price rule's content, as the engine reads it."""

    rule_id: str
    name: str
    rule_type: RuleType
    condition: RuleCondition
    action: RuleAction
    created_at: datetime
    priority: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stop_further_rules: bool = False
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidPriceRule("a price rule needs a name")
        c = self.condition
        needs = {
            RuleType.VOLUME: c.min_quantity is not None
            or self.action.kind is ActionKind.VOLUME_TIERS,
            RuleType.CUSTOMER_SEGMENT: bool(c.customer_segments),
            RuleType.TIME_BASED: bool(c.days_of_week) or c.time_from is not None
            or self.starts_at is not None or self.ends_at is not None,
            RuleType.CONDITION: True,
        }
        if not needs[self.rule_type]:
            raise InvalidPriceRule(f"a {self.rule_type} rule needs its criterion set",
                                   rule_type=self.rule_type.value)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise InvalidPriceRule("a rule's window must end after it starts")

    @property
    def order_key(self) -> tuple[int, datetime, str]:
        """Higher priority first, then creation order: the same every time (scenario 7)."""
        return (-self.priority, self.created_at, self.rule_id)

    def live_at(self, at: datetime) -> bool:
        return self.is_active and in_window(at, self.starts_at, self.ends_at)


@define(eq=False)
class PriceRule:
    definition: PriceRuleDefinition
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.definition.rule_id

    @classmethod
    def create(cls, definition: PriceRuleDefinition, *, now: datetime) -> PriceRule:
        rule = cls(definition, now)
        d = definition
        rule.events.append(
            PriceRuleCreated(d.rule_id, d.name, d.rule_type.value, d.priority, now)
        )
        return rule

    def deactivate(self, *, now: datetime) -> None:
        if not self.definition.is_active:
            return
        self.definition = attrs.evolve(self.definition, is_active=False)
        self.updated_at = now
        self.events.append(PriceRuleDeactivated(self.id, now))


@frozen
class RuleApplication:
    """One rule that changed a line's unit price."""

    rule_id: str
    name: str
    unit_before: Money
    unit_after: Money

    @property
    def unit_discount(self) -> Money:
        return self.unit_before - self.unit_after


def apply_rules(
    rules: Iterable[PriceRuleDefinition],
    subject: RuleSubject,
    unit_price: Money,
    *,
    at: datetime,
    timezone: tzinfo,
) -> tuple[Money, tuple[RuleApplication, ...]]:
    """Run the live rules over one line's unit price, in rule order (spec pricing rule 3)."""
    local = at.astimezone(timezone)
    applied: list[RuleApplication] = []
    current = unit_price
    for rule in sorted(rules, key=lambda r: r.order_key):
        if not rule.live_at(at) or not rule.condition.matches(subject, local):
            continue
        proposed = rule.action.apply(current, subject.quantity)
        if proposed is None:
            continue
        if proposed != current:
            applied.append(RuleApplication(rule.rule_id, rule.name, current, proposed))
            current = proposed
        if rule.stop_further_rules:
            break
    return current, tuple(applied)
