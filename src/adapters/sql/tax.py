"""Tax storage: tax rules."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository, AggregateStore
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, column, flat
from adapters.sql.reference import TAX, ReferenceReads, read
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
_FOR_COUNTRY = (sa.select(tax_rules).where(_C.country_code == sa.bindparam("country"))
                .order_by(_C.created_at, _C.id))


class SqlTaxRuleRepository(AggregateRepository[TaxRule]):
    def __init__(self, store: AggregateStore[TaxRule],
                 reference: ReferenceReads | None = None) -> None:
        super().__init__(store)
        self._reference = reference

    def for_country(self, country_code: str) -> list[TaxRule]:
        """Pricing's read, through the reference cache (one entry per country)."""
        rows = read(self._reference, self._store.db, TAX, ("country", country_code),
                    _FOR_COUNTRY, {"country": country_code})
        return self._store.load(rows)

    def list(self) -> list[TaxRule]:
        return self._store.all(sa.select(tax_rules)
                               .order_by(_C.country_code, _C.created_at, _C.id))
