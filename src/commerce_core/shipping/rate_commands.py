"""Commands of shipping methods and rate quotes."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.methods import MethodSpec


@frozen
class CreateShippingMethod:
    """A new method under a unique `code`; answers its id."""

    code: str
    spec: MethodSpec
    enabled: bool = True


@frozen
class ChangeShippingMethod:
    """Replace a method's configuration (its code stays)."""

    code: str
    spec: MethodSpec


@frozen
class EnableShippingMethod:
    code: str


@frozen
class DisableShippingMethod:
    code: str


@frozen
class QuoteShipping:
    """Price every enabled method for the cart shipped to `destination` and issue the quotes
    (answers `RateQuotes`)."""

    cart_id: str
    destination: PostalAddress


@frozen
class SelectShippingQuote:
    """The shopper's choice among the cart's quotes (answers its `RateOption`)."""

    cart_id: str
    quote_id: str
