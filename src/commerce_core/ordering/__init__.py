"""Ordering: the order aggregate, its state machine and history."""

from commerce_core.ordering.commands import CancelOrder
from commerce_core.ordering.errors import InvalidTransition, OrderNotCancellable, OrderNotFound
from commerce_core.ordering.model import Order, OrderLine, OrderStatus, StatusChange, Totals

__all__ = [
    "CancelOrder",
    "InvalidTransition",
    "Order",
    "OrderLine",
    "OrderNotCancellable",
    "OrderNotFound",
    "OrderStatus",
    "StatusChange",
    "Totals",
]
