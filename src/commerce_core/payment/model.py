"""The payment aggregate: one payment of one order through one gateway, and the refunds of it.
No card data, ever: the shopper's instrument stays with the gateway; we keep its reference and
the outcome.

Every movement of money, and every attempt at one, is a `PaymentTransaction` appended to the
payment's ledger (never changed, never removed): the authorization, each capture (a payment may
be captured in parts, up to what was authorized, where its gateway allows), the void, each refund,
a failed capture. The counters (`captured_amount`, `refunded_amount`) are what the ledger sums to,
kept on the row so a check never reads the whole ledger.

A refund is its own aggregate (one per request, with the gateway's answer), but the payment
counts what is being and was refunded (`refunded_amount`): asking for a refund raises it in the
same transaction as the refund is created, under the payment's version, so two refunds asked for
at once cannot together exceed what was captured (one of them conflicts and is checked again).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.payment.errors import (
    CaptureNotPossible,
    DisputeClosedAlready,
    DisputeNotFound,
    InvalidPaymentState,
    RefundNotPossible,
)
from commerce_core.payment.events import (
    AuthorizationExpired,
    CaptureFailed,
    CollectionMismatched,
    DisputeClosed,
    DisputeOpened,
    PaymentActionRequired,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentExpired,
    PaymentFailed,
    PaymentRefunded,
    PaymentVoided,
    RefundFailed,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"  # the shopper pays on the provider's page
    AUTHORIZED = "authorized"
    # Part of the authorization was captured and more may follow (shipping in parts).
    PARTIALLY_CAPTURED = "partially_captured"
    CAPTURED = "captured"
    VOIDED = "voided"
    FAILED = "failed"
    EXPIRED = "expired"  # the shopper never finished paying in time
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


REFUNDABLE = (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED)
CAPTURABLE = (PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED)


class TransactionKind(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"
    EXPIRE = "expire"  # an attempt or authorization that lapsed: nothing is held any more
    # A chargeback: succeeded when opened (the provider holds the amount back) and when lost
    # (it stays with the cardholder); failed when won (the claim failed, the money is ours).
    DISPUTE = "dispute"


class TransactionStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@frozen
class PaymentTransaction:
    """One line of a payment's ledger. `reference` is the gateway's name for the movement
    where it has one; `refund_id` ties a refund line to its request; `failure_code` says why
    a failed attempt failed."""

    kind: TransactionKind
    status: TransactionStatus
    amount: Money
    created_at: datetime
    reference: str | None = None
    refund_id: str | None = None
    failure_code: str | None = None


class DisputeStatus(StrEnum):
    OPEN = "open"
    WON = "won"  # the shop keeps the money
    LOST = "lost"  # the money went back to the cardholder: it counts as refunded


@define
class Dispute:
    """A chargeback the cardholder opened with their bank, as the gateway reported it; `id` is
    the gateway's name for it (unique within the payment)."""

    id: str
    amount: Money
    reason: str
    status: DisputeStatus
    opened_at: datetime
    closed_at: datetime | None = None


@define(eq=False)
class Payment:
    id: str
    order_id: str
    amount: Money
    method: str
    gateway: str
    idempotency_key: str
    status: PaymentStatus
    reference: str | None
    failure_code: str | None
    created_at: datetime
    updated_at: datetime
    # Asked for and given back, in the payment's currency; refunds that fail give theirs back.
    refunded_amount: int = 0
    # Where the shopper pays, while the payment requires action on the provider's page.
    redirect_url: str | None = None
    captured_amount: int = 0
    # A capture asked for whose gateway could not answer: the retry job asks again, same key.
    capture_pending: int = 0
    capture_final: bool = True
    capture_attempts: int = 0
    capture_retry_at: datetime | None = None
    authorized_at: datetime | None = None
    # Cash on delivery: what the courier collected minus what was owed (spec "amount_mismatch").
    collection_difference: int = 0
    transactions: list[PaymentTransaction] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)
    disputes: list[Dispute] = field(factory=list)

    @property
    def open_dispute(self) -> Dispute | None:
        """The chargeback still being decided, if any (spec: the payment is `disputed`)."""
        return next((d for d in self.disputes if d.status is DisputeStatus.OPEN), None)

    def dispute_opened(self, dispute_id: str, amount: Money | None, reason: str, *,
                       now: datetime) -> bool:
        """The gateway reported a chargeback of (at most) what was captured; False when this
        dispute is known already (a redelivered notification)."""
        if any(d.id == dispute_id for d in self.disputes):
            return False
        if not self.captured_amount:
            raise InvalidPaymentState(f"payment {self.id} took no money to dispute",
                                      payment_id=self.id, status=self.status.value)
        asked = (amount.amount if amount is not None and amount.currency == self.amount.currency
                 and amount.amount > 0 else self.captured_amount)
        held = Money(min(asked, self.captured_amount), self.amount.currency)
        self.disputes.append(Dispute(dispute_id, held, reason, DisputeStatus.OPEN, now))
        self.updated_at = now
        self._record(TransactionKind.DISPUTE, held, now, reference=dispute_id)
        self.events.append(DisputeOpened(self.id, self.order_id, dispute_id, held, reason,
                                         self.gateway, now))
        return True

    def dispute_closed(self, dispute_id: str, outcome: DisputeStatus, *, now: datetime) -> bool:
        """Record the decision; False when it was recorded already. A lost dispute counts as
        refunded (what is left to refund shrinks by it), so no refund can give it twice."""
        dispute = next((d for d in self.disputes if d.id == dispute_id), None)
        if dispute is None:
            raise DisputeNotFound(f"payment {self.id} has no dispute {dispute_id}",
                                  payment_id=self.id, dispute_id=dispute_id)
        if outcome is DisputeStatus.OPEN:
            raise InvalidPaymentState("a dispute closes as won or lost", payment_id=self.id,
                                      status=self.status.value)
        if dispute.status is outcome:
            return False
        if dispute.status is not DisputeStatus.OPEN:
            raise DisputeClosedAlready(
                f"dispute {dispute_id} was closed as {dispute.status}", payment_id=self.id,
                dispute_id=dispute_id, outcome=dispute.status.value)
        dispute.status, dispute.closed_at, self.updated_at = outcome, now, now
        if outcome is DisputeStatus.LOST:
            gone = min(dispute.amount.amount, self.captured_amount - self.refunded_amount)
            self.refunded_amount += max(gone, 0)
            if self.status in REFUNDABLE:
                self.status = (PaymentStatus.REFUNDED
                               if self.refunded_amount >= self.captured_amount
                               else PaymentStatus.PARTIALLY_REFUNDED)
            self._record(TransactionKind.DISPUTE, dispute.amount, now, reference=dispute_id)
        else:
            self._record(TransactionKind.DISPUTE, dispute.amount, now, reference=dispute_id,
                         failed="dispute_won")
        self.events.append(DisputeClosed(self.id, self.order_id, dispute_id, dispute.amount,
                                         outcome.value, self.gateway, now))
        return True

    @property
    def refundable(self) -> Money:
        """What is left to refund: captured minus what refunds asked for."""
        if self.status not in REFUNDABLE:
            return Money(0, self.amount.currency)
        return Money(self.captured_amount - self.refunded_amount, self.amount.currency)

    @property
    def capturable(self) -> Money:
        """What is authorized and not yet captured."""
        if self.status not in CAPTURABLE:
            return Money(0, self.amount.currency)
        return Money(self.amount.amount - self.captured_amount, self.amount.currency)

    def _record(self, kind: TransactionKind, amount: Money, now: datetime, *,
                failed: str | None = None, reference: str | None = None,
                refund_id: str | None = None) -> None:
        self.transactions.append(PaymentTransaction(
            kind, TransactionStatus.FAILED if failed else TransactionStatus.SUCCEEDED, amount,
            now, reference if reference is not None else self.reference, refund_id, failed))

    @classmethod
    def start(
        cls, *, payment_id: str, order_id: str, amount: Money, method: str, gateway: str,
        idempotency_key: str, now: datetime,
    ) -> Payment:
        return cls(payment_id, order_id, amount, method, gateway, idempotency_key,
                   PaymentStatus.PENDING, None, None, now, now)

    def rerouted(self, gateway: str, idempotency_key: str, *, now: datetime) -> None:
        """The next attempt goes to `gateway` under its own key: the one before certainly
        took no money (its breaker was open or it answered that it did not act), so the
        payment names where money may now be held, and nothing else."""
        self._require(PaymentStatus.PENDING)
        self.gateway, self.idempotency_key, self.updated_at = gateway, idempotency_key, now

    def _require(self, *allowed: PaymentStatus) -> None:
        if self.status not in allowed:
            raise InvalidPaymentState(
                f"payment {self.id} is {self.status}", payment_id=self.id,
                status=self.status.value,
            )

    def requires_action(self, reference: str, redirect_url: str | None, *,
                        now: datetime) -> None:
        """The provider answered "pending": the shopper pays at `redirect_url`, and `reference`
        names the attempt the provider's signals (IPN, webhook, return) will quote."""
        if self.status is PaymentStatus.REQUIRES_ACTION and self.reference == reference:
            return
        self._require(PaymentStatus.PENDING)
        self.status, self.reference, self.redirect_url = (
            PaymentStatus.REQUIRES_ACTION, reference, redirect_url)
        self.updated_at = now
        self.events.append(PaymentActionRequired(self.id, self.order_id, self.amount,
                                                 self.gateway, reference, now))

    def authorized(self, reference: str, *, now: datetime) -> None:
        if self.status is PaymentStatus.AUTHORIZED and self.reference == reference:
            return
        self._require(PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)
        self.status, self.reference, self.updated_at = PaymentStatus.AUTHORIZED, reference, now
        self.redirect_url, self.authorized_at = None, now
        self._record(TransactionKind.AUTHORIZE, self.amount, now)
        self.events.append(
            PaymentAuthorized(self.id, self.order_id, self.amount, self.gateway, reference, now)
        )

    def failed(self, code: str, message: str, *, now: datetime) -> None:
        if self.status is PaymentStatus.FAILED:
            return
        self._require(PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)
        self.status, self.failure_code, self.updated_at = PaymentStatus.FAILED, code, now
        self.redirect_url = None
        self._record(TransactionKind.AUTHORIZE, self.amount, now, failed=code)
        self.events.append(
            PaymentFailed(self.id, self.order_id, self.amount, self.gateway, code, message, now)
        )

    def captured(self, *, now: datetime, amount: Money | None = None, final: bool = True,
                 reference: str | None = None) -> None:
        """The gateway took `amount` (all that is left when None). A final capture releases
        whatever of the authorization is left; a non-final one leaves it capturable."""
        if self.status is PaymentStatus.CAPTURED:
            return
        self._require(*CAPTURABLE)
        taken = amount if amount is not None else self.capturable
        self._check_capture(taken)
        self.captured_amount += taken.amount
        self.capture_pending, self.capture_attempts, self.capture_retry_at = 0, 0, None
        whole = self.captured_amount >= self.amount.amount
        self.status = (PaymentStatus.CAPTURED if final or whole
                       else PaymentStatus.PARTIALLY_CAPTURED)
        self.updated_at = now
        self._record(TransactionKind.CAPTURE, taken, now, reference=reference)
        self.events.append(PaymentCaptured(
            self.id, self.order_id, taken, self.gateway, now,
            Money(self.captured_amount, self.amount.currency),
            self.status is PaymentStatus.CAPTURED))

    def _check_capture(self, amount: Money) -> None:
        if amount.currency != self.amount.currency or amount.amount <= 0:
            raise CaptureNotPossible(
                f"a capture of payment {self.id} is a positive amount in {self.amount.currency}",
                payment_id=self.id)
        if amount > self.capturable:
            raise CaptureNotPossible(
                f"only {self.capturable} of payment {self.id} is left to capture",
                payment_id=self.id, capturable=self.capturable.amount, requested=amount.amount)

    def capture_requested(self, amount: Money, *, final: bool) -> None:
        """Remember a capture before asking the gateway, so a lost answer is asked again."""
        self._require(*CAPTURABLE)
        self._check_capture(amount)
        self.capture_pending, self.capture_final = amount.amount, final

    def capture_unanswered(self, code: str, *, now: datetime, retry_at: datetime | None) -> None:
        """The gateway did not answer the capture (timeout, outage): the ledger says so and the
        retry job asks again at `retry_at` under the same key (never when None: staff decide)."""
        self.capture_attempts += 1
        self.capture_retry_at, self.updated_at = retry_at, now
        self._record(TransactionKind.CAPTURE, Money(self.capture_pending, self.amount.currency),
                     now, failed=code)
        self.events.append(CaptureFailed(self.id, self.order_id,
                                         Money(self.capture_pending, self.amount.currency),
                                         code, retry_at is not None, self.capture_attempts, now))

    def capture_refused(self, code: str, *, now: datetime) -> None:
        """The gateway refused the capture: nothing was taken and nothing will be retried."""
        refused = Money(self.capture_pending, self.amount.currency)
        self.capture_pending, self.capture_retry_at, self.updated_at = 0, None, now
        self.capture_attempts += 1
        self._record(TransactionKind.CAPTURE, refused, now, failed=code)
        self.events.append(CaptureFailed(self.id, self.order_id, refused, code, False,
                                         self.capture_attempts, now))

    def collection_recorded(self, collected: Money, *, now: datetime) -> None:
        """The courier collected `collected` at the door (before its capture is recorded): a
        difference from what was owed is kept and announced, never silently absorbed."""
        self._require(PaymentStatus.AUTHORIZED)
        self.collection_difference = collected.amount - self.amount.amount
        self.updated_at = now
        if self.collection_difference:
            self.events.append(CollectionMismatched(
                self.id, self.order_id, self.amount, collected,
                Money(self.collection_difference, self.amount.currency), now))

    def collection_failed(self, reason: str, *, now: datetime) -> None:
        """Nobody paid at the door: nothing will be collected for this payment."""
        if self.status is PaymentStatus.FAILED:
            return
        self._require(PaymentStatus.AUTHORIZED)
        self.status, self.failure_code, self.updated_at = (
            PaymentStatus.FAILED, "cod_not_collected", now)
        self._record(TransactionKind.CAPTURE, self.amount, now, failed="cod_not_collected")
        self.events.append(PaymentFailed(self.id, self.order_id, self.amount, self.gateway,
                                         "cod_not_collected", reason, now))

    def late_sale(self, reference: str, *, now: datetime) -> None:
        """The shopper paid a sale after the checkout gave up (VNPay, MoMo: a sale cannot be
        voided): the money is the shop's until it is given back, so the ledger says so and the
        payment counts it as captured (refundable), without paying for the cancelled order."""
        if self.captured_amount:
            return
        self._require(PaymentStatus.EXPIRED, PaymentStatus.FAILED, PaymentStatus.VOIDED)
        self.reference = self.reference or reference
        self.captured_amount, self.status, self.updated_at = (
            self.amount.amount, PaymentStatus.CAPTURED, now)
        self._record(TransactionKind.CAPTURE, self.amount, now, reference=reference)

    def authorization_expired(self, *, now: datetime) -> None:
        """The hold lapsed before (all of) it was captured: what is left cannot be taken."""
        self._require(*CAPTURABLE)
        left = self.capturable
        self.capture_pending, self.capture_retry_at, self.updated_at = 0, None, now
        if self.status is PaymentStatus.PARTIALLY_CAPTURED:
            self.status = PaymentStatus.CAPTURED
        else:
            self.status = PaymentStatus.EXPIRED
        self._record(TransactionKind.EXPIRE, left, now)
        self.events.append(AuthorizationExpired(self.id, self.order_id, left, self.gateway, now))

    def expired(self, *, now: datetime) -> None:
        """The shopper did not pay within the window: nothing is held any more."""
        if self.status is PaymentStatus.EXPIRED:
            return
        self._require(PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)
        self.status, self.updated_at, self.redirect_url = PaymentStatus.EXPIRED, now, None
        self._record(TransactionKind.EXPIRE, self.amount, now)
        self.events.append(PaymentExpired(self.id, self.order_id, self.amount, self.gateway,
                                          now))

    def voided(self, *, now: datetime) -> None:
        """The hold on the shopper's funds was released (or never existed). After a partial
        capture, what is left of the hold is released and the payment counts as captured."""
        if self.status is PaymentStatus.VOIDED:
            return
        self._require(PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION,
                      PaymentStatus.AUTHORIZED, PaymentStatus.PARTIALLY_CAPTURED,
                      PaymentStatus.FAILED)
        released = (self.capturable if self.status in CAPTURABLE
                    else Money(0, self.amount.currency))
        self.capture_pending, self.capture_retry_at = 0, None
        self.updated_at, self.redirect_url = now, None
        if self.status is PaymentStatus.PARTIALLY_CAPTURED:
            self.status = PaymentStatus.CAPTURED
            self._record(TransactionKind.VOID, released, now)
            return
        self.status = PaymentStatus.VOIDED
        if released.amount:
            self._record(TransactionKind.VOID, released, now)
        self.events.append(PaymentVoided(self.id, self.order_id, self.amount, self.gateway, now))

    def refunded(self, *, now: datetime) -> None:
        """All that is left went back at once (an order cancelled after capture)."""
        if self.status is PaymentStatus.REFUNDED:
            return
        self._require(*REFUNDABLE)
        back = self.refundable
        self.refunded_amount = self.captured_amount
        self.status, self.updated_at = PaymentStatus.REFUNDED, now
        self._record(TransactionKind.REFUND, back, now)
        self.events.append(PaymentRefunded(self.id, self.order_id, back, self.gateway, now,
                                           None, Money(self.captured_amount,
                                                       self.amount.currency), True))

    def hold_refund(self, amount: Money, *, now: datetime) -> None:
        """Count `amount` as being refunded, if that much is left."""
        if self.status is PaymentStatus.REFUNDED:
            raise RefundNotPossible(f"payment {self.id} was refunded in full",
                                    payment_id=self.id, refundable=0)
        self._require(*REFUNDABLE)
        if amount.currency != self.amount.currency or amount.amount <= 0:
            raise RefundNotPossible(
                f"a refund of payment {self.id} is a positive amount in {self.amount.currency}",
                payment_id=self.id)
        if amount > self.refundable:
            raise RefundNotPossible(
                f"only {self.refundable} of payment {self.id} is left to refund",
                payment_id=self.id, refundable=self.refundable.amount,
                requested=amount.amount)
        self.refunded_amount += amount.amount
        self.updated_at = now

    def refund_completed(self, refund: Refund, *, now: datetime) -> None:
        self.status = (PaymentStatus.REFUNDED if self.refunded_amount >= self.captured_amount
                       else PaymentStatus.PARTIALLY_REFUNDED)
        self.updated_at = now
        self._record(TransactionKind.REFUND, refund.amount, now, reference=refund.reference,
                     refund_id=refund.id)
        self.events.append(PaymentRefunded(
            self.id, self.order_id, refund.amount, self.gateway, now, refund.id,
            Money(self.refunded_amount, self.amount.currency),
            self.status is PaymentStatus.REFUNDED))

    def refund_failed(self, refund: Refund, *, now: datetime) -> None:
        """The gateway gave nothing back: the amount is refundable again."""
        self.refunded_amount -= refund.amount.amount
        self.updated_at = now
        self._record(TransactionKind.REFUND, refund.amount, now, refund_id=refund.id,
                     failed=refund.decline_code or "refused")


class RefundStatus(StrEnum):
    PENDING = "pending"  # asked for; the gateway's answer is awaited (or was lost)
    COMPLETED = "completed"
    FAILED = "failed"


@define(eq=False)
class Refund:
    """One refund request of a payment, keyed by the caller's idempotency key."""

    id: str
    payment_id: str
    order_id: str
    amount: Money
    idempotency_key: str
    reason: str
    status: RefundStatus
    reference: str | None
    decline_code: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def request(cls, *, refund_id: str, payment: Payment, amount: Money, idempotency_key: str,
                reason: str, now: datetime) -> Refund:
        payment.hold_refund(amount, now=now)
        return cls(refund_id, payment.id, payment.order_id, amount, idempotency_key, reason,
                   RefundStatus.PENDING, None, None, now, now)

    @property
    def gateway_key(self) -> str:
        """The gateway idempotency key: a retry of this refund never gives money twice."""
        return f"refund:{self.id}"

    def completed(self, payment: Payment, reference: str | None, *, now: datetime) -> None:
        if self.status is not RefundStatus.PENDING:
            return
        self.status, self.reference, self.updated_at = RefundStatus.COMPLETED, reference, now
        payment.refund_completed(self, now=now)

    def failed(self, payment: Payment, decline_code: str | None, *, now: datetime) -> None:
        if self.status is not RefundStatus.PENDING:
            return
        self.status, self.decline_code, self.updated_at = RefundStatus.FAILED, decline_code, now
        payment.refund_failed(self, now=now)
        self.events.append(RefundFailed(self.id, self.payment_id, self.order_id, self.amount,
                                        decline_code, now))
