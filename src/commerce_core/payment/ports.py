"""The payment gateway port and payment storage."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

from attrs import frozen

from commerce_core.ledger.ports import LedgerUnitOfWork
from commerce_core.payment.model import Payment, Refund
from commerce_core.payment.tenders import REFUND_ORDER as REFUND_ORDER
from commerce_core.payment.tenders import Tender as Tender
from commerce_core.payment.tenders import TenderKind as TenderKind
from commerce_core.payment.tenders import TenderPolicy as TenderPolicy
from commerce_core.payment.tenders import TenderRefund as TenderRefund
from commerce_core.payment.tenders import TenderStatus as TenderStatus
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork


@frozen
class AuthorizationRequest:
    """What to authorize. The last three fields are optional and serve provider adapters:
    `payment_token` is the provider's token for the shopper's instrument (a Stripe
    `pm_...`; never card data), `return_url` where a redirect gateway sends the shopper back,
    `client_ip` the shopper's address some providers require (VNPay)."""

    payment_id: str
    order_id: str
    amount: Money
    method: str
    idempotency_key: str
    customer_email: str | None = None
    payment_token: str | None = None
    return_url: str | None = None
    client_ip: str | None = None


@frozen
class GatewayResult:
    """The gateway's answer to an authorize, capture or refund it could act on.

    `pending` (with `approved=False`) means no outcome yet: the shopper must act on the
    provider's page at `redirect_url` (PayPal approval, VNPay, MoMo, 3-D Secure), or the provider
    is still processing. `reference` then names the attempt, so `RedirectGateway.complete` or a
    webhook can settle it. Both fields default to the synchronous case, so callers that predate
    them read a pending answer as "not approved", never as money held.
    """

    approved: bool
    reference: str | None = None
    decline_code: str | None = None
    message: str = ""
    pending: bool = False
    redirect_url: str | None = None


@frozen
class WebhookEvent:
    """A verified gateway notification, translated into our terms."""

    gateway: str
    event_id: str
    # authorized, captured, failed, voided, refunded; provider adapters add pending,
    # cancelled, expired, partially_refunded, disputed, and ignored (verified, nothing to apply).
    kind: str
    reference: str
    amount: Money | None = None
    # A "disputed" event: the provider's name for the chargeback (the event id when it gives
    # none) and the cardholder's stated reason.
    dispute_id: str | None = None
    reason: str | None = None


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

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        """Take `amount` of the authorization and release the rest. A gateway that can capture
        in parts says so with `multiple_captures = True` and accepts `final=False`."""
        ...

    def void(self, authorization_key: str) -> None: ...

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult: ...

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verify the signature and translate; raises `InvalidWebhook` when it does not verify."""
        ...


class PartialCaptureGateway(PaymentGateway, Protocol):
    """A gateway that captures an authorization in parts (PayPal, the fake): each capture under
    its own key; `final=False` keeps the rest of the hold for later captures."""

    multiple_captures: bool

    def capture(self, reference: str, amount: Money, idempotency_key: str, *,
                final: bool = True) -> GatewayResult: ...


class RedirectGateway(PaymentGateway, Protocol):
    """A gateway whose `authorize` may answer `pending` with a `redirect_url`: the shopper
    approves or pays on the provider's page, then `complete` asks the provider for the outcome
    (PayPal authorizes the approved order; VNPay and MoMo query the payment). Same contract as
    the other calls: idempotent on its key, a decline is a result."""

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult: ...


@frozen
class BreakerState:
    """One gateway's circuit breaker as stored. `status` is `closed`, `open` or `half_open`;
    `since` is when it entered that status (seconds since the epoch, from the core's clock);
    `failures` counts consecutive failures while closed, `probes` the calls let through and
    `successes` the probes that succeeded while half open."""

    status: str = "closed"
    since: float = 0.0
    failures: int = 0
    probes: int = 0
    successes: int = 0


T = TypeVar("T")


class BreakerStore(Protocol):
    """Where circuit breakers live: this process's memory, or a store every process shares.

    `update` is atomic: `change` gets the state as stored (a closed breaker when there is none)
    and returns the new state and a value `update` returns; no other update of the same gateway
    interleaves. `change` may be called more than once (a store may retry on contention), so it
    must be a pure function of its argument.
    """

    def read(self, gateway: str) -> BreakerState: ...

    def update(self, gateway: str, change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        ...


class GatewayRouting(Protocol):
    """Several named gateways, the order to try them in, and a circuit breaker each (the
    payment context's `GatewayRouter` implements it; a single `PaymentGateway` given to the core
    becomes a router of one)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every gateway's name, in the order they were given."""
        ...

    def gateway(self, name: str) -> PaymentGateway:
        """The gateway by name, for capture, void and refund of what it authorized; an unknown
        name raises `GatewayUnavailable`."""
        ...

    def route(self, method: str, currency: str, country: str | None) -> tuple[str, ...]:
        """The gateways that may take this payment, most preferred first, the ones whose
        breaker is open after the others; `NoEligibleGateway` when none may."""
        ...

    def authorize(self, name: str, request: AuthorizationRequest) -> GatewayResult:
        """`name`'s authorize through its breaker: `CircuitOpen` (a `GatewayUnavailable`)
        without calling it when the breaker is open."""
        ...

    def breakers(self) -> dict[str, str]:
        """Each gateway's breaker status: `closed`, `open` or `half_open`."""
        ...


class PaymentRepository(Protocol):
    def add(self, payment: Payment) -> None: ...

    def get(self, payment_id: str) -> Payment:
        """The payment, or `PaymentNotFound`."""
        ...

    def for_order(self, order_id: str) -> list[Payment]: ...

    def by_reference(self, gateway: str, reference: str) -> Payment | None:
        """The payment the gateway knows by `reference` (its attempt or authorization)."""
        ...

    def captures_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of payments whose unanswered capture is due to be asked again, soonest first."""
        ...

    def authorized_before(self, gateway: str, cutoff: datetime, limit: int) -> list[Payment]:
        """`gateway`'s payments still holding an authorization made before `cutoff`, oldest
        first."""
        ...


class RefundRepository(Protocol):
    def add(self, refund: Refund) -> None: ...

    def get(self, refund_id: str) -> Refund:
        """The refund, or `RefundNotFound`."""
        ...

    def by_key(self, idempotency_key: str) -> Refund | None:
        """The refund asked for with this key (keys are unique per shop)."""
        ...

    def for_payment(self, payment_id: str) -> list[Refund]:
        """Oldest first."""
        ...


class TenderRepository(Protocol):
    def add(self, tender: Tender) -> None: ...

    def get(self, tender_id: str) -> Tender:
        """The tender, or `TenderNotFound`."""
        ...

    def of_order(self, order_id: str) -> list[Tender]:
        """The order's tenders, oldest first."""
        ...


class PaymentUnitOfWork(LedgerUnitOfWork, UnitOfWork, Protocol):
    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def tenders(self) -> TenderRepository: ...

    @property
    def refunds(self) -> RefundRepository: ...

