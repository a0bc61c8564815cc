"""Returns commands (spec returns §5)."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen


@frozen
class ReturnLine:
    """Units of one order line to send back."""

    order_item_id: str
    quantity: int
    condition: str | None = None  # as the customer describes it


@frozen
class RequestReturn:
    """A customer asks to return units of a delivered order. `customer_id` is the caller (None
    for a guest, who proved the order by its token); an order of another customer is refused.
    `exchange_sku`: another variant of the same product instead of a refund."""

    order_id: str
    lines: tuple[ReturnLine, ...]
    reason: str
    description: str = ""
    customer_id: str | None = None
    guest: bool = False
    exchange_sku: str | None = None
    # `original_payment`: back to what paid, in the refund order (ADR 0028); `store_credit`:
    # the whole refund as the customer's store credit, at once on completion.
    refund_method: str = "original_payment"


@frozen
class ApproveReturn:
    """Approve a pending return: its label is booked once (key `{return_id}:label`) and an
    exchange's replacement is reserved. `refund_instead`: the replacement is out of stock and
    the customer takes a refund."""

    return_id: str
    approved_by: str = "staff"
    refund_instead: bool = False


@frozen
class RejectReturn:
    return_id: str
    reason: str
    rejected_by: str = "staff"


@frozen
class CancelReturn:
    return_id: str
    reason: str = "customer_cancelled"
    cancelled_by: str = "customer"


@frozen
class MarkReturnInTransit:
    """The carrier picked the parcel up."""

    return_id: str


@frozen
class ReceiveReturn:
    """Units arrived at the warehouse, per return item id."""

    return_id: str
    quantities: Mapping[str, int] = field(factory=dict)
    received_by: str = "warehouse"


@frozen
class ItemInspection:
    item_id: str
    accepted: int
    condition: str
    disposition: str
    notes: str = ""


@frozen
class InspectReturn:
    """The warehouse's verdict per item; items not named are quarantined."""

    return_id: str
    results: tuple[ItemInspection, ...] = ()
    inspected_by: str = "warehouse"


@frozen
class CompleteReturn:
    """Restock what may be sold again and announce `returns.return_completed` (the refund
    follows from it)."""

    return_id: str
    completed_by: str = "staff"
    # The caller's refund ceiling (minor units): completing a return whose refund is above it
    # is refused before anything moves, as a staff refund is.
    limit: int | None = None


@frozen
class RetryReturnRefund:
    """Ask for a return's refund again now, under the same key (staff). `limit`: the caller's
    refund ceiling in minor units."""

    return_id: str
    limit: int | None = None


@frozen
class ExpireStaleReturns:
    """The job: pending for 7 days or approved and not shipped for 14 → cancelled."""

    limit: int = 100


@frozen
class RetryReturnCompensations:
    """The job: failed refunds and restocks, and labels not booked yet, tried again."""

    limit: int = 100
