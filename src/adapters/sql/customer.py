"""Customer and segment storage."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import (
    IGNORED,
    RowCodec,
    by_value,
    child_values,
    children,
    column,
    flat,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.customer import (
    customer_addresses,
    customer_segment_members,
    customer_segments,
    customers,
)
from commerce_core.customer.commands import SegmentRule
from commerce_core.customer.errors import CustomerNotFound, SegmentNotFound
from commerce_core.customer.model import (
    Address,
    Customer,
    CustomerStatus,
    Preferences,
    Segment,
)


def _rules_out(rules: Sequence[SegmentRule]) -> list[dict[str, Any]]:
    return [{"field": r.field, "operator": r.operator, "value": r.value, "weight": r.weight}
            for r in rules]


def _rules_in(rows: list[dict[str, Any]]) -> tuple[SegmentRule, ...]:
    return tuple(SegmentRule(r["field"], r["operator"], r["value"], r["weight"]) for r in rows)


CUSTOMERS = AggregateMap[Customer](
    kind="customer",
    not_found=CustomerNotFound,
    codec=RowCodec(
        Customer, customers,
        status=by_value(CustomerStatus),
        group=column("customer_group"),
        preferences=flat(Preferences, prefix="pref_", custom=column("pref_custom", store=dict)),
        addresses=children(customer_addresses, Address, id=column("address_id")),
        segments=child_values(customer_segment_members, "segment_id"),
        events=IGNORED,
    ),
)

SEGMENTS = AggregateMap[Segment](
    kind="customer_segment",
    not_found=SegmentNotFound,
    codec=RowCodec(Segment, customer_segments,
                   rules=column(store=_rules_out, load=_rules_in), events=IGNORED),
)

t = customers
_BY_EMAIL = sa.select(t).where(t.c.email == sa.bindparam("email"))
_AFTER = (sa.select(t).where(CodePointOrder(t.c.id) > CodePointOrder(sa.bindparam("after")))
          .order_by(CodePointOrder(t.c.id)).limit(sa.bindparam("limit")))
_FIRST = sa.select(t).order_by(CodePointOrder(t.c.id)).limit(sa.bindparam("limit"))
_COUNT = sa.select(sa.func.count()).select_from(t)
_DUE = (sa.select(t)
        .where(t.c.deletion_scheduled_at <= sa.bindparam("now"),
               t.c.status != CustomerStatus.DELETED.value)
        .order_by(t.c.deletion_scheduled_at, CodePointOrder(t.c.id))
        .limit(sa.bindparam("limit")))
_SEGMENTS = sa.select(customer_segments).order_by(CodePointOrder(customer_segments.c.id))


class SqlCustomerRepository(AggregateRepository[Customer]):
    def by_email(self, email: str) -> Customer | None:
        return self._store.first(_BY_EMAIL, {"email": email})

    def list(self, *, status: CustomerStatus | None = None, group: str | None = None,
             segment: str | None = None, email_contains: str | None = None,
             limit: int = 50, offset: int = 0) -> builtins.list[Customer]:
        query = sa.select(t)
        if status is not None:
            query = query.where(t.c.status == status.value)
        if group is not None:
            query = query.where(t.c.customer_group == group)
        if segment is not None:
            m = customer_segment_members
            query = query.where(t.c.id.in_(
                sa.select(m.c.customer_id).where(m.c.segment_id == segment)))
        if email_contains:
            query = query.where(t.c.email.contains(email_contains.lower(), autoescape=True))
        query = (query.order_by(t.c.created_at.desc(), CodePointOrder(t.c.id).desc())
                 .limit(limit).offset(offset))
        return self._store.all(query)

    def after(self, customer_id: str | None, limit: int) -> builtins.list[Customer]:
        if customer_id is None:
            return self._store.all(_FIRST, {"limit": limit})
        return self._store.all(_AFTER, {"after": customer_id, "limit": limit})

    def count(self) -> int:
        return int(self._store.db.execute(_COUNT).scalar_one())

    def due_for_deletion(self, now: datetime, limit: int) -> builtins.list[Customer]:
        return self._store.all(_DUE, {"now": now, "limit": limit})


class SqlSegmentRepository(AggregateRepository[Segment]):
    def find(self, segment_id: str) -> Segment | None:
        return self._store.first(SEGMENTS.by_id, {"id": segment_id})

    def list(self) -> builtins.list[Segment]:
        return self._store.all(_SEGMENTS)
