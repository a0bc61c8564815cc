"""Payment commands."""

from __future__ import annotations

from attrs import frozen


@frozen
class CapturePayment:
    """Take the authorized money of a confirmed order (the amount is the order's own total)."""

    order_id: str
