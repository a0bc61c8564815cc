"""Cart routes: a shopper's cart and its lines. Every answer is the cart as it stands after.

`POST /carts` answers the cart's guest token once, in `access_token`; every later call on the
cart (and on its checkouts and order) sends it in `X-Cart-Token`, unless the caller is the
signed-in customer the cart belongs to. The shop keeps only the token's SHA-256.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Response, status

from commerce_core.cart.commands import MergeGuestCart, RemoveCartItem
from commerce_core.shared.permissions import Permission
from entrypoints.auth import Denied
from entrypoints.http.access import ShopperDep, hash_token
from entrypoints.http.dependencies import CommerceDep, RequestIdDep, SettingsDep
from entrypoints.http.problems import HttpProblem
from entrypoints.http.schemas import CartItemChange, CartOut, NewCart, NewCartItem, OpenedCartOut
from entrypoints.http.schemas.cart import CartMergeOut

router = APIRouter(prefix="/carts", tags=["cart"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a cart",
             description="Answers the cart with its guest `access_token`, shown only here: send "
                         "it as `X-Cart-Token` to reach the cart, its checkouts and its order. "
                         "A signed-in customer's cart is theirs; `customer_id` may name "
                         "another customer only for staff holding customers.manage.")
def create_cart(
    commerce: CommerceDep, settings: SettingsDep, request_id: RequestIdDep, response: Response,
    shopper: ShopperDep, body: NewCart | None = None,
) -> OpenedCartOut:
    body = body or NewCart()
    principal = shopper.principal
    customer_id = principal.customer_id
    if body.customer_id is not None and body.customer_id != customer_id:
        # Naming the owner is staff work: a shopper is only ever themself.
        if not principal.can(Permission.CUSTOMERS_MANAGE):
            raise Denied("opening a cart for a customer needs the customers.manage permission",
                         permission=Permission.CUSTOMERS_MANAGE.value)
        customer_id = body.customer_id
    token = secrets.token_urlsafe(32)
    command = body.to_command(default_currency=settings.currency, customer_id=customer_id,
                              access_token_hash=hash_token(token))
    cart_id = str(commerce.handle(command, correlation_id=request_id))
    response.headers["Location"] = f"/carts/{cart_id}"
    response.headers["Cache-Control"] = "no-store"  # the token is shown once, kept nowhere
    return OpenedCartOut.opened(commerce.cart.get(cart_id), token)


@router.get("/{cart_id}")
def get_cart(cart_id: str, commerce: CommerceDep, shopper: ShopperDep) -> CartOut:
    shopper.cart(commerce, cart_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.post("/{cart_id}/items", status_code=status.HTTP_201_CREATED,
             summary="Add units of a SKU at its current list price")
def add_item(
    cart_id: str, body: NewCartItem, commerce: CommerceDep, request_id: RequestIdDep,
    shopper: ShopperDep,
) -> CartOut:
    shopper.cart(commerce, cart_id)
    commerce.handle(body.to_command(cart_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.patch("/{cart_id}/items/{line_id}", summary="Change a line's quantity (0 removes it)")
def change_item(
    cart_id: str, line_id: str, body: CartItemChange, commerce: CommerceDep,
    request_id: RequestIdDep, shopper: ShopperDep,
) -> CartOut:
    shopper.cart(commerce, cart_id)
    commerce.handle(body.to_command(cart_id, line_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.delete("/{cart_id}/items/{line_id}")
def remove_item(
    cart_id: str, line_id: str, commerce: CommerceDep, request_id: RequestIdDep,
    shopper: ShopperDep,
) -> CartOut:
    shopper.cart(commerce, cart_id)
    commerce.handle(RemoveCartItem(cart_id, line_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.post("/{cart_id}/merge", summary="Merge a guest cart into the signed-in customer's",
             description="For a signed-in customer (bearer) holding the guest cart's "
                         "`X-Cart-Token`: its lines join the customer's active cart "
                         "(quantities added up to 99 a line, at most 100 lines; `capped` "
                         "lists what a limit cut) and the guest cart closes (`merged`). "
                         "Without an active cart the guest cart becomes the customer's. "
                         "`POST /auth/login` with `cart_id` and the token does the same.")
def merge_cart(cart_id: str, commerce: CommerceDep, request_id: RequestIdDep,
               shopper: ShopperDep) -> CartMergeOut:
    shopper.cart(commerce, cart_id)  # whoever does not reach the cart learns nothing more
    customer_id = shopper.principal.customer_id
    if not shopper.principal.is_authenticated:
        raise HttpProblem(401, "auth.unauthenticated",
                          "Merging a cart needs the customer's `Authorization: Bearer`.",
                          headers={"WWW-Authenticate": "Bearer"})
    if customer_id is None:
        raise HttpProblem(403, "auth.forbidden", "Only a signed-in customer merges a cart.")
    result = commerce.handle(MergeGuestCart(cart_id, customer_id), correlation_id=request_id)
    return CartMergeOut.of(result, commerce.cart.get(result.cart_id))
