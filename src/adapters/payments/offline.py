"""Payments no provider moves: cash on delivery and bank transfer (spec payment §3.5-§3.6).

Both stand behind the same `PaymentGateway` port, so checkout, capture, refunds and the ledger
treat them like any gateway; what they answer is decided here, with no network:

- **Cash on delivery** (`cod`): the authorization is the promise to pay at the door, held
  nowhere, so it never expires and `void` releases nothing. Above the ceiling (5,000,000 VND by
  default) it is declined before the order is placed. The courier's collection is recorded with
  `commerce.payments.record_collection`, which captures what was collected.
- **Bank transfer** (`bank_transfer`): the authorization answers "pending" with a transfer
  reference the shopper writes in the transfer's memo, and sends the shopper to the shop's own
  instructions page (`instructions_url`, with `{reference}`, `{amount}` and `{currency}` filled
  in). Staff confirm the money arrived (`commerce.checkout.confirm_bank_transfer`); a checkout
  whose window passed first is cancelled and its stock released, as for any redirect payment.

Refunds of either are recorded as given back and paid out by staff (cash, or a transfer to the
shopper's account): no provider can move that money, and the ledger says who was refunded what.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import quote

from commerce_core.payment.errors import InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.money import Money

COD_CEILING = Money(5_000_000, "VND")


def _short(key: str, length: int = 10) -> str:
    """A reference derived from the idempotency key: the same attempt always has the same one."""
    return hashlib.sha256(key.encode()).hexdigest()[:length].upper()


class _Offline:
    name: str
    multiple_captures = False
    authorization_window = None  # nothing is held by a provider, so nothing lapses

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        # The money is in the shop's hands (collected, or received): recording it is the capture.
        return GatewayResult(approved=True, reference=f"{reference}:captured")

    def void(self, authorization_key: str) -> None:
        """Nothing is held anywhere: nothing to release."""

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        return GatewayResult(approved=True, reference=f"manual-{_short(idempotency_key)}",
                             message="paid out by staff")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        raise InvalidWebhook(f"{self.name} payments have no provider to notify")


class CashOnDeliveryGateway(_Offline):
    name = "cod"
    collects_on_delivery = True

    def __init__(self, *, ceilings: Mapping[str, int] | None = None) -> None:
        """`ceilings`: the largest amount taken cash on delivery, by currency (minor units);
        a currency without one has no ceiling."""
        self._ceilings = dict(ceilings if ceilings is not None
                              else {COD_CEILING.currency: COD_CEILING.amount})

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        ceiling = self._ceilings.get(request.amount.currency)
        if ceiling is not None and request.amount.amount > ceiling:
            return GatewayResult(
                approved=False, decline_code="cod_limit_exceeded",
                message=f"cash on delivery takes at most "
                        f"{Money(ceiling, request.amount.currency)}")
        return GatewayResult(approved=True, reference=f"COD-{_short(request.idempotency_key)}")


class BankTransferGateway(_Offline):
    name = "bank_transfer"

    def __init__(self, *, instructions_url: str) -> None:
        self._instructions_url = instructions_url

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        reference = f"BT{_short(request.idempotency_key)}"
        url = self._instructions_url.format(
            reference=quote(reference), amount=request.amount.amount,
            currency=quote(request.amount.currency))
        return GatewayResult(approved=False, pending=True, reference=reference, redirect_url=url)
