"""Checkout routes: place an order from a cart (idempotently), and follow a checkout's progress.

`POST /orders` accepts an `Idempotency-Key` header (spec events-reliability §4.4). Replaying a key
answers what the first request answered, with the same status (201 and the same order; or the
same problem if it failed); the same key with another body is refused with 422
`checkout.idempotency_key_reused`; a duplicate arriving while the first is still running gets
409 `checkout.in_progress` with the `checkout_id` to poll at `GET /checkouts/{id}`. Without a
key, the cart's version keys the attempt, so a cart becomes at most one order.

Placing an order takes the cart's guest token (`X-Cart-Token`) or its customer's bearer, like
every call on the cart; the same token then reaches the checkout and the order.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, status

from commerce_core.checkout.queries import PlacedOrder
from commerce_core.shared.errors import CommerceError
from entrypoints.http.access import ShopperDep
from entrypoints.http.dependencies import CommerceDep, RequestIdDep, SettingsDep
from entrypoints.http.metrics import MetricsDep
from entrypoints.http.ratelimit import body_field, client_ip, rate_limited
from entrypoints.http.schemas import CheckoutOut, NewOrder, PlacedOrderOut

router = APIRouter(tags=["checkout"])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255,
           description="Names this request: a retry with the same key cannot place a second order"),
]


@router.post("/orders", status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(rate_limited("checkout")),
                           Depends(rate_limited("checkout_cart", key=body_field("cart_id")))],
             summary="Place an order from a cart: risk check, reserve stock, authorize "
                     "payment, confirm")
def place_order(
    body: NewOrder, commerce: CommerceDep, request_id: RequestIdDep, response: Response,
    metrics: MetricsDep, request: Request, settings: SettingsDep, shopper: ShopperDep,
    idempotency_key: IdempotencyKey = None,
) -> PlacedOrderOut:
    shopper.cart(commerce, body.cart_id)
    # A chosen shipping quote names where the order ships (checked again by the checkout).
    ship_to = (commerce.shipping_rates.destination_of(body.shipping_quote_id)
               if body.shipping_quote_id else None)
    try:
        placed: PlacedOrder = commerce.handle(
            body.to_command(idempotency_key, client_ip(request, settings.client_ip_header),
                            ship_to),
            correlation_id=request_id,
        )
    except CommerceError as error:  # refused: counted by its stable code
        metrics.checkout(error.code)
        raise
    metrics.checkout(placed.status)
    response.headers["Location"] = f"/orders/{placed.order_id}"
    return PlacedOrderOut.of(placed)


@router.get("/checkouts/{checkout_id}", summary="Where a checkout stands")
def get_checkout(checkout_id: str, commerce: CommerceDep, shopper: ShopperDep) -> CheckoutOut:
    return CheckoutOut.of(shopper.checkout(commerce, checkout_id))
