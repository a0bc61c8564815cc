"""Ordering commands."""

from __future__ import annotations

from attrs import frozen


@frozen
class CancelOrder:
    order_id: str
    reason: str = "customer_request"
    changed_by: str = "customer"
