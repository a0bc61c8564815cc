"""What payment offers other contexts: the payment of a new order (inside the caller's
transaction) and the calls to the gateway a checkout makes (outside any transaction)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from attrs import evolve, frozen

from commerce_core.payment.errors import GatewayUnavailable, PaymentDeclined
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import AuthorizationRequest, GatewayRouting, PaymentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.payment")


def start(uow: PaymentUnitOfWork, *, order_id: str, amount: Money, method: str,
          gateway: str, idempotency_key: str, now: datetime, ids: IdGenerator) -> str:
    """A pending payment of the order, before any gateway call; returns its id."""
    payment = Payment.start(payment_id=ids.new_id(), order_id=order_id, amount=amount,
                            method=method, gateway=gateway, idempotency_key=idempotency_key,
                            now=now)
    uow.payments.add(payment)
    return payment.id


@frozen
class Authorized:
    """An authorization: its reference, the gateway that holds it, and whether the payment
    failed over to that gateway (then the payment changed since the caller last read it)."""

    reference: str
    gateway: str
    rerouted: bool = False


def route(gateways: GatewayRouting, *, method: str, currency: str,
          country: str | None) -> tuple[str, ...]:
    """The gateways that may take the payment, in the order to try them; the first is the one
    to `start` the payment with. `NoEligibleGateway` when none may: before any money moves."""
    return gateways.route(method, currency, country)


def attempt(uow: PaymentUnitOfWork, payment_id: str) -> tuple[str, str]:
    """The gateway and idempotency key of the payment's current attempt: where a void goes."""
    payment = uow.payments.get(payment_id)
    return payment.gateway, payment.idempotency_key


def authorize(gateways: GatewayRouting, uow: UnitOfWorkFactory[PaymentUnitOfWork],
              request: AuthorizationRequest, *, route: Sequence[str],
              clock: Clock) -> Authorized:
    """Ask the gateway to hold the amount; the authorization, or `PaymentDeclined`.
    Outside any transaction, idempotent on each attempt's key.

    `route` is what `route` gave when the payment was started, its first gateway the one the
    payment names and `request.idempotency_key` its key. While a gateway certainly took no money
    (its breaker is open, or it raised `GatewayUnavailable`) the next one is tried under a key of
    its own, the payment switched to it first (committed before the call, so a restart resumes
    at the right gateway). A `GatewayTimeout` propagates: the gateway may have acted, and the
    caller voids by key. With an empty `route` (resuming an attempt another process may have
    made) the payment's own gateway and key are asked again, and nothing else.
    """
    if route:
        names, key = list(route), request.idempotency_key
    else:
        with uow() as tx:
            name, key = attempt(tx, request.payment_id)
        names = [name]
    for position, name in enumerate(names):
        if position:
            key = f"{request.idempotency_key}:{name}"
            with uow() as tx:
                tx.payments.get(request.payment_id).rerouted(name, key, now=clock.now())
                tx.commit()
        try:
            result = gateways.authorize(name, evolve(request, idempotency_key=key))
        except GatewayUnavailable as error:
            if position + 1 == len(names):
                raise
            log.warning("payment %s: gateway %s took nothing (%s); trying %s",
                        request.payment_id, name, error.message, names[position + 1])
            continue
        if not result.approved or result.reference is None:
            raise PaymentDeclined(
                f"the payment was declined ({result.decline_code or 'no reason given'})",
                decline_code=result.decline_code,
            )
        return Authorized(result.reference, name, rerouted=position > 0)
    raise AssertionError("a route names at least one gateway")


def authorized(uow: PaymentUnitOfWork, payment_id: str, reference: str, *,
               now: datetime) -> None:
    uow.payments.get(payment_id).authorized(reference, now=now)


def failed(uow: PaymentUnitOfWork, payment_id: str, code: str, message: str, *,
           now: datetime) -> None:
    uow.payments.get(payment_id).failed(code, message, now=now)


def voided(uow: PaymentUnitOfWork, payment_id: str, *, now: datetime) -> None:
    """The hold on the shopper's funds was released (or never existed)."""
    uow.payments.get(payment_id).voided(now=now)
