"""Returns errors: refusals of a request (409 when the shop's state decides, 422 when the input
alone does), and the return that is not there."""

from commerce_core.shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class ReturnNotFound(NotFound):
    code = "returns.return_not_found"


class InvalidReturn(InvalidInput):
    """The request itself is wrong: no items, a quantity below 1, an unknown line or reason."""

    code = "returns.invalid_return"


class NotOrderOwner(Forbidden):
    code = "returns.not_order_owner"


class OrderNotReturnable(Conflict):
    """The order is not delivered (or completed), or was refunded in full already."""

    code = "returns.order_not_returnable"


class ReturnWindowExpired(Conflict):
    code = "returns.return_window_expired"


class ReturnAlreadyOpen(Conflict):
    code = "returns.return_already_open"


class TooManyReturns(Conflict):
    code = "returns.too_many_returns"


class QuantityExceeded(Conflict):
    """More units than were delivered and not yet returned (or in an open return)."""

    code = "returns.quantity_exceeded"


class ItemsNotReturnable(Conflict):
    """Lines whose products the policy does not take back (perishable, personalised...)."""

    code = "returns.items_not_returnable"


class InvalidReturnTransition(Conflict):
    code = "returns.invalid_transition"


class ReplacementOutOfStock(Conflict):
    """The exchange's replacement cannot be reserved: a refund is offered instead."""

    code = "returns.replacement_out_of_stock"
