"""Stock alerts: low-stock priority bands (spec A2.12) and the alerts operators are shown.

A low-stock event is raised when available stock *enters* a band on the way down, judged from the
counters before and after one movement; staying in a band, or recovering, raises nothing. That
needs no stored "already alerted" flag and no extra write on the hot reservation path.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from attrs import frozen


class AlertPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class AlertType(StrEnum):
    LOW_STOCK = "low_stock"
    OUT_OF_STOCK = "out_of_stock"
    OVERSTOCK = "overstock"
    EXPIRING = "expiring"
    RESERVATION_LEAK = "reservation_leak"


_SEVERITY = {None: 0, AlertPriority.LOW: 1, AlertPriority.MEDIUM: 2, AlertPriority.HIGH: 3,
             AlertPriority.CRITICAL: 4}


def low_stock_priority(available: int, reorder_point: int) -> AlertPriority | None:
    """The band of `available / reorder_point`: <= 0 critical, <= 1/4 high, <= 1/2 medium, else
    low; None above the reorder point or when none is set (0)."""
    if reorder_point <= 0 or available > reorder_point:
        return None
    ratio = Fraction(available, reorder_point)
    if ratio <= 0:
        return AlertPriority.CRITICAL
    if ratio <= Fraction(1, 4):
        return AlertPriority.HIGH
    if ratio <= Fraction(1, 2):
        return AlertPriority.MEDIUM
    return AlertPriority.LOW


def band_entered(before: int, after: int, reorder_point: int) -> AlertPriority | None:
    """The more severe band `available` entered going from `before` to `after`, if any."""
    entered = low_stock_priority(after, reorder_point)
    if _SEVERITY[entered] > _SEVERITY[low_stock_priority(before, reorder_point)]:
        return entered
    return None


@frozen
class StockAlert:
    """Something an operator should look at now; computed from current state, not stored."""

    type: AlertType
    priority: AlertPriority
    sku: str
    warehouse_id: str
    current: int
    threshold: int
    message: str
    reference: str = ""


EXPIRY_HORIZON = timedelta(days=30)


def expiry_priority(expiry: date, today: date) -> AlertPriority | None:
    """Expired: high; within a week: medium; within 30 days: low; later: no alert."""
    if expiry < today:
        return AlertPriority.HIGH
    if expiry <= today + timedelta(days=7):
        return AlertPriority.MEDIUM
    if expiry <= today + EXPIRY_HORIZON:
        return AlertPriority.LOW
    return None


LEAK_AGE = timedelta(hours=24)


def leak_cutoff(now: datetime) -> datetime:
    """A reservation still active when created before this has leaked (spec A2.9)."""
    return now - LEAK_AGE
