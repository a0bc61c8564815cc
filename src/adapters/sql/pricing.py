"""Pricing storage: price rows (with the per-product event sequence) and price rules."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.aggregates import AggregateMap, AggregateRepository, AggregateStore, Row
from adapters.sql.codec import IGNORED, RowCodec, by_value, column, flat, money
from adapters.sql.reference import PRICE_RULES as RULES_KIND
from adapters.sql.reference import ReferenceReads, read
from adapters.sql.tables.pricing import price_rules, price_sequences, prices
from adapters.sql.terms import TERM
from adapters.sql.transaction import SqlTransaction
from commerce_core.pricing.errors import DuplicatePrice, PriceNotFound, PriceRuleNotFound
from commerce_core.pricing.model import Price, PricePoint
from commerce_core.pricing.rules import PriceRule, PriceRuleDefinition, RuleType

PRICES = AggregateMap[Price](
    kind="price",
    not_found=PriceNotFound,
    codec=RowCodec(
        Price, prices,
        point=flat(PricePoint, price_id=column("id"), base_price=money(), sale_price=money(),
                   cost_price=money()),
        events=IGNORED,
    ),
)


def _point_from(row: Row) -> PricePoint:
    return PRICES.from_rows(row, {}).point


PRICE_RULES = AggregateMap[PriceRule](
    kind="price_rule",
    not_found=PriceRuleNotFound,
    codec=RowCodec(
        PriceRule, price_rules,
        definition=flat(PriceRuleDefinition, rule_id=column("id"),
                        rule_type=by_value(RuleType), condition=TERM, action=TERM),
        events=IGNORED,
    ),
)

_ACTIVE_FOR_KEY = (
    sa.select(prices)
    .where(prices.c.product_id == sa.bindparam("product_id"),
           prices.c.currency == sa.bindparam("currency"),
           prices.c.sku.is_not_distinct_from(sa.bindparam("sku")),
           prices.c.warehouse_id.is_not_distinct_from(sa.bindparam("warehouse_id")),
           prices.c.is_active)
    .order_by(prices.c.effective_from, prices.c.id)
)
_POINTS = (
    sa.select(prices)
    .where(prices.c.product_id.in_(sa.bindparam("ids", expanding=True)), prices.c.is_active)
    .order_by(prices.c.product_id, prices.c.id)
)


def upsert(db: SqlTransaction, table: sa.Table) -> Any:
    """The dialect's INSERT, which knows `ON CONFLICT` (PostgreSQL and SQLite >= 3.24)."""
    return (postgresql.insert if db.is_postgres else sqlite.insert)(table)


class PriceStore(AggregateStore[Price]):
    """Refuses, on commit, a row that would overlap another active row of its key: the check
    runs inside the transaction that writes it (spec pricing model)."""

    def flush(self) -> None:
        pending = [*self._tracker.new("price"), *self._tracker.changed("price")]
        for price in pending:
            p = price.point
            if not p.is_active:
                continue
            rows = self.db.execute(_ACTIVE_FOR_KEY, {
                "product_id": p.product_id, "currency": p.currency, "sku": p.sku,
                "warehouse_id": p.warehouse_id,
            }).all()
            others = {row.id: _point_from(row) for row in rows}
            others.update({q.id: q.point for q in pending})
            clash = next((o for o in others.values() if p.clashes_with(o)), None)
            if clash is not None:
                raise DuplicatePrice(
                    f"price {clash.price_id} already covers this key at that time",
                    price_id=clash.price_id, product_id=p.product_id,
                )
        super().flush()


class SqlPriceRepository(AggregateRepository[Price]):
    def for_key(
        self, product_id: str, sku: str | None, warehouse_id: str | None, currency: str
    ) -> list[Price]:
        return self._store.all(_ACTIVE_FOR_KEY, {
            "product_id": product_id, "currency": currency, "sku": sku,
            "warehouse_id": warehouse_id,
        })

    def points_for(self, product_ids: Collection[str]) -> list[PricePoint]:
        if not product_ids:
            return []
        rows = self._store.db.execute(_POINTS, {"ids": sorted(set(product_ids))})
        return [_point_from(row) for row in rows]

    def next_sequence(self, product_id: str) -> int:
        db = self._store.db
        statement = upsert(db, price_sequences).values(product_id=product_id, last_sequence=1)
        statement = statement.on_conflict_do_update(
            index_elements=[price_sequences.c.product_id],
            set_={"last_sequence": price_sequences.c.last_sequence + 1},
        ).returning(price_sequences.c.last_sequence)
        return int(db.execute(statement).scalar_one())


_LIVE_RULES = sa.select(price_rules).where(price_rules.c.is_active)
_ALL_RULES = sa.select(price_rules)


class SqlPriceRuleRepository(AggregateRepository[PriceRule]):
    def __init__(self, store: AggregateStore[PriceRule],
                 reference: ReferenceReads | None = None) -> None:
        super().__init__(store)
        self._reference = reference

    def live(self, at: datetime) -> list[PriceRule]:
        """Pricing's read: the active rows from the reference cache, their window checked
        against `at` here."""
        rows = read(self._reference, self._store.db, RULES_KIND, "active", _LIVE_RULES)
        rules = [r for r in self._store.load(rows) if r.definition.live_at(at)]
        return sorted(rules, key=lambda r: r.definition.order_key)

    def list(self) -> list[PriceRule]:
        return sorted(self._store.all(_ALL_RULES), key=lambda r: r.definition.order_key)
