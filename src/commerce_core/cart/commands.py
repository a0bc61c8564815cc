"""Cart commands."""

from __future__ import annotations

from attrs import frozen


@frozen
class CreateCart:
    currency: str
    customer_id: str | None = None
    # The SHA-256 of the guest's access token: the token itself never enters the core.
    access_token_hash: str | None = None


@frozen
class AddCartItem:
    cart_id: str
    sku: str
    quantity: int
    warehouse_id: str | None = None


@frozen
class UpdateCartItem:
    cart_id: str
    line_id: str
    quantity: int


@frozen
class RemoveCartItem:
    cart_id: str
    line_id: str


@frozen
class ApplyCoupon:
    cart_id: str
    code: str


@frozen
class RemoveCoupon:
    cart_id: str
    code: str


@frozen
class MergeGuestCart:
    """On sign-in: the guest cart's lines go into the customer's active cart (or the guest cart
    becomes theirs when they have none). The caller has proven both: the cart's guest token
    and the customer's session."""

    cart_id: str
    customer_id: str
