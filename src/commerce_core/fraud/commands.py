"""Fraud commands: the staff decision on an order the risk check sent to review."""

from __future__ import annotations

from attrs import frozen


@frozen
class ApproveReview:
    """The order is fine: its capture may proceed."""

    order_id: str
    reviewed_by: str = "operator"
    note: str = ""


@frozen
class RejectReview:
    """The order is fraud: cancel it (the authorization is voided, the stock released)."""

    order_id: str
    reviewed_by: str = "operator"
    note: str = ""
