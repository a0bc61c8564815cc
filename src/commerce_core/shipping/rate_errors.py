"""Refusals of shipping methods and rate quotes."""

from __future__ import annotations

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound


class InvalidShippingMethod(InvalidInput):
    code = "shipping.invalid_method"


class ShippingMethodNotFound(NotFound):
    code = "shipping.method_not_found"


class DuplicateShippingMethod(Conflict):
    code = "shipping.duplicate_method"


class ShippingQuoteNotFound(NotFound):
    code = "shipping.quote_not_found"


class ShippingQuoteExpired(Conflict):
    """The quote's 15 minutes are over: quote again (the price may have changed)."""

    code = "shipping.quote_expired"


class ShippingQuoteMismatch(Conflict):
    """The quote was issued for another cart, other cart contents or another address."""

    code = "shipping.quote_mismatch"
