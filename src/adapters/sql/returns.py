"""Return storage: one row per return; items, history, refund and exchange as JSON."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, column, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.returns import returns as t
from commerce_core.returns.errors import ReturnNotFound
from commerce_core.returns.model import (
    Exchange,
    Reason,
    RefundBreakdown,
    RefundState,
    Return,
    ReturnItem,
    ReturnStatus,
    ReturnType,
    StatusEntry,
)
from commerce_core.shared.money import Money

_REFUND_PARTS = ("items", "tax", "shipping", "promotion", "restocking_fee",
                 "return_shipping_fee", "exchange_credit", "total")
_ITEM_MONEY = "unit_price"


def _money(value: Money) -> dict[str, Any]:
    return {"amount": value.amount, "currency": value.currency}


def _from_money(data: dict[str, Any]) -> Money:
    return Money(int(data["amount"]), str(data["currency"]))


def _items_out(items: list[ReturnItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        row: dict[str, Any] = {name: getattr(item, name) for name in _ITEM_FIELDS}
        row[_ITEM_MONEY] = _money(item.unit_price)
        rows.append(row)
    return rows


def _items_in(rows: list[dict[str, Any]]) -> list[ReturnItem]:
    return [ReturnItem(**{**{k: v for k, v in row.items() if k != _ITEM_MONEY},
                          _ITEM_MONEY: _from_money(row[_ITEM_MONEY])}) for row in rows]


_ITEM_FIELDS = tuple(a.name for a in attrs.fields(ReturnItem) if a.name != _ITEM_MONEY)


def _history_out(history: list[StatusEntry]) -> list[dict[str, Any]]:
    return [{"from_status": h.from_status, "to_status": h.to_status,
             "changed_by": h.changed_by, "reason": h.reason,
             "changed_at": h.changed_at.isoformat()} for h in history]


def _history_in(rows: list[dict[str, Any]]) -> list[StatusEntry]:
    return [StatusEntry(r["from_status"], r["to_status"], r["changed_by"], r["reason"],
                        datetime.fromisoformat(r["changed_at"])) for r in rows]


def _refund_out(refund: RefundBreakdown) -> dict[str, Any]:
    return {part: _money(getattr(refund, part)) for part in _REFUND_PARTS}


def _refund_in(data: dict[str, Any]) -> RefundBreakdown:
    return RefundBreakdown(**{part: _from_money(data[part]) for part in _REFUND_PARTS})


def _exchange_out(exchange: Exchange) -> dict[str, Any]:
    return {"sku": exchange.sku, "product_id": exchange.product_id, "name": exchange.name,
            "quantity": exchange.quantity, "unit_price": _money(exchange.unit_price),
            "price_difference": _money(exchange.price_difference),
            "order_id": exchange.order_id}


def _exchange_in(data: dict[str, Any]) -> Exchange:
    return Exchange(data["sku"], data["product_id"], data["name"], int(data["quantity"]),
                    _from_money(data["unit_price"]), _from_money(data["price_difference"]),
                    data["order_id"])


RETURNS = AggregateMap[Return](
    kind="return",
    not_found=ReturnNotFound,
    codec=RowCodec(
        Return, t, return_type=by_value(ReturnType), reason=by_value(Reason),
        status=by_value(ReturnStatus), refund_state=by_value(RefundState),
        items=column(store=_items_out, load=_items_in),
        history=column(store=_history_out, load=_history_in),
        refund=column(store=_refund_out, load=_refund_in),
        exchange=column(store=_exchange_out, load=_exchange_in),
        label_fee=money("label_fee_amount"), events=IGNORED),
)

_NEWEST = (sa.desc(t.c.created_at), sa.desc(CodePointOrder(t.c.id)))
_FOR_ORDER = (sa.select(t).where(t.c.order_id == sa.bindparam("order_id"))
              .order_by(t.c.created_at, CodePointOrder(t.c.id)))
_IN_STATUS_SINCE = (
    sa.select(t.c.id)
    .where(t.c.status == sa.bindparam("status"),
           t.c.status_changed_at <= sa.bindparam("before"))
    .order_by(t.c.status_changed_at, CodePointOrder(t.c.id)).limit(sa.bindparam("limit"))
)
_COMPENSATIONS = (
    sa.select(t.c.id)
    .where(sa.or_(
        sa.and_(t.c.status == ReturnStatus.REFUND_FAILED.value,
                t.c.refund_state == RefundState.FAILED.value,
                t.c.retry_at <= sa.bindparam("now")),
        sa.and_(t.c.status == ReturnStatus.RESTOCK_FAILED.value,
                t.c.retry_at <= sa.bindparam("now")),
        sa.and_(t.c.status == ReturnStatus.APPROVED.value, t.c.label_error.is_not(None))))
    .order_by(t.c.updated_at, CodePointOrder(t.c.id)).limit(sa.bindparam("limit"))
)
_FOR_CUSTOMER = (sa.select(sa.func.count()).select_from(t)
                 .where(t.c.customer_id == sa.bindparam("customer_id"),
                        t.c.created_at >= sa.bindparam("since")))


class SqlReturnRepository(AggregateRepository[Return]):
    def for_order(self, order_id: str) -> builtins.list[Return]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             order_id: str | None = None, limit: int = 50,
             offset: int = 0) -> builtins.list[Return]:
        query = sa.select(t)
        if status is not None:
            query = query.where(t.c.status == status)
        if customer_id is not None:
            query = query.where(t.c.customer_id == customer_id)
        if order_id is not None:
            query = query.where(t.c.order_id == order_id)
        return self._store.all(query.order_by(*_NEWEST).limit(limit).offset(offset))

    def in_status_since(self, status: str, before: datetime,
                        limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(_IN_STATUS_SINCE, {"status": status, "before": before,
                                                         "limit": limit})
        return [str(r.id) for r in rows]

    def compensations_due(self, now: datetime, limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(_COMPENSATIONS, {"now": now, "limit": limit})
        return [str(r.id) for r in rows]

    def count_for_customer(self, customer_id: str, since: datetime) -> int:
        return int(self._store.db.execute(
            _FOR_CUSTOMER, {"customer_id": customer_id, "since": since}).scalar_one())
