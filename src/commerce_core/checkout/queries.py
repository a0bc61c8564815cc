"""Checkout's published read language."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class PlacedOrder:
    """The outcome of placing an order."""

    order_id: str
    order_number: str
    status: str
    checkout_id: str
    total: Money
