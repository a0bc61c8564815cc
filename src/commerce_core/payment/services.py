"""What payment offers other contexts: the payment of a new order (inside the caller's
transaction) and the calls to the gateway a checkout makes (outside any transaction)."""

from __future__ import annotations

from datetime import datetime

from commerce_core.payment.errors import PaymentDeclined
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import AuthorizationRequest, PaymentGateway, PaymentUnitOfWork
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


def authorize(gateway: PaymentGateway, request: AuthorizationRequest) -> str:
    """Ask the gateway to hold the amount; the authorization's reference, or `PaymentDeclined`.
    Idempotent on the request's key; a timeout or outage propagates (`ServiceUnavailable`)."""
    result = gateway.authorize(request)
    if not result.approved or result.reference is None:
        raise PaymentDeclined(
            f"the payment was declined ({result.decline_code or 'no reason given'})",
            decline_code=result.decline_code,
        )
    return result.reference


def authorized(uow: PaymentUnitOfWork, payment_id: str, reference: str, *,
               now: datetime) -> None:
    uow.payments.get(payment_id).authorized(reference, now=now)


def failed(uow: PaymentUnitOfWork, payment_id: str, code: str, message: str, *,
           now: datetime) -> None:
    uow.payments.get(payment_id).failed(code, message, now=now)


def voided(uow: PaymentUnitOfWork, payment_id: str, *, now: datetime) -> None:
    """The hold on the shopper's funds was released (or never existed)."""
    uow.payments.get(payment_id).voided(now=now)
