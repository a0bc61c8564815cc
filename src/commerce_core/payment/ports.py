"""The payment gateway port and payment storage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from attrs import frozen

from commerce_core.payment.model import Payment
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork


@frozen
class AuthorizationRequest:
    payment_id: str
    order_id: str
    amount: Money
    method: str
    idempotency_key: str
    customer_email: str | None = None


@frozen
class GatewayResult:
    """The gateway's answer to an authorize, capture or refund it could act on."""

    approved: bool
    reference: str | None = None
    decline_code: str | None = None
    message: str = ""


@frozen
class WebhookEvent:
    """A verified gateway notification, translated into our terms."""

    gateway: str
    event_id: str
    kind: str  # authorized, captured, failed, voided, refunded
    reference: str
    amount: Money | None = None


class PaymentGateway(Protocol):
    """A payment provider. Contract every adapter (and the scripted fake) honours:

    - a decline is a result (`approved=False` with a `decline_code`), never an exception;
    - no answer in time raises `GatewayTimeout` (the provider may have acted), an error or an
      unreachable provider raises `GatewayUnavailable` (it did not act);
    - every call is idempotent on its `idempotency_key`: repeating it returns the first outcome
      and never moves money twice;
    - `void` releases the authorization made with `authorization_key` if there is one, and is a
      no-op otherwise, so compensation can always call it;
    - amounts are `Money` in minor units; adapters convert to provider units.
    """

    name: str

    def authorize(self, request: AuthorizationRequest) -> GatewayResult: ...

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult: ...

    def void(self, authorization_key: str) -> None: ...

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult: ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify the signature and translate; raises `InvalidWebhook` when it does not verify."""
        ...


class PaymentRepository(Protocol):
    def add(self, payment: Payment) -> None: ...

    def get(self, payment_id: str) -> Payment:
        """The payment, or `PaymentNotFound`."""
        ...

    def for_order(self, order_id: str) -> list[Payment]: ...


class PaymentUnitOfWork(UnitOfWork, Protocol):
    @property
    def payments(self) -> PaymentRepository: ...

