"""Errors the provider adapters add to the payment context's own."""

from __future__ import annotations

from commerce_core.shared.errors import InvalidInput


class UnsupportedCurrency(InvalidInput):
    """The provider does not take this currency; raised before any request is sent."""

    code = "payment.unsupported_currency"


class MissingPaymentDetail(InvalidInput):
    """The request lacks something this provider needs (a payment token, a return URL)."""

    code = "payment.missing_detail"
