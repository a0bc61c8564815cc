"""`commerce.returns`: the return use cases as plain methods, plus queries."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from commerce_core.returns.commands import (
    ApproveReturn,
    CancelReturn,
    CompleteReturn,
    ExpireStaleReturns,
    InspectReturn,
    ItemInspection,
    MarkReturnInTransit,
    ReceiveReturn,
    RejectReturn,
    RequestReturn,
    RetryReturnCompensations,
    RetryReturnRefund,
    ReturnLine,
)
from commerce_core.returns.model import Return, ReturnPolicy
from commerce_core.returns.ports import ReturnsUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class ReturnsApi:
    """Returns, refunds and exchanges of delivered orders (spec returns)."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[ReturnsUnitOfWork],
                 policy: ReturnPolicy) -> None:
        self._handle, self._read, self.policy = handle, read, policy

    # -- queries --------------------------------------------------------------------------------
    def get(self, return_id: str) -> Return:
        with self._read() as uow:
            return uow.returns.get(return_id)

    def for_order(self, order_id: str) -> builtins.list[Return]:
        with self._read() as uow:
            return uow.returns.for_order(order_id)

    def list(self, *, status: str | None = None, customer_id: str | None = None,
             order_id: str | None = None, limit: int = 50,
             offset: int = 0) -> builtins.list[Return]:
        with self._read() as uow:
            return uow.returns.list(status=status, customer_id=customer_id, order_id=order_id,
                                    limit=limit, offset=offset)

    # -- commands -------------------------------------------------------------------------------
    def request(self, order_id: str, lines: Sequence[tuple[str, int]] | Sequence[ReturnLine],
                reason: str, *, description: str = "", customer_id: str | None = None,
                guest: bool = False, exchange_sku: str | None = None,
                refund_method: str = "original_payment") -> str:
        """Ask to return units of order lines (`(order_item_id, quantity)` pairs); the new
        return's id. `refund_method="store_credit"`: the refund becomes store credit."""
        asked = tuple(line if isinstance(line, ReturnLine) else ReturnLine(line[0], line[1])
                      for line in lines)
        return str(self._handle(RequestReturn(order_id, asked, reason, description,
                                              customer_id, guest, exchange_sku,
                                              refund_method)))

    def approve(self, return_id: str, *, by: str = "staff",
                refund_instead: bool = False) -> str:
        return str(self._handle(ApproveReturn(return_id, by, refund_instead)))

    def reject(self, return_id: str, reason: str, *, by: str = "staff") -> str:
        return str(self._handle(RejectReturn(return_id, reason, by)))

    def cancel(self, return_id: str, *, reason: str = "customer_cancelled",
               by: str = "customer") -> str:
        return str(self._handle(CancelReturn(return_id, reason, by)))

    def mark_in_transit(self, return_id: str) -> str:
        return str(self._handle(MarkReturnInTransit(return_id)))

    def receive(self, return_id: str, quantities: Mapping[str, int] | None = None, *,
                by: str = "warehouse") -> str:
        """Units received per return item id (every unit asked for when None)."""
        return str(self._handle(ReceiveReturn(return_id, dict(quantities or {}), by)))

    def inspect(self, return_id: str, results: Sequence[ItemInspection] = (), *,
                by: str = "warehouse") -> str:
        return str(self._handle(InspectReturn(return_id, tuple(results), by)))

    def complete(self, return_id: str, *, by: str = "staff", limit: int | None = None) -> str:
        return str(self._handle(CompleteReturn(return_id, by, limit)))

    def retry_refund(self, return_id: str, *, limit: int | None = None) -> str:
        return str(self._handle(RetryReturnRefund(return_id, limit)))

    def expire_stale(self, limit: int = 100) -> int:
        return int(self._handle(ExpireStaleReturns(limit)))

    def retry_compensations(self, limit: int = 100) -> int:
        return int(self._handle(RetryReturnCompensations(limit)))
