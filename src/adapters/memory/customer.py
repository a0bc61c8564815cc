"""Customers and segments in memory."""

from __future__ import annotations

import builtins
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.customer.errors import CustomerNotFound, EmailTaken, SegmentNotFound
from commerce_core.customer.model import Customer, CustomerStatus, Segment


class InMemoryCustomerRepository(_Repository):
    kind = "customer"
    not_found = CustomerNotFound
    # The SQL unique key on the email, enforced on commit as the database would.
    unique = (("email", lambda c: [c.email], EmailTaken),)

    def by_email(self, email: str) -> Customer | None:
        rows = self._by("email", email)
        return self._load(rows[0]) if rows else None

    def list(self, *, status: CustomerStatus | None = None, group: str | None = None,
             segment: str | None = None, email_contains: str | None = None,
             limit: int = 50, offset: int = 0) -> builtins.list[Customer]:
        rows = [c for c in self._all()
                if (status is None or c.status is status)
                and (group is None or c.group == group)
                and (segment is None or segment in c.segments)
                and (email_contains is None or email_contains.lower() in c.email)]
        rows.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return [self._load(c) for c in rows[offset:offset + limit]]

    def after(self, customer_id: str | None, limit: int) -> builtins.list[Customer]:
        rows = sorted((c for c in self._all() if customer_id is None or c.id > customer_id),
                      key=lambda c: c.id)
        return [self._load(c) for c in rows[:limit]]

    def count(self) -> int:
        return len(self._rows)

    def due_for_deletion(self, now: datetime, limit: int) -> builtins.list[Customer]:
        rows = sorted((c for c in self._all()
                       if c.deletion_scheduled_at is not None and c.deletion_scheduled_at <= now
                       and c.status is not CustomerStatus.DELETED),
                      key=lambda c: (c.deletion_scheduled_at, c.id))
        return [self._load(c) for c in rows[:limit]]


class InMemorySegmentRepository(_Repository):
    kind = "customer_segment"
    not_found = SegmentNotFound

    def find(self, segment_id: str) -> Segment | None:
        row = self._rows.get(segment_id)
        return None if row is None else self._load(row)

    def list(self) -> builtins.list[Segment]:
        return [self._load(s) for s in sorted(self._all(), key=lambda s: s.id)]
