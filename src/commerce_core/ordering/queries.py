"""Ordering's published read language."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class OrderSummary:
    """An order as its buyer is told about it once placed."""

    order_id: str
    number: str
    status: str
    checkout_id: str
    total: Money
