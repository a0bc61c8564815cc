"""The cart: a quote of lines a shopper intends to buy (spec cart-checkout §2, §4, §5).

Line prices are snapshots for display; the price charged is always recomputed at checkout.
A line is identified by (SKU, warehouse): adding the same pair again adds up the quantities.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from attrs import define, field

from commerce_core.cart.errors import (
    CartLimitReached,
    CartLineNotFound,
    CartNotEditable,
    CartsNotMergeable,
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
    CartMerged,
    CartReopened,
)
from commerce_core.cart.queries import MergedLineResult
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money

MAX_LINES = 100
MAX_QUANTITY_PER_LINE = 99
MAX_COUPONS = 5


class CartStatus(StrEnum):
    ACTIVE = "active"
    CHECKOUT = "checkout"
    COMPLETED = "completed"
    MERGED = "merged"  # a guest cart whose lines went into its customer's cart on sign-in


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

    def merge_from(self, guest: Cart, *, customer_id: str, new_line_id: Callable[[], str],
                   now: datetime) -> list[MergedLineResult]:
        """Takes the guest cart's lines and coupons into this (the customer's) cart and closes
        the guest cart. A line of the same SKU and warehouse adds up, capped at 99 units; a new
        line past the 100th is left out; coupons join while there is room. Returns what
        happened to each guest line."""
        self._editable()
        guest._editable()
        if guest.id == self.id or guest.customer_id not in (None, customer_id) \
                or self.customer_id != customer_id:
            raise CartsNotMergeable("only a guest cart merges into its customer's cart",
                                    cart_id=guest.id)
        if guest.currency != self.currency:
            raise CartsNotMergeable(
                f"the guest cart is in {guest.currency}, the customer's in {self.currency}",
                cart_id=guest.id, currency=guest.currency)
        report: list[MergedLineResult] = []
        for line in guest.lines:
            existing = next((ln for ln in self.lines if ln.sku == line.sku
                             and ln.warehouse_id == line.warehouse_id), None)
            if existing is not None:
                kept = min(line.quantity, MAX_QUANTITY_PER_LINE - existing.quantity)
                if kept > 0:
                    existing.quantity += kept
                    self.events.append(CartItemUpdated(self.id, existing.id, existing.sku,
                                                       existing.quantity, now))
            elif len(self.lines) < MAX_LINES:
                kept = line.quantity
                added = CartLine(new_line_id(), line.sku, line.product_id, line.name, kept,
                                 line.unit_price, line.warehouse_id, now)
                self.lines.append(added)
                self.events.append(CartItemAdded(self.id, added.id, added.sku,
                                                 added.product_id, kept, added.unit_price, now))
            else:
                kept = 0
            report.append(MergedLineResult(line.sku, line.warehouse_id, line.quantity, kept))
        for code in guest.coupon_codes:
            if code not in self.coupon_codes and len(self.coupon_codes) < MAX_COUPONS:
                self.coupon_codes.append(code)
        self.updated_at = now
        guest.status = CartStatus.MERGED
        guest.updated_at = now
        capped = sum(1 for r in report if r.kept < r.requested)
        guest.events.append(CartMerged(guest.id, self.id, customer_id, len(report), capped, now))
        return report

    def claim(self, customer_id: str, *, now: datetime) -> None:
        """A signed-in customer without an active cart takes their guest cart as it is."""
        self._editable()
        if self.customer_id not in (None, customer_id):
            raise CartsNotMergeable("this cart belongs to another customer", cart_id=self.id)
        if self.customer_id == customer_id:
            return
        self.customer_id = customer_id
        self.updated_at = now
        self.events.append(CartMerged(self.id, self.id, customer_id, len(self.lines), 0, now))
