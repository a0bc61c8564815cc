"""Ordering commands."""

from __future__ import annotations

from attrs import frozen


@frozen
class CancelOrder:
    order_id: str
    reason: str = "customer_request"
    changed_by: str = "customer"


@frozen
class LinkGuestOrders:
    """Orders placed as a guest with `email` become the customer's. Ordering runs it itself
    when a customer's email is verified (`customer.verified`, or `customer.created` of an
    account active at once): an unverified email proves nothing, so linking then would hand
    a stranger's orders to whoever typed the address."""

    customer_id: str
    email: str
