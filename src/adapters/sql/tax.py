"""Tax storage: tax rules."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, column, flat
from adapters.sql.tables.tax import tax_rules
from commerce_core.tax.errors import TaxRuleNotFound
from commerce_core.tax.model import TaxRule, TaxRuleDefinition

TAX_RULES = AggregateMap[TaxRule](
    kind="tax_rule",
    not_found=TaxRuleNotFound,
    codec=RowCodec(
        TaxRule, tax_rules,
        definition=flat(
            TaxRuleDefinition, rule_id=column("id"),
            rate=column(store=str, load=Decimal),  # exact text on every backend
            tax_classes=AS_JSON_LIST, categories=AS_JSON_LIST,
        ),
        events=IGNORED,
    ),
)
_C = tax_rules.c


class SqlTaxRuleRepository(AggregateRepository[TaxRule]):
    def for_country(self, country_code: str) -> list[TaxRule]:
        return self._store.all(sa.select(tax_rules).where(_C.country_code == country_code)
                               .order_by(_C.created_at, _C.id))

    def list(self) -> list[TaxRule]:
        return self._store.all(sa.select(tax_rules)
                               .order_by(_C.country_code, _C.created_at, _C.id))
