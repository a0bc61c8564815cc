"""What payment offers other contexts: the payment of a new order (inside the caller's
transaction) and the calls to the gateway a checkout makes (outside any transaction)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import frozen

from commerce_core.payment.errors import PaymentDeclined
from commerce_core.payment.model import Payment, PaymentStatus
from commerce_core.payment.ports import (
    AuthorizationRequest,
    GatewayResult,
    PaymentGateway,
    PaymentUnitOfWork,
)
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money


def start(uow: PaymentUnitOfWork, *, order_id: str, amount: Money, method: str,
          gateway: str, idempotency_key: str, now: datetime, ids: IdGenerator) -> str:
    """A pending payment of the order, before any gateway call; returns its id."""
    payment = Payment.start(payment_id=ids.new_id(), order_id=order_id, amount=amount,
                            method=method, gateway=gateway, idempotency_key=idempotency_key,
                            now=now)
    uow.payments.add(payment)
    return payment.id


@frozen
class Authorization:
    """The gateway's answer to an authorization: held (`pending` False), or waiting for the
    shopper on the provider's page at `redirect_url` (or for the provider), the attempt named
    by `reference`."""

    reference: str
    pending: bool = False
    redirect_url: str | None = None


def authorize(gateway: PaymentGateway, request: AuthorizationRequest) -> Authorization:
    """Ask the gateway to hold the amount; the authorization, or `PaymentDeclined`.
    Idempotent on the request's key; a timeout or outage propagates (`ServiceUnavailable`)."""
    result = gateway.authorize(request)
    if result.pending and result.reference is not None:
        return Authorization(result.reference, True, result.redirect_url)
    if not result.approved or result.reference is None:
        raise _declined(result)
    return Authorization(result.reference)


def _declined(result: GatewayResult) -> PaymentDeclined:
    return PaymentDeclined(
        f"the payment was declined ({result.decline_code or 'no reason given'})",
        decline_code=result.decline_code,
    )


class Settlement(StrEnum):
    """What a provider's signal (IPN, webhook, the shopper's return, a status query) says of a
    payment that waited for the shopper."""

    APPROVED = "approved"  # held or paid: the order can be confirmed
    FAILED = "failed"  # declined, cancelled or expired at the provider
    PENDING = "pending"  # no outcome yet: ask the provider


_SETTLEMENTS = {
    "authorized": Settlement.APPROVED, "captured": Settlement.APPROVED,
    "failed": Settlement.FAILED, "cancelled": Settlement.FAILED, "canceled": Settlement.FAILED,
    "expired": Settlement.FAILED, "voided": Settlement.FAILED,
}


def settlement_of(kind: str) -> Settlement:
    """A signal's kind in our terms; anything else (pending, approved by the shopper but not
    yet authorized, ignored) means the provider must be asked."""
    return _SETTLEMENTS.get(kind, Settlement.PENDING)


def poll(gateway: PaymentGateway, reference: str, idempotency_key: str) -> tuple[Settlement, str]:
    """Ask the provider how the attempt `reference` ended (PayPal authorizes the approved
    order here; VNPay and MoMo query it); the settlement and the reference to keep. A gateway
    that never answers "pending" has nothing to ask: its attempts are settled already."""
    complete = getattr(gateway, "complete", None)
    if complete is None:
        return Settlement.PENDING, reference
    result: GatewayResult = complete(reference, idempotency_key)
    if result.pending:
        return Settlement.PENDING, reference
    if result.approved:
        return Settlement.APPROVED, result.reference or reference
    return Settlement.FAILED, reference


@frozen
class PaymentRef:
    """A payment as another context needs to find its order from a provider's signal."""

    payment_id: str
    order_id: str
    status: str


def by_reference(uow: PaymentUnitOfWork, gateway: str, reference: str) -> PaymentRef | None:
    payment = uow.payments.by_reference(gateway, reference)
    if payment is None:
        return None
    return PaymentRef(payment.id, payment.order_id, payment.status.value)


def requires_action(uow: PaymentUnitOfWork, payment_id: str, authorization: Authorization, *,
                    now: datetime) -> None:
    uow.payments.get(payment_id).requires_action(authorization.reference,
                                                 authorization.redirect_url, now=now)


def reference(uow: PaymentUnitOfWork, payment_id: str) -> str | None:
    """The gateway's name for the payment's attempt or authorization, once it has one."""
    return uow.payments.get(payment_id).reference


def redirect_url(uow: PaymentUnitOfWork, payment_id: str) -> str | None:
    """Where the shopper pays, while the payment waits for them."""
    payment = uow.payments.get(payment_id)
    return payment.redirect_url if payment.status is PaymentStatus.REQUIRES_ACTION else None


def expired(uow: PaymentUnitOfWork, payment_id: str, *, now: datetime) -> None:
    uow.payments.get(payment_id).expired(now=now)


def authorized(uow: PaymentUnitOfWork, payment_id: str, reference: str, *,
               now: datetime) -> None:
    uow.payments.get(payment_id).authorized(reference, now=now)


def failed(uow: PaymentUnitOfWork, payment_id: str, code: str, message: str, *,
           now: datetime) -> None:
    uow.payments.get(payment_id).failed(code, message, now=now)


def voided(uow: PaymentUnitOfWork, payment_id: str, *, now: datetime) -> None:
    """The hold on the shopper's funds was released (or never existed)."""
    uow.payments.get(payment_id).voided(now=now)
