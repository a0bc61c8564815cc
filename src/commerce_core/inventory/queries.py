"""Read-only views of inventory for operators: current alerts and the ledger audit."""

from __future__ import annotations

from datetime import datetime

from commerce_core.inventory.alerts import (
    AlertPriority,
    AlertType,
    StockAlert,
    expiry_priority,
    leak_cutoff,
    low_stock_priority,
)
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.inventory.stock import LedgerBalance

_RANK = {AlertPriority.CRITICAL: 0, AlertPriority.HIGH: 1, AlertPriority.MEDIUM: 2,
         AlertPriority.LOW: 3}


def stock_alerts(uow: InventoryUnitOfWork, now: datetime, *,
                 warehouse_id: str | None = None) -> list[StockAlert]:
    """What needs attention now, most urgent first: low or no stock (against the reorder
    point), stock above its max level, batches expiring within 30 days, leaked reservations."""
    alerts: list[StockAlert] = []
    for item in uow.stock.items(warehouse_id=warehouse_id):
        point = item.settings.reorder_point
        priority = low_stock_priority(item.available, point)
        if priority is not None:
            kind = AlertType.OUT_OF_STOCK if item.available <= 0 else AlertType.LOW_STOCK
            alerts.append(StockAlert(
                kind, priority, item.sku, item.warehouse_id, item.available, point,
                f"{item.available} available, reorder point {point}"))
        top = item.settings.max_level
        if top and item.on_hand > top:
            alerts.append(StockAlert(
                AlertType.OVERSTOCK, AlertPriority.LOW, item.sku, item.warehouse_id,
                item.on_hand, top, f"{item.on_hand} on hand, max level {top}"))
    today = now.date()
    for batch in uow.stock.batches(warehouse_id=warehouse_id):
        if batch.expiry_date is None:
            continue
        priority = expiry_priority(batch.expiry_date, today)
        if priority is not None:
            state = "expired" if batch.expired(today) else "expires"
            alerts.append(StockAlert(
                AlertType.EXPIRING, priority, batch.sku, batch.warehouse_id, batch.on_hand, 0,
                f"batch {batch.batch_number} ({batch.on_hand} units) {state} "
                f"{batch.expiry_date.isoformat()}", batch.batch_number))
    cutoff = leak_cutoff(now)
    for reservation in uow.reservations.list(statuses=["active"], limit=10_000):
        if reservation.created_at < cutoff and (
            warehouse_id is None or reservation.warehouse_id == warehouse_id
        ):
            alerts.append(StockAlert(
                AlertType.RESERVATION_LEAK, AlertPriority.HIGH, reservation.sku,
                reservation.warehouse_id, reservation.quantity, 0,
                f"reservation active since {reservation.created_at.isoformat()}",
                reservation.id))
    return sorted(alerts, key=lambda a: (_RANK[a.priority], a.type.value, a.sku,
                                         a.warehouse_id, a.reference))


def ledger_audit(uow: InventoryUnitOfWork) -> list[LedgerBalance]:
    """Every row with what its ledger sums to; `drift` marks the rows that disagree."""
    return uow.ledger.balances()
