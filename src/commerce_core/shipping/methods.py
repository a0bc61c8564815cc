"""Shipping methods (the shop's configuration of what a shopper may choose) and the quotes
issued from them.

A method prices by its type: `flat_rate` (a fixed amount), `free` (0 from `min_order` on, not
offered below), `table_rate` (bands by weight, order amount or item count) and `carrier` (the
carrier's live rate plus a bounded markup; `fallback` when the carrier does not answer and
nothing is cached). Conditions (countries, provinces, a weight ceiling) decide where it is
offered at all.

An `IssuedQuote` is one priced option given to a shopper for one cart: it carries the amount the
order will be charged, and is refused at checkout once expired, for another cart, other cart
contents or another address (ADR 0022).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money
from commerce_core.shipping.rate_errors import (
    InvalidShippingMethod,
    ShippingQuoteExpired,
    ShippingQuoteMismatch,
)
from commerce_core.shipping.rate_events import ShippingMethodChanged, ShippingMethodCreated

MAX_MARKUP_PERCENT = 50  # a carrier's price is never marked up by more than half
DEFAULT_MARKUP_PERCENT = 10
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class MethodType(StrEnum):
    FLAT_RATE = "flat_rate"
    FREE = "free"
    TABLE_RATE = "table_rate"
    CARRIER = "carrier"


class BandBasis(StrEnum):
    WEIGHT = "weight"  # grams
    ORDER_AMOUNT = "order_amount"  # minor units of the method's currency
    ITEM_COUNT = "item_count"


@frozen
class RateBand:
    """Up to and including `up_to` (None: no upper bound), the order ships for `amount` minor
    units of the method's currency."""

    up_to: int | None
    amount: int

    def to_dict(self) -> dict[str, int | None]:
        return {"up_to": self.up_to, "amount": self.amount}

    @classmethod
    def from_dict(cls, data: dict[str, int | None]) -> RateBand:
        amount = data["amount"]
        return cls(data.get("up_to"), int(amount if amount is not None else -1))


def _bands_to_json(bands: tuple[RateBand, ...]) -> list[dict[str, int | None]]:
    return [b.to_dict() for b in bands]


def _bands_from_json(data: list[dict[str, int | None]]) -> tuple[RateBand, ...]:
    return tuple(RateBand.from_dict(d) for d in data)


def _basis(value: str | BandBasis | None) -> BandBasis | None:
    return None if value is None else BandBasis(value)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip().upper() for v in values if v.strip())


@frozen
class MethodSpec:
    """Everything an operator configures about a method besides its code and whether it is
    enabled. Money is in `currency`; carts in another currency are not offered the method."""

    name: str
    method_type: MethodType = field(converter=MethodType)
    currency: str
    rate: Money | None = None  # flat_rate
    min_order: Money | None = None  # free: from this order amount on
    band_basis: BandBasis | None = field(default=None, converter=_basis)
    bands: tuple[RateBand, ...] = ()  # table_rate, ascending
    carrier: str | None = None  # carrier: its code (Ports.carriers)
    service: str | None = None  # carrier: the service quoted (standard, express, ...)
    markup_percent: int = DEFAULT_MARKUP_PERCENT  # carrier: on top of its price
    fallback: Money | None = None  # carrier: charged when it does not answer, nothing cached
    description: str = ""
    display_order: int = 0
    estimated_days_min: int | None = None
    estimated_days_max: int | None = None
    countries: tuple[str, ...] = field(default=(), converter=_codes)  # empty: everywhere
    provinces: tuple[str, ...] = field(default=(), converter=_codes)  # codes or names
    max_weight_g: int | None = None

    def __attrs_post_init__(self) -> None:
        bad = self._problem()
        if bad is not None:
            raise InvalidShippingMethod(bad, method_type=self.method_type.value)

    def _problem(self) -> str | None:
        t = self.method_type
        if not self.name.strip():
            return "a shipping method needs a name"
        for money in (self.rate, self.min_order, self.fallback):
            if money is not None and (money.currency != self.currency or money.amount < 0):
                return f"amounts are positive or zero, in {self.currency}"
        if t is MethodType.FLAT_RATE and self.rate is None:
            return "a flat_rate method needs its rate"
        if t is MethodType.TABLE_RATE:
            if self.band_basis is None or not self.bands:
                return "a table_rate method needs a band basis and at least one band"
            bounds = [b.up_to for b in self.bands]
            if any(b is None for b in bounds[:-1]):
                return "only the last band may be unbounded"
            finite = [b for b in bounds if b is not None]
            if finite != sorted(set(finite)) or any(b.amount < 0 for b in self.bands):
                return "bands ascend strictly and their amounts are positive or zero"
        if t is MethodType.CARRIER and not (self.carrier and self.service):
            return "a carrier method names its carrier and service"
        if not 0 <= self.markup_percent <= MAX_MARKUP_PERCENT:
            return f"the markup is between 0 and {MAX_MARKUP_PERCENT} percent"
        low, high = self.estimated_days_min, self.estimated_days_max
        if (low is not None and low < 0) or (high is not None and high < (low or 0)):
            return "estimated days are positive and min ≤ max"
        if self.max_weight_g is not None and self.max_weight_g <= 0:
            return "a weight ceiling is positive"
        return None

    def offered_to(self, destination: PostalAddress, weight_g: int) -> bool:
        """Whether the conditions let the method ship this weight to this address."""
        if self.countries and destination.country_code not in self.countries:
            return False
        if self.provinces:
            names = {(destination.province_code or "").upper(), destination.province.upper()}
            if not names & set(self.provinces):
                return False
        return self.max_weight_g is None or weight_g <= self.max_weight_g

    def local_rate(self, order_total: Money, weight_g: int, item_count: int) -> Money | None:
        """The price of a method that needs no carrier; None when it is not offered."""
        t = self.method_type
        if t is MethodType.FLAT_RATE:
            return self.rate
        if t is MethodType.FREE:
            # Without a minimum the method is always free.
            if self.min_order is None or order_total >= self.min_order:
                return Money.zero(self.currency)
            return None
        if t is MethodType.TABLE_RATE:
            value = {BandBasis.WEIGHT: weight_g, BandBasis.ORDER_AMOUNT: order_total.amount,
                     BandBasis.ITEM_COUNT: item_count}[self.band_basis or BandBasis.WEIGHT]
            for band in self.bands:
                if band.up_to is None or value <= band.up_to:
                    return Money(band.amount, self.currency)
            return None
        raise ValueError("a carrier method is priced by its carrier")

    def marked_up(self, price: Money) -> Money:
        """The carrier's price with the markup, rounded half up to a minor unit."""
        return Money((price.amount * (100 + self.markup_percent) + 50) // 100, price.currency)


@define(eq=False)
class ShippingMethod:
    id: str
    code: str
    spec: MethodSpec
    enabled: bool
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(cls, *, method_id: str, code: str, spec: MethodSpec, enabled: bool,
               now: datetime) -> ShippingMethod:
        code = code.strip().lower()
        if not _CODE.match(code):
            raise InvalidShippingMethod(
                "a method code is 1-32 lower-case letters, digits, '-' or '_'", code=code)
        method = cls(method_id, code, spec, enabled, now, now)
        method.events.append(ShippingMethodCreated(method_id, code, spec.name,
                                                   spec.method_type.value, enabled, now))
        return method

    def change(self, spec: MethodSpec, *, now: datetime) -> None:
        if spec == self.spec:
            return
        self.spec = spec
        self._changed(now)

    def enable(self, *, now: datetime) -> None:
        if not self.enabled:
            self.enabled = True
            self._changed(now)

    def disable(self, *, now: datetime) -> None:
        if self.enabled:
            self.enabled = False
            self._changed(now)

    def _changed(self, now: datetime) -> None:
        self.updated_at = now
        self.events.append(ShippingMethodChanged(self.id, self.code, self.enabled, now))


class QuoteSource(StrEnum):
    RATE = "rate"  # the method's own configuration
    LIVE = "live"  # the carrier answered now
    CACHED = "cached"  # the carrier's answer to the same request, within the cache's TTL
    LAST_KNOWN = "last_known"  # the carrier failed: its last answer to the same request
    FALLBACK = "fallback"  # the carrier failed and nothing was cached: the method's fallback


@define(eq=False)
class IssuedQuote:
    """One priced option issued to a shopper for one cart, to a destination, until
    `expires_at`: the amount an order placed with it is charged (before shipping promotions
    and tax, which the price engine applies)."""

    id: str
    cart_id: str
    content_key: str  # the cart's lines and currency when quoted (`ShippableGoods.key`)
    destination: PostalAddress
    method_code: str
    method_name: str
    amount: Money
    source: QuoteSource = field(converter=QuoteSource)
    issued_at: datetime
    expires_at: datetime
    carrier: str | None = None
    service: str | None = None
    estimated_days_min: int | None = None
    estimated_days_max: int | None = None
    selected: bool = False
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def shipping_method(self) -> str:
        """How the order names it: `<carrier>:<service>`, or `<method>:<type or service>`."""
        if self.carrier:
            return f"{self.carrier}:{self.service}"
        return f"{self.method_code}:{self.service or 'standard'}"

    def usable_for(self, *, cart_id: str, content_key: str, destination: PostalAddress | None,
                   now: datetime) -> None:
        """Raises unless an order of this cart, with these contents, to this address may be
        charged this quote now."""
        if cart_id != self.cart_id:
            raise ShippingQuoteMismatch("this shipping quote was issued for another cart",
                                        quote_id=self.id, cart_id=cart_id)
        if now >= self.expires_at:
            raise ShippingQuoteExpired("this shipping quote expired; ask for rates again",
                                       quote_id=self.id, expired_at=self.expires_at.isoformat())
        if content_key != self.content_key:
            raise ShippingQuoteMismatch(
                "the cart changed since this shipping quote; ask for rates again",
                quote_id=self.id, cart_id=cart_id, reason="cart_changed")
        if destination is not None and destination != self.destination:
            raise ShippingQuoteMismatch(
                "the order ships to another address than quoted; ask for rates again",
                quote_id=self.id, cart_id=cart_id, reason="address_changed")

    def select(self) -> None:
        self.selected = True

    def unselect(self) -> None:
        self.selected = False

