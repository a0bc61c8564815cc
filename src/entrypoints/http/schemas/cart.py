"""Cart bodies: opening a cart, adding and changing lines, and the cart as shown."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from commerce_core.cart.commands import AddCartItem, CreateCart, UpdateCartItem
from commerce_core.cart.model import MAX_QUANTITY_PER_LINE
from commerce_core.cart.queries import CartLineView, CartMergeResult, CartView
from entrypoints.http.schemas.common import Currency, Integral, MoneyOut, Quantity, RequestBody, Sku


class NewCart(RequestBody):
    currency: Currency | None = Field(None, description="Defaults to the shop's currency")
    customer_id: str | None = Field(
        None, description="Staff only (customers.manage): the customer the cart is for; a "
                          "signed-in customer's cart is always their own")

    def to_command(self, default_currency: str, *, customer_id: str | None,
                   access_token_hash: str) -> CreateCart:
        # The owner comes from the caller, never from the body as such (see the route).
        return CreateCart(self.currency or default_currency, customer_id, access_token_hash)


class NewCartItem(RequestBody):
    """A SKU and how many; the price always comes from the catalog, never from the client."""

    sku: Sku
    quantity: Quantity
    warehouse_id: str | None = None

    def to_command(self, cart_id: str) -> AddCartItem:
        return AddCartItem(cart_id, self.sku, self.quantity, self.warehouse_id)


class CartItemChange(RequestBody):
    quantity: Annotated[int, Integral] = Field(strict=True, ge=0, le=MAX_QUANTITY_PER_LINE,
                          description="0 removes the line")

    def to_command(self, cart_id: str, line_id: str) -> UpdateCartItem:
        return UpdateCartItem(cart_id, line_id, self.quantity)


class CartLineOut(BaseModel):
    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut
    warehouse_id: str | None
    available: bool
    price_changed: bool

    @classmethod
    def of(cls, line: CartLineView) -> CartLineOut:
        return cls(
            id=line.id, sku=line.sku, product_id=line.product_id, name=line.name,
            quantity=line.quantity, unit_price=MoneyOut.of(line.unit_price),
            line_total=MoneyOut.of(line.line_total), warehouse_id=line.warehouse_id,
            available=line.available, price_changed=line.price_changed,
        )


class CartOut(BaseModel):
    id: str
    customer_id: str | None
    status: str
    currency: str
    version: int
    order_id: str | None
    lines: list[CartLineOut]
    subtotal: MoneyOut
    discount_total: MoneyOut
    shipping_total: MoneyOut
    tax_total: MoneyOut
    total: MoneyOut
    item_count: int
    coupon_codes: list[str] = Field(default_factory=list,
                                    description="Codes on the cart; the price says which apply")
    tax_status: str = Field("pending", description="pending until the address is known")

    @classmethod
    def of(cls, view: CartView) -> CartOut:
        return cls(
            id=view.id, customer_id=view.customer_id, status=view.status,
            currency=view.currency, version=view.version, order_id=view.order_id,
            lines=[CartLineOut.of(line) for line in view.lines],
            subtotal=MoneyOut.of(view.subtotal), discount_total=MoneyOut.of(view.discount_total),
            shipping_total=MoneyOut.of(view.shipping_total), tax_total=MoneyOut.of(view.tax_total),
            total=MoneyOut.of(view.total), item_count=view.item_count,
            coupon_codes=list(view.coupon_codes), tax_status=view.tax_status,
        )


class OpenedCartOut(CartOut):
    access_token: str = Field(
        description="The cart's guest token, shown only in this answer: send it as "
                    "`X-Cart-Token` to reach the cart, its checkouts and its order")

    @classmethod
    def opened(cls, view: CartView, access_token: str) -> OpenedCartOut:
        return cls(**CartOut.of(view).model_dump(), access_token=access_token)


class MergedLineOut(BaseModel):
    sku: str
    warehouse_id: str | None
    requested: int = Field(description="Units on the guest cart's line")
    kept: int = Field(description="Units merged: fewer when the line would pass 99 units, 0 "
                                  "when the cart already held 100 lines")


class CartMergeOut(BaseModel):
    merged_from: str = Field(description="The guest cart, now closed (`merged`), or the cart "
                                         "itself when it simply became the customer's")
    cart: CartOut = Field(description="The customer's cart after the merge")
    lines: list[MergedLineOut]
    capped: list[MergedLineOut] = Field(description="The lines a limit cut")

    @classmethod
    def of(cls, result: CartMergeResult, view: CartView) -> CartMergeOut:
        lines = [MergedLineOut(sku=x.sku, warehouse_id=x.warehouse_id, requested=x.requested,
                               kept=x.kept) for x in result.lines]
        return cls(merged_from=result.merged_from, cart=CartOut.of(view), lines=lines,
                   capped=[x for x in lines if x.kept < x.requested])
