"""What payment offers other contexts: the payment of a new order (inside the caller's
transaction) and the calls to the gateway a checkout makes (outside any transaction)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from attrs import evolve, frozen

from commerce_core.ledger import services as ledger
from commerce_core.payment.errors import (
    GatewayUnavailable,
    PaymentDeclined,
    RefundNotPossible,
    TenderRefused,
)
from commerce_core.payment.model import REFUNDABLE, Payment, PaymentStatus, Refund, RefundStatus
from commerce_core.payment.ports import (
    AuthorizationRequest,
    GatewayResult,
    GatewayRouting,
    PaymentGateway,
    PaymentUnitOfWork,
)
from commerce_core.payment.tenders import (
    Tender,
    TenderKind,
    TenderPolicy,
    TenderStatus,
    check_points,
    in_refund_order,
)
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
    failed over to that gateway (then the payment changed since the caller last read it).
    `pending`: the gateway waits for the shopper on its page at `redirect_url` (or for the
    provider); `reference` then names the attempt its signals will quote."""

    reference: str
    gateway: str
    rerouted: bool = False
    pending: bool = False
    redirect_url: str | None = None


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
        if result.pending and result.reference is not None:
            return Authorized(result.reference, name, position > 0, True, result.redirect_url)
        if not result.approved or result.reference is None:
            raise PaymentDeclined(
                f"the payment was declined ({result.decline_code or 'no reason given'})",
                decline_code=result.decline_code,
            )
        return Authorized(result.reference, name, rerouted=position > 0)
    raise AssertionError("a route names at least one gateway")


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


def by_reference(uow: PaymentUnitOfWork, gateway: str, reference: str) -> PaymentRef | None:
    payment = uow.payments.by_reference(gateway, reference)
    if payment is None:
        return None
    return PaymentRef(payment.id, payment.order_id)


def release_late(gateways: GatewayRouting, uow: UnitOfWorkFactory[PaymentUnitOfWork],
                 payment_id: str, reference: str | None, *, clock: Clock) -> None:
    """Money the shopper gave after the checkout gave up goes back: a hold is voided; a sale
    (a gateway with no hold to lapse: VNPay, MoMo's one-step payment) is recorded and refunded
    in full under a key of its own. A refund the gateway refuses leaves the payment captured
    and refundable by staff, and says so in the log."""
    with uow() as tx:
        payment = tx.payments.get(payment_id)
    gateway = gateways.gateway(payment.gateway)
    gateway.void(payment.idempotency_key)
    reference = reference or payment.reference
    if getattr(gateway, "authorization_window", ...) is not None or reference is None:
        return  # a hold: voiding it gave the money back
    with uow() as tx:
        tx.payments.get(payment_id).late_sale(reference, now=clock.now())
        tx.commit()
    result = gateway.refund(reference, payment.amount, f"payment:{payment_id}:late-refund")
    with uow() as tx:
        late = tx.payments.get(payment_id)
        if result.approved:
            late.refunded(now=clock.now())
        else:
            log.error("payment %s: the late sale %s was not refunded (%s); refund it by hand",
                      payment_id, reference, result.decline_code)
        tx.commit()


def amount_of(uow: PaymentUnitOfWork, payment_id: str) -> Money:
    return uow.payments.get(payment_id).amount


def holds_money(uow: PaymentUnitOfWork, payment_id: str) -> bool:
    """Whether the payment was authorized (or further): the shop holds or took its money."""
    return uow.payments.get(payment_id).status in (
        PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED, PaymentStatus.CAPTURED,
        PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


def requires_action(uow: PaymentUnitOfWork, payment_id: str, authorization: Authorized, *,
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


@frozen
class RefundOutcome:
    """Where a keyed refund stands: `completed`, `failed` (the gateway refused it) or
    `pending` (asked for; the gateway's answer was lost and the same key finishes it)."""

    refund_id: str
    status: str
    amount: Money
    decline_code: str | None = None


def _keyed_refund_id(idempotency_key: str) -> str:
    # The refund's id, and so its gateway key, follows from the caller's key: an attempt rolled
    # back after the gateway acted asks the gateway again under the same key, never anew.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"commerce:refund:{idempotency_key}"))


def refund_once(uow: PaymentUnitOfWork, gateways: GatewayRouting, *, order_id: str,
                idempotency_key: str, amount: Money, reason: str, now: datetime) -> RefundOutcome:
    """Refund `amount` (at most what is left) of the order's payment once per
    `idempotency_key`, in the caller's transaction: the refund stored under the key is looked
    up first, so a repeated call never moves money twice. A pending refund (its answer lost) is
    asked again under its own gateway key. `GatewayTimeout` / `GatewayUnavailable` propagate
    with the refund still pending in the transaction: commit it and call again later."""
    refund = uow.refunds.by_key(idempotency_key)
    if refund is None:
        payments = [p for p in uow.payments.for_order(order_id) if p.status in REFUNDABLE]
        if not payments:
            raise RefundNotPossible(f"order {order_id} has no captured payment to refund",
                                    order_id=order_id, refundable=0)
        payment = payments[-1]
        asked = min(amount, payment.refundable, key=lambda m: m.amount)
        refund = Refund.request(refund_id=_keyed_refund_id(idempotency_key), payment=payment,
                                amount=asked, idempotency_key=idempotency_key, reason=reason,
                                now=now)
        uow.refunds.add(refund)
    else:
        payment = uow.payments.get(refund.payment_id)
    if refund.status is RefundStatus.PENDING:
        assert payment.reference is not None  # a captured payment has its gateway reference
        result = gateways.gateway(payment.gateway).refund(payment.reference, refund.amount,
                                                          refund.gateway_key)
        if result.approved:
            refund.completed(payment, result.reference, now=now)
        else:
            refund.failed(payment, result.decline_code, now=now)
    return RefundOutcome(refund.id, refund.status.value, refund.amount, refund.decline_code)


def refund_status(uow: PaymentUnitOfWork, idempotency_key: str) -> RefundOutcome | None:
    """The refund asked for under `idempotency_key`, if any."""
    refund = uow.refunds.by_key(idempotency_key)
    if refund is None:
        return None
    return RefundOutcome(refund.id, refund.status.value, refund.amount, refund.decline_code)


def open_dispute(uow: PaymentUnitOfWork, order_id: str) -> str | None:
    """The id of a chargeback still being decided on one of the order's payments, if any: the
    caller (a return's refund) waits for its decision rather than give money twice."""
    for found in uow.payments.for_order(order_id):
        dispute = found.open_dispute
        if dispute is not None:
            return dispute.id
    return None


# -- stored value (ADR 0028) --------------------------------------------------------------------
@frozen
class TenderHold:
    """Stored value a checkout pays with: `units` of the ledger account, worth `value` minor
    units of the order's currency."""

    kind: TenderKind
    account_id: str
    units: int
    value: int


@frozen
class RestoreTarget:
    """Where a refunded tender's value goes back to, and when that lot expires."""

    account_id: str
    expires_at: datetime | None = None


def hold_tenders(uow: PaymentUnitOfWork, *, order_id: str, checkout_id: str, total: Money,
                 holds: Sequence[TenderHold], policy: TenderPolicy, expires_at: datetime,
                 now: datetime, ids: IdGenerator) -> int:
    """Hold every tender's value on its ledger account under the checkout's id, all or
    nothing (a refusal raises and the caller's transaction rolls back); returns their value,
    which the card payment does not need to cover. Points follow the policy's rules."""
    seen: set[str] = set()
    covered = 0
    for wanted in holds:
        if wanted.account_id in seen:
            raise TenderRefused("one account pays once per order", account_id=wanted.account_id)
        seen.add(wanted.account_id)
        account = ledger.get_account(uow, wanted.account_id)
        unit = "points" if wanted.kind is TenderKind.POINTS else total.currency
        if account.kind.value != wanted.kind.value or account.unit != unit:
            raise TenderRefused(f"account {account.id} cannot pay a {wanted.kind.value} "
                                f"tender in {total.currency}", account_id=account.id)
        if wanted.kind is TenderKind.POINTS:
            check_points(wanted.units, total, policy)
        covered += wanted.value
        if covered > total.amount:
            raise TenderRefused(f"the stored value tendered is more than the order's "
                                f"{total}", total=total.amount, tendered=covered)
        ledger.hold(uow, account.id, wanted.units, reference=checkout_id,
                    expires_at=expires_at)
        uow.tenders.add(Tender(ids.new_id(), order_id, checkout_id, wanted.kind, account.id,
                               wanted.units, wanted.value, total.currency, TenderStatus.HELD,
                               now, now))
    return covered


def tenders_of(uow: PaymentUnitOfWork, order_id: str) -> list[Tender]:
    return uow.tenders.of_order(order_id)


def capture_tenders(uow: PaymentUnitOfWork, order_id: str, *, now: datetime) -> None:
    """Spend what the order's tenders hold (its confirmation); once."""
    for tender in sorted(uow.tenders.of_order(order_id), key=lambda t: t.account_id):
        if tender.status is TenderStatus.HELD:
            ledger.capture(uow, tender.account_id, tender.hold_reference, source="order",
                           source_id=order_id)
            tender.captured(now=now)


def release_tenders(uow: PaymentUnitOfWork, order_id: str, *, now: datetime) -> None:
    """Free what the order's tenders still hold (a failed checkout); once."""
    for tender in uow.tenders.of_order(order_id):
        if tender.status is TenderStatus.HELD:
            ledger.release(uow, tender.account_id, tender.hold_reference)
            tender.released(now=now)


def refund_tenders(uow: PaymentUnitOfWork, order_id: str, *, source_id: str, amount: Money,
                   target: Callable[[Tender], RestoreTarget], now: datetime) -> Money:
    """Give `amount` back to the order's captured tenders in the refund order (points, gift
    cards, store credit), each at most what it paid less what earlier refunds gave back;
    returns what is left for the card. Once per `source_id` (a return, the cancellation):
    a repeat finds its shares recorded and credits nothing twice (the ledger postings are keyed
    by it too), so it returns the same rest."""
    left = amount.amount
    for tender in in_refund_order(uow.tenders.of_order(order_id)):
        if tender.status is not TenderStatus.CAPTURED or left <= 0:
            continue
        done = tender.refund_of(source_id)
        share = done if done is not None else tender.share(left)
        if share.units > 0:
            goes_to = target(tender)
            ledger.credit(uow, goes_to.account_id, share.units, source="refund",
                          source_id=f"{source_id}:{tender.id}", counter="restored",
                          expires_at=goes_to.expires_at,
                          memo=f"order {order_id}")
            tender.refunded(source_id, share.units, share.value, now=now)
        left -= share.value
    return Money(max(left, 0), amount.currency)
