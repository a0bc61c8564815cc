"""Returns in memory."""

from __future__ import annotations

import builtins
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.returns.errors import ReturnAlreadyOpen, ReturnNotFound
from commerce_core.returns.model import RefundState, Return, ReturnStatus


class InMemoryReturnRepository(_Repository):
    kind = "return"
    not_found = ReturnNotFound
    # One open return per order, as the SQL unique key on `open_order_id` says.
    unique = (("open", lambda r: [r.open_order_id] if r.open_order_id else [],
               ReturnAlreadyOpen),)
    indexed = (("order", lambda r: [r.order_id]),)

    def for_order(self, order_id: str) -> builtins.list[Return]:
        rows = sorted(self._by("order", order_id), key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             order_id: str | None = None, limit: int = 50,
             offset: int = 0) -> builtins.list[Return]:
        rows = [r for r in self._all()
                if (status is None or r.status.value == status)
                and (customer_id is None or r.customer_id == customer_id)
                and (order_id is None or r.order_id == order_id)]
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        return [self._load(r) for r in rows[offset:offset + limit]]

    def in_status_since(self, status: str, before: datetime,
                        limit: int) -> builtins.list[str]:
        rows = sorted((r for r in self._all() if r.status.value == status
                       and r.status_changed_at is not None and r.status_changed_at <= before),
                      key=lambda r: (r.status_changed_at, r.id))
        return [r.id for r in rows[:limit]]

    def compensations_due(self, now: datetime, limit: int) -> builtins.list[str]:
        def due(r: Return) -> bool:
            if r.status is ReturnStatus.REFUND_FAILED:
                return (r.refund_state is RefundState.FAILED and r.retry_at is not None
                        and r.retry_at <= now)
            if r.status is ReturnStatus.RESTOCK_FAILED:
                return r.retry_at is not None and r.retry_at <= now
            return r.status is ReturnStatus.APPROVED and r.label_error is not None

        rows = sorted((r for r in self._all() if due(r)), key=lambda r: (r.updated_at, r.id))
        return [r.id for r in rows[:limit]]

    def count_for_customer(self, customer_id: str, since: datetime) -> int:
        return sum(1 for r in self._all()
                   if r.customer_id == customer_id and r.created_at >= since)
