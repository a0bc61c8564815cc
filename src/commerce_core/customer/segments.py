"""Segments: named rule sets over a customer's facts (spec §3 rule 5). A customer belongs when
every rule holds; `all-customers` and `new-customers` are built in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from attrs import define, field

from commerce_core.customer.commands import SegmentRule
from commerce_core.customer.errors import InvalidSegment
from commerce_core.shared.events import DomainEvent

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

OPERATORS = ("gt", "lt", "eq", "contains")


def rule_holds(rule: SegmentRule, facts: Mapping[str, object]) -> bool:
    actual = facts.get(rule.field)
    if actual is None:
        return False
    if rule.operator == "contains":
        return rule.value.lower() in str(actual).lower()
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return rule.operator == "eq" and str(actual) == rule.value
    try:
        wanted = float(rule.value)
    except ValueError:
        return False
    if rule.operator == "gt":
        return actual > wanted
    if rule.operator == "lt":
        return actual < wanted
    return actual == wanted


FACTS = ("total_orders", "total_spent", "days_since_registration", "email", "group", "status",
         "customer_type", "registration_source", "country_code")


@define(eq=False)
class Segment:
    """A named set of rules; a customer belongs when every rule holds (an empty rule list holds
    for everyone). `id` is the segment's slug."""

    id: str
    name: str
    rules: tuple[SegmentRule, ...]
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def define(cls, slug: str, name: str, rules: tuple[SegmentRule, ...], *,
               now: datetime) -> Segment:
        segment = cls(slug, name, (), True, now, now)
        segment.change(name, rules, is_active=True, now=now)
        if not _SLUG.match(slug):
            raise InvalidSegment(f"{slug!r} is not a segment id (a-z, 0-9, - and _)")
        return segment

    def change(self, name: str, rules: tuple[SegmentRule, ...], *, is_active: bool,
               now: datetime) -> None:
        if not name.strip() or len(name) > 100:
            raise InvalidSegment("a segment needs a name of at most 100 characters")
        for rule in rules:
            if rule.operator not in OPERATORS:
                raise InvalidSegment(f"operator {rule.operator!r} is not one of "
                                     f"{', '.join(OPERATORS)}")
            if rule.field not in FACTS:
                raise InvalidSegment(f"field {rule.field!r} is not one of {', '.join(FACTS)}")
        self.name, self.rules, self.is_active = name.strip(), tuple(rules), is_active
        self.updated_at = now

    def matches(self, facts: Mapping[str, object]) -> bool:
        return self.is_active and all(rule_holds(rule, facts) for rule in self.rules)


ALL_CUSTOMERS = "all-customers"
NEW_CUSTOMERS = "new-customers"
NEW_CUSTOMER_DAYS = 30


def default_segments(now: datetime) -> list[Segment]:
    """Spec §3 rule 5: everyone, and customers registered in the last 30 days."""
    return [
        Segment(ALL_CUSTOMERS, "All customers", (), True, now, now),
        Segment(NEW_CUSTOMERS, "New customers",
                (SegmentRule("days_since_registration", "lt", str(NEW_CUSTOMER_DAYS)),),
                True, now, now),
    ]
