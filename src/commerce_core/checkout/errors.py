"""Checkout errors."""

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class CheckoutNotFound(NotFound):
    code = "checkout.not_found"


class IdempotencyKeyReused(InvalidInput):
    """The key was first used with a different request; a key names exactly one request."""

    code = "checkout.idempotency_key_reused"


class InvalidIdempotencyKey(InvalidInput):
    """Keys beginning with `cart:` or `released:` are the shop's own (keyless checkouts and
    released keys); a client's key may not look like them."""

    code = "checkout.invalid_idempotency_key"


class CheckoutInProgress(Conflict):
    """The same request is being processed right now; retry shortly for its outcome."""

    code = "checkout.in_progress"


class CheckoutNotPossible(BusinessRuleViolation):
    """The cart cannot be checked out as it is (empty, not active, an item no longer sold)."""

    code = "checkout.not_possible"


class CheckoutFailed(BusinessRuleViolation):
    """A replay of a request whose checkout failed: the original failure's code is in details."""

    code = "checkout.failed"


class TransferAmountMismatch(BusinessRuleViolation):
    """The transfer that arrived is not the amount owed: nothing is confirmed; staff settle the
    difference with the shopper (ask for the rest, or send back the excess) and confirm then."""

    code = "checkout.transfer_amount_mismatch"


class TransferTooLate(Conflict):
    """The transfer arrived after its checkout ended (the window passed, the order was
    cancelled): the money is the shopper's to get back by bank; the order stays cancelled."""

    code = "checkout.transfer_too_late"


class ShippingAddressRequired(InvalidInput):
    """An order charged a shipping quote must say where it ships (the quote's address)."""

    code = "checkout.ship_to_required"


class InvalidTenders(InvalidInput):
    """Stored-value fields that say nothing coherent: a gift card amount without the card's
    code, or an amount that is not positive."""

    code = "checkout.invalid_tenders"
