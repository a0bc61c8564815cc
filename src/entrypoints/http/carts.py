"""Cart routes: a shopper's cart and its lines. Every answer is the cart as it stands after."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from commerce_core.cart.commands import RemoveCartItem
from entrypoints.http.dependencies import CommerceDep, RequestIdDep, SettingsDep
from entrypoints.http.schemas import CartItemChange, CartOut, NewCart, NewCartItem

router = APIRouter(prefix="/carts", tags=["cart"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a cart")
def create_cart(
    commerce: CommerceDep, settings: SettingsDep, request_id: RequestIdDep, response: Response,
    body: NewCart | None = None,
) -> CartOut:
    command = (body or NewCart()).to_command(default_currency=settings.currency)
    cart_id = str(commerce.handle(command, correlation_id=request_id))
    response.headers["Location"] = f"/carts/{cart_id}"
    return CartOut.of(commerce.cart.get(cart_id))


@router.get("/{cart_id}")
def get_cart(cart_id: str, commerce: CommerceDep) -> CartOut:
    return CartOut.of(commerce.cart.get(cart_id))


@router.post("/{cart_id}/items", status_code=status.HTTP_201_CREATED,
             summary="Add units of a SKU at its current list price")
def add_item(
    cart_id: str, body: NewCartItem, commerce: CommerceDep, request_id: RequestIdDep
) -> CartOut:
    commerce.handle(body.to_command(cart_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.patch("/{cart_id}/items/{line_id}", summary="Change a line's quantity (0 removes it)")
def change_item(
    cart_id: str, line_id: str, body: CartItemChange, commerce: CommerceDep,
    request_id: RequestIdDep,
) -> CartOut:
    commerce.handle(body.to_command(cart_id, line_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))


@router.delete("/{cart_id}/items/{line_id}")
def remove_item(
    cart_id: str, line_id: str, commerce: CommerceDep, request_id: RequestIdDep
) -> CartOut:
    commerce.handle(RemoveCartItem(cart_id, line_id), correlation_id=request_id)
    return CartOut.of(commerce.cart.get(cart_id))
