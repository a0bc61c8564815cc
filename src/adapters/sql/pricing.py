"""Pricing storage: price rows (with the per-product event sequence) and price rules."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    AggregateStore,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.pricing_tables import price_rules, price_sequences, prices
from adapters.sql.terms import decode, encode
from adapters.sql.transaction import SqlTransaction
from commerce_core.pricing.errors import DuplicatePrice, PriceNotFound, PriceRuleNotFound
from commerce_core.pricing.model import Price, PricePoint
from commerce_core.pricing.rules import PriceRule, PriceRuleDefinition, RuleType
from commerce_core.shared.money import Money


def _money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def _amount(money: Money | None) -> int | None:
    return None if money is None else money.amount


def _price_row(price: Price) -> Values:
    p = price.point
    return {
        "id": p.price_id, "product_id": p.product_id, "sku": p.sku,
        "warehouse_id": p.warehouse_id, "currency": p.currency,
        "base_price_amount": p.base_price.amount, "sale_price_amount": _amount(p.sale_price),
        "sale_starts_at": p.sale_starts_at, "sale_ends_at": p.sale_ends_at,
        "cost_price_amount": _amount(p.cost_price), "effective_from": p.effective_from,
        "effective_to": p.effective_to, "is_active": p.is_active, "created_at": p.created_at,
        "updated_at": price.updated_at,
    }


def _point_from(row: Row) -> PricePoint:
    return PricePoint(
        price_id=row.id, product_id=row.product_id, currency=row.currency,
        base_price=Money(row.base_price_amount, row.currency),
        effective_from=row.effective_from, created_at=row.created_at, sku=row.sku,
        warehouse_id=row.warehouse_id,
        sale_price=_money(row.sale_price_amount, row.currency),
        sale_starts_at=row.sale_starts_at, sale_ends_at=row.sale_ends_at,
        cost_price=_money(row.cost_price_amount, row.currency),
        effective_to=row.effective_to, is_active=row.is_active,
    )


def _price_from(row: Row, children: LoadedChildren) -> Price:
    return Price(_point_from(row), row.updated_at, row.version)


PRICES = AggregateMap[Price](
    kind="price", table=prices, not_found=PriceNotFound, to_row=_price_row,
    from_rows=_price_from,
)


def _rule_row(rule: PriceRule) -> Values:
    d = rule.definition
    return {
        "id": d.rule_id, "name": d.name, "rule_type": d.rule_type.value,
        "condition": encode(d.condition), "action": encode(d.action), "priority": d.priority,
        "starts_at": d.starts_at, "ends_at": d.ends_at,
        "stop_further_rules": d.stop_further_rules, "is_active": d.is_active,
        "created_at": d.created_at, "updated_at": rule.updated_at,
    }


def _rule_from(row: Row, children: LoadedChildren) -> PriceRule:
    definition = PriceRuleDefinition(
        rule_id=row.id, name=row.name, rule_type=RuleType(row.rule_type),
        condition=decode(row.condition), action=decode(row.action), created_at=row.created_at,
        priority=row.priority, starts_at=row.starts_at, ends_at=row.ends_at,
        stop_further_rules=row.stop_further_rules, is_active=row.is_active,
    )
    return PriceRule(definition, row.updated_at, row.version)


PRICE_RULES = AggregateMap[PriceRule](
    kind="price_rule", table=price_rules, not_found=PriceRuleNotFound, to_row=_rule_row,
    from_rows=_rule_from,
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
    def live(self, at: datetime) -> list[PriceRule]:
        rules = [r for r in self._store.all(_LIVE_RULES) if r.definition.live_at(at)]
        return sorted(rules, key=lambda r: r.definition.order_key)

    def list(self) -> list[PriceRule]:
        return sorted(self._store.all(_ALL_RULES), key=lambda r: r.definition.order_key)
