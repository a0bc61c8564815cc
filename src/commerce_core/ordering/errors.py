"""Ordering errors."""

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound


class OrderNotFound(NotFound):
    code = "ordering.order_not_found"


class InvalidOrder(InvalidInput):
    """The order's lines or totals do not add up, or a line lacks what fulfilment needs."""

    code = "ordering.invalid_order"


class InvalidTransition(Conflict):
    code = "ordering.invalid_transition"


class OrderNotCancellable(InvalidTransition):
    code = "ordering.not_cancellable"
