"""`commerce.checkout`: placing orders and following checkouts as plain methods."""

from __future__ import annotations

from commerce_core.checkout.commands import (
    ConfirmBankTransfer,
    PlaceOrder,
    RecoverCheckouts,
    ReleaseIdempotencyKeys,
    SettlePayment,
)
from commerce_core.checkout.model import CheckoutSaga
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.checkout.queries import PlacedOrder, SettleOutcome
from commerce_core.pricing.ports import TaxDestination
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.bus import Handle
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory


class CheckoutApi:
    """Turns carts into orders through the checkout saga."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[CheckoutUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def place_order(
        self, cart_id: str, *, payment_method: str = "card", email: str | None = None,
        customer_id: str | None = None, idempotency_key: str | None = None,
        destination: TaxDestination | None = None, client_ip: str | None = None,
        billing_country: str | None = None, card_fingerprint: str | None = None,
        payment_token: str | None = None, ship_to: PostalAddress | None = None,
        shipping_quote_id: str | None = None,
    ) -> PlacedOrder:
        """Place the order (see `PlaceOrder`); with a redirect gateway it comes back `pending`
        with the `payment_url` where the shopper pays. With a `shipping_quote_id` and no
        `ship_to`, the order ships to the address the quote was issued for."""
        if shipping_quote_id is not None and ship_to is None:
            with self._read() as uow:
                ship_to = uow.shipping_quotes.get(shipping_quote_id).destination
        result: PlacedOrder = self._handle(
            PlaceOrder(cart_id, payment_method, email, customer_id, idempotency_key,
                       destination, client_ip, billing_country, card_fingerprint,
                       payment_token, ship_to, shipping_quote_id),
            correlation_id=idempotency_key,
        )
        return result

    def settle_payment(self, gateway: str, reference: str, kind: str = "pending", *,
                       event_id: str | None = None) -> SettleOutcome:
        """A provider's signal about a payment that waited for the shopper (see
        `SettlePayment`); "pending" asks the provider now. A notification with its provider
        `event_id` is applied once."""
        return SettleOutcome(self._handle(SettlePayment(gateway, reference, kind, event_id)))

    def confirm_bank_transfer(self, reference: str, amount: Money) -> SettleOutcome:
        """Staff saw the transfer `reference` arrive with `amount`: the order is confirmed (see
        `ConfirmBankTransfer`)."""
        return SettleOutcome(self._handle(ConfirmBankTransfer(reference, amount)))

    def get(self, checkout_id: str) -> CheckoutSaga:
        with self._read() as uow:
            return uow.checkouts.get(checkout_id)

    def recover(self, limit: int = 50) -> dict[str, int]:
        return dict(self._handle(RecoverCheckouts(limit)))

    def release_idempotency_keys(self, limit: int = 500) -> int:
        """Free the keys of checkouts finished longer ago than the retention; how many."""
        return int(self._handle(ReleaseIdempotencyKeys(limit)))
