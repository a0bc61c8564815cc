"""Loyalty's reactions to other contexts' events, each in the subscriber's transaction."""

from __future__ import annotations

from commerce_core.loyalty.commands import ReverseReturnedPoints
from commerce_core.loyalty.ports import LoyaltyUnitOfWork as Uow
from commerce_core.loyalty.steps import Loyalty
from commerce_core.shared.events import EventEnvelope

EARNING_STATUSES = frozenset({"delivered", "completed"})


class _Reaction:
    def __init__(self, loyalty: Loyalty) -> None:
        self._l = loyalty


class OpenOnCustomerCreated(_Reaction):
    """`customer.created` → the account and its welcome bonus (rule A2.5), once."""

    name = "loyalty.open_on_customer_created"
    event_type = "customer.created"

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        self._l.open(uow, str(envelope.payload["customer_id"]), True, self._l.clock.now())


class CloseOnCustomerDeleted(_Reaction):
    """`customer.deleted` (erasure) → the account is closed and its code dropped (A2.13)."""

    name = "loyalty.close_on_customer_deleted"
    event_type = "customer.deleted"

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        self._l.close_erased(uow, str(envelope.payload["customer_id"]), self._l.clock.now())


class EarnOnOrderDelivered(_Reaction):
    """`order.status_changed` to delivered or completed → the order's points (A2.7), once
    whichever comes first."""

    name = "loyalty.earn_on_order_delivered"
    event_type = "order.status_changed"

    def wants(self, envelope: EventEnvelope) -> bool:
        payload = envelope.payload
        return payload.get("new_status") in EARNING_STATUSES and bool(payload.get("customer_id"))

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        self._l.earn(uow, str(envelope.payload["order_id"]), self._l.clock.now())


class ReverseOnOrderCancelled(_Reaction):
    """`order.cancelled` → what the order earned is taken back (A2.8), once."""

    name = "loyalty.reverse_on_order_cancelled"
    event_type = "order.cancelled"

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        self._l.reverse_order(uow, str(envelope.payload["order_id"]), self._l.clock.now())


class RecordExpiredPoints(_Reaction):
    """`ledger.value_expired` of a points account → the history entry and
    `loyalty.points_expired`, once (whoever ran the ledger's expiry job)."""

    name = "loyalty.record_expired_points"
    event_type = "ledger.value_expired"

    def wants(self, envelope: EventEnvelope) -> bool:
        return envelope.payload.get("kind") == "points"

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        payload = envelope.payload
        self._l.expired(uow, str(payload["owner"]), int(payload["amount"]), envelope.id,
                        self._l.clock.now())


class ReverseOnReturnCompleted(_Reaction):
    """`returns.return_completed` → the points of the returned lines are taken back, once per
    return (A2.8, returns rule 15). Returns sits above loyalty: its event is read by name."""

    name = "loyalty.reverse_on_return_completed"
    event_type = "returns.return_completed"

    def __call__(self, envelope: EventEnvelope, uow: Uow) -> None:
        payload = envelope.payload
        quantities: dict[str, int] = {}
        for item in payload.get("items", ()):
            line = str(item["order_item_id"])
            quantities[line] = quantities.get(line, 0) + int(item["quantity_returned"])
        cmd = ReverseReturnedPoints(str(payload["return_id"]), str(payload["order_id"]),
                                    tuple(sorted(quantities.items())),
                                    bool(payload.get("is_full_return", False)))
        self._l.reverse_return(uow, cmd, self._l.clock.now())
