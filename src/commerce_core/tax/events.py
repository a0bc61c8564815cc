"""Facts the tax context publishes (administration of rules)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class TaxRuleCreated(DomainEvent):
    type = "tax.rule_created"
    rule_id: str
    name: str
    country_code: str
    region: str | None
    postcode: str | None
    tax_type: str
    rate_percent: str  # a Decimal, as text
    occurred_at: datetime


@frozen
class TaxRateChanged(DomainEvent):
    type = "tax.rate_changed"
    rule_id: str
    previous_rate_percent: str
    rate_percent: str
    occurred_at: datetime


@frozen
class TaxRuleDeactivated(DomainEvent):
    type = "tax.rule_deactivated"
    rule_id: str
    occurred_at: datetime
