"""Shipping rate routes: a cart's shipping options for an address, the shopper's choice, and
the administration of shipping methods.

`POST /carts/{id}/shipping-rates` prices every enabled method for the cart shipped to the
address and answers each option with a `quote_id` valid 15 minutes; `PUT /carts/{id}/shipping`
chooses one. Placing the order with that `shipping_quote_id` (`POST /orders`) charges exactly
its amount (refused with 409 once expired, for another cart, or after the cart changed).
Shopper routes reach the cart like every cart route (`X-Cart-Token` or its customer's bearer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from commerce_core.shipping.methods import MethodSpec, RateBand, ShippingMethod
from commerce_core.shipping.rate_queries import RateOption, RateQuotes
from entrypoints.http.access import ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas.common import (
    MAX_AMOUNT,
    MAX_COUNT,
    Currency,
    Integral,
    MoneyIn,
    MoneyOut,
    RequestBody,
)

router = APIRouter(prefix="/carts", tags=["shipping"])
admin = APIRouter(prefix="/shipping-methods", tags=["shipping admin"])


# -- bodies ---------------------------------------------------------------------------------------
class ShipToIn(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=8, max_length=20, examples=["0901234567"])
    line1: str = Field(min_length=1, max_length=300)
    province: str = Field(min_length=1, max_length=100, examples=["Ho Chi Minh"])
    country_code: str = Field(pattern=r"^[A-Z]{2}$", examples=["VN"])
    ward: str | None = Field(None, max_length=100)
    district: str | None = Field(None, max_length=100)
    line2: str | None = Field(None, max_length=300)
    postal_code: str | None = Field(None, max_length=20)
    ward_code: str | None = Field(None, max_length=20)
    district_code: str | None = Field(None, max_length=20)
    province_code: str | None = Field(None, max_length=20, examples=["79"])

    def to_address(self) -> PostalAddress:
        return PostalAddress(**self.model_dump(exclude_none=True))


class ChosenQuoteIn(RequestBody):
    quote_id: str = Field(min_length=1, max_length=64)


class RateOptionOut(BaseModel):
    quote_id: str
    method_code: str
    name: str
    amount: MoneyOut
    is_free: bool
    source: str = Field(description="rate, live, cached, last_known or fallback")
    expires_at: datetime
    carrier: str | None
    service: str | None
    estimated_days_min: int | None
    estimated_days_max: int | None
    cheapest: bool
    fastest: bool
    selected: bool

    @classmethod
    def of(cls, o: RateOption) -> RateOptionOut:
        return cls(quote_id=o.quote_id, method_code=o.method_code, name=o.name,
                   amount=MoneyOut.of(o.amount), is_free=o.is_free, source=o.source,
                   expires_at=o.expires_at, carrier=o.carrier, service=o.service,
                   estimated_days_min=o.estimated_days_min,
                   estimated_days_max=o.estimated_days_max, cheapest=o.cheapest,
                   fastest=o.fastest, selected=o.selected)


class RateQuotesOut(BaseModel):
    cart_id: str
    options: list[RateOptionOut]
    skipped: list[str] = Field(description="Methods whose carrier could not price the cart")

    @classmethod
    def of(cls, q: RateQuotes) -> RateQuotesOut:
        return cls(cart_id=q.cart_id, options=[RateOptionOut.of(o) for o in q.options],
                   skipped=list(q.skipped))


class BandIn(RequestBody):
    up_to: Annotated[int | None, Integral] = Field(
        None, strict=True, ge=0, le=MAX_AMOUNT, description="Inclusive; null: no upper bound")
    amount: Annotated[int, Integral] = Field(strict=True, ge=0, le=MAX_AMOUNT)


class MethodIn(RequestBody):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    type: Literal["flat_rate", "free", "table_rate", "carrier"]
    currency: Currency = "VND"
    rate: MoneyIn | None = None
    min_order_amount: MoneyIn | None = None
    band_basis: Literal["weight", "order_amount", "item_count"] | None = None
    bands: list[BandIn] = Field(default_factory=list, max_length=50)
    carrier: str | None = Field(None, max_length=32)
    service: str | None = Field(None, max_length=32)
    markup_percent: Annotated[int, Integral] = Field(10, strict=True, ge=0, le=50)
    fallback: MoneyIn | None = None
    description: str = Field("", max_length=2000)
    display_order: Annotated[int, Integral] = Field(0, strict=True, ge=-MAX_COUNT, le=MAX_COUNT)
    estimated_days_min: Annotated[int | None, Integral] = Field(None, strict=True, ge=0, le=365)
    estimated_days_max: Annotated[int | None, Integral] = Field(None, strict=True, ge=0, le=365)
    countries: list[str] = Field(default_factory=list, max_length=300)
    provinces: list[str] = Field(default_factory=list, max_length=300)
    max_weight_g: Annotated[int | None, Integral] = Field(None, strict=True, gt=0,
                                                          le=MAX_COUNT)

    def to_spec(self) -> MethodSpec:
        def money(value: MoneyIn | None) -> Money | None:
            return None if value is None else Money(value.amount, value.currency)

        return MethodSpec(
            self.name, self.type, self.currency, rate=money(self.rate),
            min_order=money(self.min_order_amount), band_basis=self.band_basis,
            bands=tuple(RateBand(b.up_to, b.amount) for b in self.bands),
            carrier=self.carrier, service=self.service, markup_percent=self.markup_percent,
            fallback=money(self.fallback), description=self.description,
            display_order=self.display_order, estimated_days_min=self.estimated_days_min,
            estimated_days_max=self.estimated_days_max, countries=tuple(self.countries),
            provinces=tuple(self.provinces), max_weight_g=self.max_weight_g)


class NewMethodIn(MethodIn):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    enabled: bool = True


class MethodOut(BaseModel):
    id: str
    code: str
    name: str
    type: str
    enabled: bool
    currency: str
    rate: MoneyOut | None
    min_order_amount: MoneyOut | None
    band_basis: str | None
    bands: list[dict[str, int | None]]
    carrier: str | None
    service: str | None
    markup_percent: int
    fallback: MoneyOut | None
    display_order: int
    estimated_days_min: int | None
    estimated_days_max: int | None
    countries: list[str]
    provinces: list[str]
    max_weight_g: int | None

    @classmethod
    def of(cls, m: ShippingMethod) -> MethodOut:
        s = m.spec

        def money(value: Money | None) -> MoneyOut | None:
            return None if value is None else MoneyOut.of(value)

        return cls(id=m.id, code=m.code, name=s.name, type=s.method_type.value,
                   enabled=m.enabled, currency=s.currency, rate=money(s.rate),
                   min_order_amount=money(s.min_order),
                   band_basis=s.band_basis.value if s.band_basis else None,
                   bands=[b.to_dict() for b in s.bands], carrier=s.carrier, service=s.service,
                   markup_percent=s.markup_percent, fallback=money(s.fallback),
                   display_order=s.display_order, estimated_days_min=s.estimated_days_min,
                   estimated_days_max=s.estimated_days_max, countries=list(s.countries),
                   provinces=list(s.provinces), max_weight_g=s.max_weight_g)


# -- shoppers -------------------------------------------------------------------------------------
@router.post("/{cart_id}/shipping-rates", summary="Shipping options for the cart to an address",
             description="Every enabled method priced; each option's `quote_id` may be charged "
                         "until `expires_at`. A carrier that does not answer in time falls "
                         "back to its cached rate or the method's fallback, or is left out "
                         "(`skipped`).")
def quote_rates(cart_id: str, body: ShipToIn, commerce: CommerceDep, shopper: ShopperDep,
                request_id: RequestIdDep) -> RateQuotesOut:
    shopper.cart(commerce, cart_id)
    return RateQuotesOut.of(commerce.shipping_rates.quote(cart_id, body.to_address()))


@router.put("/{cart_id}/shipping", summary="Choose one of the cart's shipping quotes")
def choose_rate(cart_id: str, body: ChosenQuoteIn, commerce: CommerceDep,
                shopper: ShopperDep) -> RateOptionOut:
    shopper.cart(commerce, cart_id)
    return RateOptionOut.of(commerce.shipping_rates.select(cart_id, body.quote_id))


# -- operators ------------------------------------------------------------------------------------
@admin.get("", dependencies=[permit(Permission.SHIPPING_CONFIGURE)])
def list_methods(commerce: CommerceDep) -> list[MethodOut]:
    return [MethodOut.of(m) for m in commerce.shipping_rates.methods()]


@admin.post("", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.SHIPPING_CONFIGURE)])
def create_method(body: NewMethodIn, commerce: CommerceDep) -> MethodOut:
    commerce.shipping_rates.create_method(body.code, body.to_spec(), enabled=body.enabled)
    return MethodOut.of(commerce.shipping_rates.method(body.code))


@admin.put("/{code}", dependencies=[permit(Permission.SHIPPING_CONFIGURE)])
def change_method(code: str, body: MethodIn, commerce: CommerceDep) -> MethodOut:
    commerce.shipping_rates.change_method(code, body.to_spec())
    return MethodOut.of(commerce.shipping_rates.method(code))


@admin.post("/{code}/enable", dependencies=[permit(Permission.SHIPPING_CONFIGURE)])
def enable_method(code: str, commerce: CommerceDep) -> MethodOut:
    commerce.shipping_rates.enable_method(code)
    return MethodOut.of(commerce.shipping_rates.method(code))


@admin.post("/{code}/disable", dependencies=[permit(Permission.SHIPPING_CONFIGURE)])
def disable_method(code: str, commerce: CommerceDep) -> MethodOut:
    commerce.shipping_rates.disable_method(code)
    return MethodOut.of(commerce.shipping_rates.method(code))
