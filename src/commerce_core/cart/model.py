"""The cart: a quote of lines a shopper intends to buy (spec cart-checkout §2, §4, §5).

Line prices are snapshots for display; the price charged is always recomputed at checkout.
A line is identified by (SKU, warehouse): adding the same pair again adds up the quantities.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field

from commerce_core.cart.errors import (
    CartLimitReached,
    CartLineNotFound,
    CartNotEditable,
    CouponNotOnCart,
    InvalidCouponCode,
    InvalidQuantity,
    PricedInAnotherCurrency,
)
from commerce_core.cart.events import (
    CartCheckoutStarted,
    CartConverted,
    CartCouponApplied,
    CartCouponRemoved,
    CartCreated,
    CartItemAdded,
    CartItemRemoved,
    CartItemUpdated,
    CartReopened,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money

MAX_LINES = 100
MAX_QUANTITY_PER_LINE = 99
MAX_COUPONS = 5


class CartStatus(StrEnum):
    ACTIVE = "active"
    CHECKOUT = "checkout"
    COMPLETED = "completed"


@define(eq=False)
class CartLine:
    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    warehouse_id: str | None
    added_at: datetime

    @property
    def line_total(self) -> Money:
        return self.unit_price * self.quantity


def check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY_PER_LINE:
        raise InvalidQuantity(
            f"quantity must be between 1 and {MAX_QUANTITY_PER_LINE}, got {quantity}",
            quantity=quantity, maximum=MAX_QUANTITY_PER_LINE,
        )


@define(eq=False)
class Cart:
    id: str
    customer_id: str | None
    currency: str
    status: CartStatus
    lines: list[CartLine]
    order_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    coupon_codes: list[str] = field(factory=list)
    # What a guest presents to reach the cart, its checkouts and its order (a SHA-256 hex
    # digest; None for carts opened before guest tokens, which only their customer reaches).
    access_token_hash: str | None = None
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def open(
        cls, *, cart_id: str, currency: str, customer_id: str | None, now: datetime,
        access_token_hash: str | None = None,
    ) -> Cart:
        Money.zero(currency)  # refuses an unknown currency
        cart = cls(cart_id, customer_id, currency, CartStatus.ACTIVE, [], None, now, now,
                   access_token_hash=access_token_hash)
        cart.events.append(CartCreated(cart_id, customer_id, currency, now))
        return cart

    def _editable(self) -> None:
        if self.status is not CartStatus.ACTIVE:
            raise CartNotEditable(
                f"cart {self.id} is {self.status}; its lines cannot change",
                cart_id=self.id, status=self.status.value,
            )

    def line(self, line_id: str) -> CartLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise CartLineNotFound(f"cart {self.id} has no line {line_id}", line_id=line_id)

    def add_item(
        self,
        *,
        line_id: str,
        sku: str,
        product_id: str,
        name: str,
        unit_price: Money,
        quantity: int,
        warehouse_id: str | None,
        now: datetime,
    ) -> CartLine:
        """Add units of a SKU; the same (SKU, warehouse) adds to the existing line."""
        self._editable()
        check_quantity(quantity)
        if unit_price.currency != self.currency:
            raise PricedInAnotherCurrency(
                f"{sku} is priced in {unit_price.currency}, the cart is in {self.currency}",
                sku=sku,
            )
        existing = next(
            (ln for ln in self.lines if ln.sku == sku and ln.warehouse_id == warehouse_id), None
        )
        if existing is not None:
            if existing.quantity + quantity > MAX_QUANTITY_PER_LINE:
                # Valid on its own; too many with what the line already holds.
                raise CartLimitReached(
                    f"quantity must be between 1 and {MAX_QUANTITY_PER_LINE}, got "
                    f"{existing.quantity + quantity} on the line", maximum=MAX_QUANTITY_PER_LINE,
                    line_id=existing.id)
            existing.quantity += quantity
            existing.unit_price = unit_price
            line = existing
        else:
            if len(self.lines) >= MAX_LINES:
                raise CartLimitReached(
                    f"a cart holds at most {MAX_LINES} lines", maximum=MAX_LINES
                )
            line = CartLine(line_id, sku, product_id, name, quantity, unit_price, warehouse_id, now)
            self.lines.append(line)
        self.updated_at = now
        self.events.append(
            CartItemAdded(self.id, line.id, sku, product_id, quantity, unit_price, now)
        )
        return line

    def update_quantity(self, line_id: str, quantity: int, *, now: datetime) -> None:
        """Set a line's quantity; 0 removes the line."""
        self._editable()
        if quantity == 0:
            self.remove_item(line_id, now=now)
            return
        check_quantity(quantity)
        line = self.line(line_id)
        line.quantity = quantity
        self.updated_at = now
        self.events.append(CartItemUpdated(self.id, line.id, line.sku, quantity, now))

    def remove_item(self, line_id: str, *, now: datetime) -> None:
        self._editable()
        line = self.line(line_id)
        self.lines.remove(line)
        self.updated_at = now
        self.events.append(CartItemRemoved(self.id, line.id, line.sku, now))

    def apply_coupon(self, code: str, *, now: datetime) -> str:
        """Keep a code for pricing (normalised upper-case, at most five, each once); whether it
        gives a discount is decided when the cart is priced. Returns the stored code."""
        self._editable()
        code = code.strip().upper()
        if not code or len(code) > 64 or any(c.isspace() for c in code):
            raise InvalidCouponCode(f"invalid coupon code {code!r}", code=code)
        if code in self.coupon_codes:
            return code
        if len(self.coupon_codes) >= MAX_COUPONS:
            raise CartLimitReached(f"a cart holds at most {MAX_COUPONS} coupon codes",
                                   maximum=MAX_COUPONS)
        self.coupon_codes.append(code)
        self.updated_at = now
        self.events.append(CartCouponApplied(self.id, code, now))
        return code

    def remove_coupon(self, code: str, *, now: datetime) -> None:
        self._editable()
        code = code.strip().upper()
        if code not in self.coupon_codes:
            raise CouponNotOnCart(f"cart {self.id} has no coupon {code}", code=code)
        self.coupon_codes.remove(code)
        self.updated_at = now
        self.events.append(CartCouponRemoved(self.id, code, now))

    def begin_checkout(self, *, now: datetime) -> None:
        """Freeze the lines while an order is being placed from them."""
        self._editable()
        self.status = CartStatus.CHECKOUT
        self.updated_at = now
        self.events.append(CartCheckoutStarted(self.id, now))

    def reopen(self, reason: str, *, now: datetime) -> None:
        """The checkout failed or was abandoned: the shopper may edit and try again."""
        if self.status is not CartStatus.CHECKOUT:
            return
        self.status = CartStatus.ACTIVE
        self.updated_at = now
        self.events.append(CartReopened(self.id, reason, now))

    def complete(self, order_id: str, total: Money, *, now: datetime) -> None:
        """An order was placed from this cart; it never changes again."""
        if self.status is CartStatus.COMPLETED and self.order_id == order_id:
            return
        if self.status is not CartStatus.CHECKOUT:
            raise CartNotEditable(f"cart {self.id} is {self.status}", cart_id=self.id)
        self.status = CartStatus.COMPLETED
        self.order_id = order_id
        self.updated_at = now
        self.events.append(
            CartConverted(self.id, order_id, self.customer_id,
                          sum(ln.quantity for ln in self.lines), total, now)
        )
