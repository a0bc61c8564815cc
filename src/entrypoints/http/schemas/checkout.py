"""Checkout bodies: placing an order, its outcome, and a checkout's progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.model import CheckoutSaga
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.shared.address import PostalAddress
from entrypoints.http.schemas.common import (
    EMAIL_FORMAT,
    MAX_AMOUNT,
    GiftCardCode,
    Integral,
    MoneyOut,
    RequestBody,
)


class ShipTo(RequestBody):
    """Where the goods go (a carrier routes by the codes; GHN wants ward and district codes)."""

    name: str = Field(..., min_length=1, max_length=200)
    phone: str = Field(..., pattern=r"^\+?[0-9 ]{8,20}$", examples=["0901234567"])
    line1: str = Field(..., min_length=1, max_length=300)
    province: str = Field(..., min_length=1, max_length=100)
    country_code: str = Field(..., pattern=r"^[A-Z]{2}$", examples=["VN"])
    ward: str | None = Field(None, max_length=100)
    district: str | None = Field(None, max_length=100)
    line2: str | None = Field(None, max_length=300)
    postal_code: str | None = Field(None, max_length=20)
    company: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=EMAIL_FORMAT)
    ward_code: str | None = Field(None, max_length=40)
    district_code: str | None = Field(None, max_length=40)
    province_code: str | None = Field(None, max_length=40)

    def to_address(self) -> PostalAddress:
        return PostalAddress(**self.model_dump())


class NewOrder(RequestBody):
    cart_id: str
    payment_method: str = Field("card", pattern=r"^[a-z][a-z_]{0,31}$",
                                examples=["card", "cod", "bank_transfer", "e_wallet"])
    email: str | None = Field(None, max_length=254, pattern=EMAIL_FORMAT)
    billing_country: str | None = Field(
        None, pattern=r"^[A-Z]{2}$", examples=["VN"],
        description="ISO 3166 alpha-2 country of the billing address (for the risk check)")
    card_fingerprint: str | None = Field(
        None, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]*[A-Za-z_][A-Za-z0-9_\-]*$",
        description="The gateway's fingerprint of the card, with at least one letter (never "
                    "the card's number): repeated use of one card counts towards the risk "
                    "check's velocity")
    payment_token: str | None = Field(
        None, min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_\-]*[A-Za-z_][A-Za-z0-9_\-]*$",
        examples=["pm_card_visa"],
        description="The card gateway's token of the shopper's instrument (Stripe's "
                    "`pm_…`, from Stripe's own fields); never a card number")
    ship_to: ShipTo | None = Field(
        None, description="The shipping address; without it the order is not shipped by a "
                          "carrier")

    shipping_quote_id: str | None = Field(
        None, min_length=1, max_length=64,
        description="The shipping quote chosen (`POST /carts/{id}/shipping-rates`): the order "
                    "is charged its amount and ships to the address it was quoted for")

    gift_card_code: GiftCardCode | None = Field(
        None, description="Pay part (or all) with this gift card: as much as it covers, or "
                    "`gift_card_amount`")
    gift_card_amount: Annotated[int | None, Integral] = Field(
        None, strict=True, ge=1, le=MAX_AMOUNT,
        description="Minor units of the gift card to use (default: as much as it covers)")
    store_credit_amount: Annotated[int | None, Integral] = Field(
        None, strict=True, ge=1, le=MAX_AMOUNT,
        description="Minor units of my store credit to pay with (signed-in customers)")
    points: Annotated[int | None, Integral] = Field(
        None, strict=True, ge=1, le=MAX_AMOUNT,
        description="Loyalty points to pay with (signed-in customers; at least the minimum, "
                    "worth at most the shop's share of the order)")

    def to_command(self, idempotency_key: str | None, client_ip: str | None = None,
                   ship_to: PostalAddress | None = None) -> PlaceOrder:
        return PlaceOrder(self.cart_id, self.payment_method, self.email,
                          idempotency_key=idempotency_key, client_ip=client_ip,
                          billing_country=self.billing_country,
                          card_fingerprint=self.card_fingerprint,
                          payment_token=self.payment_token,
                          ship_to=self.ship_to.to_address() if self.ship_to else ship_to,
                          shipping_quote_id=self.shipping_quote_id,
                          gift_card_code=self.gift_card_code,
                          gift_card_amount=self.gift_card_amount,
                          store_credit_amount=self.store_credit_amount, points=self.points)


class PlacedOrderOut(BaseModel):
    order_id: str
    order_number: str
    status: str
    checkout_id: str
    total: MoneyOut
    payment_url: str | None = Field(
        None, description="With a redirect gateway: where the shopper pays; the order stays "
                          "pending until the provider reports the outcome")

    @classmethod
    def of(cls, placed: PlacedOrder) -> PlacedOrderOut:
        return cls(order_id=placed.order_id, order_number=placed.order_number,
                   status=placed.status, checkout_id=placed.checkout_id,
                   total=MoneyOut.of(placed.total), payment_url=placed.payment_url)


class CheckoutOut(BaseModel):
    """Where a checkout stands, for a client whose request timed out or met a 409."""

    id: str
    cart_id: str
    status: str = Field(description="running, compensating, completed or failed")
    step: str = Field(description="The last step that took effect")
    order_id: str | None
    payment_method: str
    total: MoneyOut
    failure_code: str | None
    failure_message: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, saga: CheckoutSaga) -> CheckoutOut:
        return cls(
            id=saga.id, cart_id=saga.cart_id, status=saga.status.value, step=saga.step.value,
            order_id=saga.order_id, payment_method=saga.payment_method,
            total=MoneyOut.of(saga.total), failure_code=saga.failure_code,
            failure_message=saga.failure_message, created_at=saga.created_at,
            updated_at=saga.updated_at,
        )
