"""Tax storage: tax rules."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.pricing_tables import tax_rules
from commerce_core.tax.errors import TaxRuleNotFound
from commerce_core.tax.model import TaxRule, TaxRuleDefinition


def _rule_row(rule: TaxRule) -> Values:
    d = rule.definition
    return {
        "id": d.rule_id, "name": d.name, "country_code": d.country_code, "region": d.region,
        "postcode": d.postcode, "tax_type": d.tax_type, "rate": str(d.rate),
        "tax_classes": list(d.tax_classes), "categories": list(d.categories),
        "customer_group_id": d.customer_group_id, "is_compound": d.is_compound,
        "is_inclusive": d.is_inclusive, "applies_to_shipping": d.applies_to_shipping,
        "priority": d.priority, "effective_from": d.effective_from,
        "effective_to": d.effective_to, "is_active": d.is_active, "created_at": d.created_at,
        "updated_at": rule.updated_at,
    }


def _rule_from(row: Row, children: LoadedChildren) -> TaxRule:
    definition = TaxRuleDefinition(
        rule_id=row.id, name=row.name, country_code=row.country_code, tax_type=row.tax_type,
        rate=Decimal(row.rate), created_at=row.created_at, region=row.region,
        postcode=row.postcode, tax_classes=tuple(row.tax_classes),
        categories=tuple(row.categories), customer_group_id=row.customer_group_id,
        is_compound=row.is_compound, is_inclusive=row.is_inclusive,
        applies_to_shipping=row.applies_to_shipping, priority=row.priority,
        effective_from=row.effective_from, effective_to=row.effective_to,
        is_active=row.is_active,
    )
    return TaxRule(definition, row.updated_at, row.version)


TAX_RULES = AggregateMap[TaxRule](
    kind="tax_rule", table=tax_rules, not_found=TaxRuleNotFound, to_row=_rule_row,
    from_rows=_rule_from,
)
_C = tax_rules.c


class SqlTaxRuleRepository(AggregateRepository[TaxRule]):
    def for_country(self, country_code: str) -> list[TaxRule]:
        return self._store.all(sa.select(tax_rules).where(_C.country_code == country_code)
                               .order_by(_C.created_at, _C.id))

    def list(self) -> list[TaxRule]:
        return self._store.all(sa.select(tax_rules)
                               .order_by(_C.country_code, _C.created_at, _C.id))
