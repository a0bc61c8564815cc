"""Checkout's published read language."""

from __future__ import annotations

from enum import StrEnum

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class PlacedOrder:
    """The outcome of placing an order. With a redirect gateway the order stays `pending` and
    `payment_url` is where the shopper pays."""

    order_id: str
    order_number: str
    status: str
    checkout_id: str
    total: Money
    payment_url: str | None = None


class SettleOutcome(StrEnum):
    """What a payment signal did."""

    CONFIRMED = "confirmed"  # the order is confirmed now
    FAILED = "failed"  # the checkout failed now: stock released, order cancelled
    PENDING = "pending"  # still waiting for the shopper
    ALREADY_SETTLED = "already_settled"  # a duplicate or late signal: nothing changed
    LATE_PAYMENT = "late_payment"  # paid after the checkout expired: the hold was voided
    UNKNOWN = "unknown"  # no payment has this reference
