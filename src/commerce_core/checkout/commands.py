"""Checkout commands."""

from __future__ import annotations

from attrs import frozen

from commerce_core.checkout.errors import InvalidTenders
from commerce_core.pricing.ports import TaxDestination
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money


@frozen
class PlaceOrder:
    """Turn a cart into an order: price, reserve, create, authorize, confirm.

    `idempotency_key` names this request: a replay returns the first outcome; the same key with
    other fields is refused. Without a key, placing an order from a cart that already became one
    returns that order. Without a `destination`, tax is computed for the shop's tax origin.

    The last three fields feed the risk check (all optional): the shopper's `client_ip`, the
    `billing_country` (ISO 3166 alpha-2) and the gateway's `card_fingerprint` (never a card
    number). The address and the fingerprint describe the attempt, not the order, so a replay
    from another network is still the same request.
    """

    cart_id: str
    payment_method: str = "card"
    email: str | None = None
    customer_id: str | None = None
    idempotency_key: str | None = None
    destination: TaxDestination | None = None  # the shipping address tax is computed for
    client_ip: str | None = None
    billing_country: str | None = None
    card_fingerprint: str | None = None
    # The gateway's token of the shopper's instrument (a Stripe `pm_…` from Stripe's own
    # fields): what a card gateway charges; never card data.
    payment_token: str | None = None
    # Where the goods go (kept on the order for shipping); without `destination`, tax follows it.
    ship_to: PostalAddress | None = None
    # The shipping quote the shopper chose (`commerce.shipping_rates`): the order is charged
    # exactly its amount, through the price engine (shipping promotions, tax on shipping). It
    # must be this cart's, unexpired, for the cart as it is and for `ship_to`. None: no
    # shipping is charged.
    shipping_quote_id: str | None = None
    # Stored value paying part or all of the order (ADR 0028), held in the checkout's first
    # transaction and spent when it is confirmed: the gift card with `gift_card_code` (as much
    # of the order as it covers, or `gift_card_amount` minor units), `store_credit_amount`
    # minor units of the customer's store credit, `points` loyalty points. The gateway is asked
    # for the rest only; an order they pay in full confirms without it.
    gift_card_code: str | None = None
    gift_card_amount: int | None = None
    store_credit_amount: int | None = None
    points: int | None = None

    def check_tenders(self) -> None:
        """Stored-value fields that say nothing coherent are refused before anything runs: an
        amount for a gift card without its code, or a zero or negative amount."""
        if self.gift_card_amount is not None and self.gift_card_code is None:
            raise InvalidTenders(
                "gift_card_amount needs the gift card's code (gift_card_code)",
                field="gift_card_amount")
        for name in ("gift_card_amount", "store_credit_amount", "points"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidTenders(f"{name} must be a positive number", field=name)

    @property
    def has_tenders(self) -> bool:
        return (self.gift_card_code is not None or bool(self.store_credit_amount)
                or bool(self.points))

    def tax_destination(self) -> TaxDestination | None:
        if self.destination is not None or self.ship_to is None:
            return self.destination
        return TaxDestination(self.ship_to.country_code, self.ship_to.province_code,
                              self.ship_to.postal_code)


@frozen
class ReleaseIdempotencyKeys:
    """Free the keys of checkouts finished longer ago than the retention (the worker's job)."""

    limit: int = 500


@frozen
class RecoverCheckouts:
    """Resume or compensate checkouts whose process stopped mid-way (the worker's job)."""

    limit: int = 50


@frozen
class SettlePayment:
    """A provider's signal about a payment that waited for the shopper: its IPN or webhook
    (verified), the shopper's return (verified), or a request to ask the provider now (`kind`
    "pending"). Every signal is idempotent and they may come in any order: the checkout ends
    confirmed or cancelled once, and a late signal never moves it back."""

    gateway: str
    reference: str
    kind: str = "pending"  # authorized, captured, failed, cancelled, expired, or pending
    event_id: str | None = None  # the provider's id of a notification: applied once


@frozen
class ConfirmBankTransfer:
    """Staff saw the shopper's transfer arrive at the shop's bank: `amount` under the transfer
    `reference` the shopper wrote in its memo. Confirms the order once (a repeat changes
    nothing); refused when the amount is not what is owed or the checkout already ended."""

    reference: str
    amount: Money
    gateway: str = "bank_transfer"
