"""The return aggregate, its state machine (spec returns §3), the refund arithmetic (§2.7) and
the risk score that decides approval (§2.10).

Every accepted move appends a status-history entry; the events recorded with it reach the outbox
in the same transaction. `open_order_id` holds the order's id while the return is open and is
unique in storage: two open returns of one order cannot both be committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.ordering.queries import ReturnableOrder
from commerce_core.returns.errors import InvalidReturn, InvalidReturnTransition
from commerce_core.returns.events import (
    CompletedItem,
    ExchangeApproved,
    ExchangeCompleted,
    ExchangeItem,
    ExchangeRequested,
    RefundEstimate,
    RequestedItem,
    ReturnApproved,
    ReturnCancelled,
    ReturnCompleted,
    ReturnRefunded,
    ReturnRefundFailed,
    ReturnRejected,
    ReturnRequested,
)
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class ReturnStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    PROCESSING = "processing"
    COMPLETED = "completed"
    REFUND_FAILED = "refund_failed"
    RESTOCK_FAILED = "restock_failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


S = ReturnStatus
TRANSITIONS: Mapping[ReturnStatus, frozenset[ReturnStatus]] = {
    S.PENDING: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CANCELLED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.PROCESSING, S.REJECTED}),
    S.PROCESSING: frozenset({S.COMPLETED, S.RESTOCK_FAILED}),
    # The refund follows `returns.return_completed`; when it fails the return says so until the
    # compensation job gets it through.
    S.COMPLETED: frozenset({S.REFUND_FAILED}),
    S.REFUND_FAILED: frozenset({S.COMPLETED}),
    S.RESTOCK_FAILED: frozenset({S.COMPLETED, S.CANCELLED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN = frozenset({S.PENDING, S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.PROCESSING})
# Returns whose units no longer count as returned or on their way back.
VOID = frozenset({S.REJECTED, S.CANCELLED})


class Reason(StrEnum):
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    DAMAGED = "damaged"
    OTHER = "other"


SELLER_FAULT = frozenset({Reason.DEFECTIVE, Reason.WRONG_ITEM, Reason.NOT_AS_DESCRIBED,
                          Reason.DAMAGED})
REASON_CATEGORY: Mapping[Reason, str] = {
    Reason.DEFECTIVE: "quality", Reason.WRONG_ITEM: "other",
    Reason.NOT_AS_DESCRIBED: "quality", Reason.CHANGED_MIND: "changed_mind",
    Reason.DAMAGED: "damage", Reason.OTHER: "other",
}


class ReturnType(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"


class Condition(StrEnum):
    NEW = "new"
    LIKE_NEW = "like_new"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    USED = "used"
    DAMAGED = "damaged"
    DEFECTIVE = "defective"


SELLABLE = frozenset({Condition.NEW, Condition.LIKE_NEW, Condition.GOOD})

# How a refund is paid (an exchange is set by the return itself).
STORE_CREDIT = "store_credit"
REFUND_METHODS = ("original_payment", STORE_CREDIT)


class Disposition(StrEnum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    DESTROY = "destroy"
    RETURN_TO_CUSTOMER = "return_to_customer"


class RefundState(StrEnum):
    NONE = "none"  # nothing asked yet (the return is not completed)
    DONE = "done"
    FAILED = "failed"  # the compensation job asks again under the same key
    DLQ = "dlq"  # every attempt failed: a person refunds by hand
    NOTHING = "nothing"  # nothing to refund (zero amount)
    # A chargeback of the order is open (rule 17): the gateway is not asked until it is decided.
    PAUSED = "paused"
    # The chargeback was lost: the cardholder's bank gave the money back, no refund follows.
    CHARGEBACK = "chargeback"


@frozen
class ReturnPolicy:
    """The shop's return policy (spec returns §2, policy defaults). Money thresholds are in minor
    units of the order's currency."""

    window_days: int = 30
    max_returns_per_order: int = 3
    restocking_fee_percent: int = 15
    customer_ship_deadline_days: int = 7
    stale_pending_days: int = 7
    stale_approved_days: int = 14
    auto_approve_below: int = 30
    auto_reject_above: int = 70
    compensation_max_attempts: int = 5
    compensation_interval: timedelta = timedelta(minutes=5)
    refund_tax: bool = True
    # What the shop does not take back: SKUs, or products in these categories (ids or slugs).
    non_returnable_skus: frozenset[str] = frozenset()
    non_returnable_categories: frozenset[str] = frozenset()
    # Where returned parcels go (the returns desk); None: labels cannot be booked.
    return_address: PostalAddress | None = None
    # The carrier return labels are booked with (its code); None: the first configured one.
    return_carrier: str | None = None
    return_service: str = "standard"
    # Charged when the customer pays the way back and the label's fee is unknown (minor units).
    return_shipping_fee: int = 0
    high_value_refund: int = 10_000_000  # a refund estimate above it adds to the risk score


@frozen
class RiskFacts:
    """What the risk score looks at."""

    reason: Reason
    estimate: Money
    order_total: Money
    recent_returns: int  # the customer's returns of the last 90 days, this one excluded
    guest: bool
    full_return: bool


RiskScorer = Callable[[RiskFacts], int]


def default_risk_score(facts: RiskFacts, policy: ReturnPolicy | None = None) -> int:
    """0-100, additive: the reason (change of mind 15, other 20, the seller's fault 0), 20 per
    recent return (at most 60), 15 for a refund above the high-value threshold, 10 for a
    return of the whole order, 10 for a guest order."""
    policy = policy or ReturnPolicy()
    score = {Reason.CHANGED_MIND: 15, Reason.OTHER: 20}.get(facts.reason, 0)
    score += min(facts.recent_returns * 20, 60)
    if facts.estimate.amount > policy.high_value_refund:
        score += 15
    if facts.full_return:
        score += 10
    if facts.guest:
        score += 10
    return min(score, 100)


@frozen
class RefundBreakdown:
    """The refund of a return (spec §2.7): items + tax share + original shipping (seller's
    fault) - promotion share - restocking fee - return shipping fee, capped."""

    items: Money
    tax: Money
    shipping: Money
    promotion: Money
    restocking_fee: Money
    return_shipping_fee: Money
    exchange_credit: Money  # the part of a cheaper replacement's difference given back
    total: Money

    @classmethod
    def zero(cls, currency: str) -> RefundBreakdown:
        z = Money(0, currency)
        return cls(z, z, z, z, z, z, z, z)


def _share(part: int, of: int, amount: int) -> int:
    """`amount * part / of` rounded half up, in integers (no float ever touches money)."""
    if of <= 0:
        return 0
    return (2 * amount * part + of) // (2 * of)


def compute_refund(
    order: ReturnableOrder, item_value: Money, reason: Reason, policy: ReturnPolicy, *,
    shipping_refunded_before: bool, refunded_before: Money, return_shipping_fee: Money,
    exchange_credit: Money | None = None,
) -> RefundBreakdown:
    """What a return of `item_value` (unit prices * accepted units) gives back.

    The tax and promotion shares are the line's pro-rata part of the order's tax and discount.
    The original shipping goes back once per order, only when the shop was at fault. The
    restocking fee (policy percent) and the return shipping fee apply to a change of mind or an
    other reason (the customer pays the way back). The total never goes below zero, nor above the
    order total less what earlier returns of the order refunded."""
    currency = order.currency
    subtotal = order.subtotal.amount
    items = item_value.amount
    tax = _share(items, subtotal, order.tax.amount) if policy.refund_tax else 0
    promotion = _share(items, subtotal, order.discount.amount)
    seller_fault = reason in SELLER_FAULT
    shipping = order.shipping.amount if seller_fault and not shipping_refunded_before else 0
    restocking = (_share(policy.restocking_fee_percent, 100, items)
                  if reason is Reason.CHANGED_MIND else 0)
    fee = 0 if seller_fault else return_shipping_fee.amount
    credit = exchange_credit.amount if exchange_credit is not None else 0
    raw = items + tax + shipping - promotion - restocking - fee + credit
    cap = max(order.total.amount - refunded_before.amount, 0)
    total = max(min(raw, cap), 0)

    def m(amount: int) -> Money:
        return Money(amount, currency)

    return RefundBreakdown(m(items), m(tax), m(shipping), m(promotion), m(restocking), m(fee),
                           m(credit), m(total))


@define
class ReturnItem:
    id: str
    order_item_id: str
    product_id: str
    sku: str
    name: str
    quantity: int  # asked to return
    quantity_ordered: int
    unit_price: Money
    warehouse_id: str  # where the line shipped from: restock goes back there
    condition_claimed: str | None = None
    quantity_received: int = 0
    quantity_accepted: int = 0
    condition: str | None = None  # as received
    disposition: str | None = None
    quantity_restocked: int = 0
    notes: str = ""

    def requested(self) -> RequestedItem:
        return RequestedItem(self.order_item_id, self.product_id, self.sku, self.quantity,
                             self.unit_price)

    @property
    def restockable(self) -> int:
        """Units going back to sellable stock."""
        return self.quantity_accepted if self.disposition == Disposition.RESTOCK else 0


@frozen
class Inspection:
    """The warehouse's verdict on one item."""

    item_id: str
    accepted: int
    condition: Condition
    disposition: Disposition
    notes: str = ""


@frozen
class StatusEntry:
    from_status: str | None
    to_status: str
    changed_by: str
    reason: str
    changed_at: datetime


@frozen
class Exchange:
    """The replacement of an exchange: another variant of the same product, at today's price.
    `price_difference` is what the customer owes (positive) or gets back (negative)."""

    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    price_difference: Money
    order_id: str | None = None  # the replacement order, from approval

    def item(self) -> ExchangeItem:
        return ExchangeItem(self.sku, self.product_id, self.quantity, self.unit_price)


def return_number(return_id: str, created_at: datetime) -> str:
    """`RET-YYYYMMDD-XXXXXXXX`: the day and the id's random tail, as order numbers are made
    (no shared counter; eight characters rather than the spec's five, so two returns of one
    day practically never share a number)."""
    return f"RET-{created_at:%Y%m%d}-{return_id.replace('-', '')[-8:].upper()}"


@define(eq=False)
class Return:
    id: str
    number: str
    order_id: str
    customer_id: str | None
    return_type: ReturnType
    reason: Reason
    description: str
    status: ReturnStatus
    currency: str
    items: list[ReturnItem]
    refund: RefundBreakdown
    risk_score: int
    history: list[StatusEntry]
    created_at: datetime
    updated_at: datetime
    open_order_id: str | None = None
    status_changed_at: datetime | None = None  # when it entered its status (the stale job)
    payment_id: str | None = None
    refund_method: str = "original_payment"
    return_method: str = "shipping"
    approved_by: str | None = None
    approved_at: datetime | None = None
    received_by: str | None = None
    received_at: datetime | None = None
    inspected_by: str | None = None
    inspected_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    close_reason: str | None = None
    label_carrier: str | None = None
    tracking_number: str | None = None
    label_url: str | None = None
    label_fee: Money | None = None
    label_error: str | None = None
    exchange: Exchange | None = None
    refund_state: RefundState = RefundState.NONE
    refund_id: str | None = None
    refund_attempts: int = 0
    refund_error: str | None = None
    retry_at: datetime | None = None
    restock_error: str | None = None
    restock_attempts: int = 0
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def request(
        cls, *, return_id: str, order: ReturnableOrder, items: Sequence[ReturnItem],
        reason: Reason, description: str, estimate: RefundBreakdown, risk_score: int,
        now: datetime, exchange: Exchange | None = None,
        refund_method: str = "original_payment",
    ) -> Return:
        if not items:
            raise InvalidReturn("a return needs at least one item")
        if refund_method not in REFUND_METHODS:
            raise InvalidReturn(f"unknown refund method {refund_method!r}",
                                accepted=list(REFUND_METHODS))
        if refund_method == STORE_CREDIT and order.customer_id is None:
            raise InvalidReturn("store credit needs a customer account; a guest's refund goes "
                                "back to what paid")
        kind = ReturnType.EXCHANGE if exchange is not None else ReturnType.REFUND
        ret = cls(return_id, return_number(return_id, now), order.order_id, order.customer_id,
                  kind, reason, description, S.PENDING, order.currency, list(items), estimate,
                  risk_score, [], now, now, open_order_id=order.order_id,
                  status_changed_at=now,
                  payment_id=order.payment_id,
                  refund_method="exchange" if exchange is not None else refund_method,
                  exchange=exchange)
        ret.history.append(StatusEntry(None, S.PENDING.value, "customer", "requested", now))
        ret.events.append(ReturnRequested(
            ret.id, ret.number, ret.order_id, ret.customer_id,
            tuple(i.requested() for i in ret.items), ret.return_method, reason.value,
            REASON_CATEGORY[reason], description, kind.value, ret.refund_method,
            RefundEstimate(estimate.items, estimate.tax, estimate.shipping, estimate.total),
            risk_score, now))
        if exchange is not None:
            ret.events.append(ExchangeRequested(ret.id, ret.order_id, ret._originals(),
                                                (exchange.item(),), now))
        return ret

    # -- moves ----------------------------------------------------------------------------------
    def _move(self, to: ReturnStatus, by: str, reason: str, now: datetime) -> None:
        if to not in TRANSITIONS[self.status]:
            raise InvalidReturnTransition(
                f"return {self.number} cannot go from {self.status} to {to}",
                return_id=self.id, status=self.status.value, requested=to.value)
        self.history.append(StatusEntry(self.status.value, to.value, by, reason, now))
        self.status, self.updated_at, self.status_changed_at = to, now, now
        self.open_order_id = self.order_id if to in OPEN else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _originals(self) -> tuple[RequestedItem, ...]:
        return tuple(i.requested() for i in self.items)

    def approve(self, *, by: str, now: datetime) -> None:
        self._move(S.APPROVED, by, "approved", now)
        self.approved_by, self.approved_at = by, now

    def exchange_reserved(self, order_id: str, *, now: datetime) -> None:
        assert self.exchange is not None
        self.exchange = Exchange(self.exchange.sku, self.exchange.product_id,
                                 self.exchange.name, self.exchange.quantity,
                                 self.exchange.unit_price, self.exchange.price_difference,
                                 order_id)
        self.events.append(ExchangeApproved(self.id, self.order_id, self._originals(),
                                            (self.exchange.item(),),
                                            self.exchange.price_difference, order_id, now))

    def refund_instead(self, *, now: datetime) -> None:
        """The replacement cannot be had: the exchange becomes a refund."""
        self.exchange, self.return_type, self.refund_method = (
            None, ReturnType.REFUND, "original_payment")
        self.updated_at = now

    def label_issued(self, carrier: str, tracking_number: str, url: str | None,
                     fee: Money | None, *, now: datetime) -> None:
        self.label_carrier, self.tracking_number, self.label_url = carrier, tracking_number, url
        self.label_fee, self.label_error, self.updated_at = fee, None, now

    def label_failed(self, error: str, *, now: datetime) -> None:
        self.label_error, self.updated_at = error, now

    def announce_approval(self, *, now: datetime) -> None:
        self.events.append(ReturnApproved(
            self.id, self.order_id, self.customer_id, self.label_url, self.tracking_number,
            self.approved_by or "system", self.exchange.order_id if self.exchange else None,
            now))

    def reject(self, reason: str, *, by: str, now: datetime) -> None:
        self._move(S.REJECTED, by, reason, now)
        self.close_reason = reason
        self.events.append(ReturnRejected(self.id, self.order_id, self.customer_id, reason,
                                          now))

    def cancel(self, reason: str, *, by: str, now: datetime) -> None:
        self._move(S.CANCELLED, by, reason, now)
        self.close_reason, self.cancelled_at = reason, now
        self.events.append(ReturnCancelled(self.id, self.order_id, reason,
                                           self.exchange.order_id if self.exchange else None,
                                           now))

    def in_transit(self, *, by: str, now: datetime) -> None:
        if self.status is S.IN_TRANSIT:
            return
        self._move(S.IN_TRANSIT, by, "picked_up", now)

    def receive(self, quantities: Mapping[str, int], *, by: str, now: datetime) -> None:
        """Units arrived at the warehouse, per item id (an item not named: none arrived)."""
        known = {i.id for i in self.items}
        unknown = set(quantities) - known
        if unknown:
            raise InvalidReturn(f"no such items in return {self.number}: "
                                f"{', '.join(sorted(unknown))}", items=sorted(unknown))
        for item in self.items:
            got = quantities.get(item.id, 0)
            if got < 0 or got > item.quantity:
                raise InvalidReturn(f"{got} units of {item.sku} cannot be received; "
                                    f"{item.quantity} were returned", item_id=item.id)
        self._move(S.RECEIVED, by, "received", now)
        for item in self.items:
            item.quantity_received = quantities.get(item.id, 0)
        self.received_by, self.received_at = by, now

    def inspect(self, results: Sequence[Inspection], *, by: str, now: datetime) -> bool:
        """Fix each item's accepted units, condition and disposition. An item nobody inspected
        is quarantined with every received unit accepted (never assumed new and restockable);
        only new, like-new and good units go back to stock. False when nothing was accepted:
        the return is rejected and its goods go back to the customer."""
        if self.status is not S.RECEIVED:
            raise InvalidReturnTransition(
                f"return {self.number} is {self.status}; only received goods are inspected",
                return_id=self.id, status=self.status.value)
        by_id = {r.item_id: r for r in results}
        unknown = set(by_id) - {i.id for i in self.items}
        if unknown:
            raise InvalidReturn(f"no such items in return {self.number}: "
                                f"{', '.join(sorted(unknown))}", items=sorted(unknown))
        for item in self.items:
            result = by_id.get(item.id)
            if result is not None and not 0 <= result.accepted <= item.quantity_received:
                raise InvalidReturn(f"{result.accepted} units of {item.sku} cannot be "
                                    f"accepted; {item.quantity_received} were received",
                                    item_id=item.id)
        for item in self.items:
            result = by_id.get(item.id)
            if result is None:
                item.quantity_accepted = item.quantity_received
                item.disposition = Disposition.QUARANTINE.value
                continue
            item.quantity_accepted, item.condition = result.accepted, result.condition.value
            disposition = result.disposition
            if disposition is Disposition.RESTOCK and result.condition not in SELLABLE:
                disposition = Disposition.QUARANTINE  # a damaged unit is never sold again
            item.disposition, item.notes = disposition.value, result.notes
        self.inspected_by, self.inspected_at = by, now
        if not any(i.quantity_accepted for i in self.items):
            for item in self.items:
                item.disposition = Disposition.RETURN_TO_CUSTOMER.value
            self.reject("inspection_failed", by=by, now=now)
            return False
        self._move(S.PROCESSING, by, "inspected", now)
        return True

    def accepted_value(self) -> Money:
        return Money(sum(i.unit_price.amount * i.quantity_accepted for i in self.items),
                     self.currency)

    def finalise_refund(self, refund: RefundBreakdown) -> None:
        self.refund = refund

    def restocked(self) -> None:
        for item in self.items:
            item.quantity_restocked = item.restockable

    def restock_failed(self, error: str, policy: ReturnPolicy, *, now: datetime) -> None:
        """The restock is retried by the job after the policy's interval, up to its attempts;
        then staff decide (complete it by hand, or cancel the return)."""
        if self.status is S.PROCESSING:
            self._move(S.RESTOCK_FAILED, "system", "restock_failed", now)
        self.restock_error = error
        self.restock_attempts += 1
        dead = self.restock_attempts >= policy.compensation_max_attempts
        self.retry_at = None if dead else now + policy.compensation_interval
        self.updated_at = now

    def complete(self, *, by: str, is_full_return: bool, now: datetime) -> None:
        self._move(S.COMPLETED, by, "completed", now)
        self.completed_at, self.restock_error, self.retry_at = now, None, None
        if self.refund.total.amount <= 0:
            self.refund_state = RefundState.NOTHING
        self.events.append(ReturnCompleted(
            self.id, self.order_id, self.customer_id, self.payment_id, self.refund.total,
            self.refund_method,
            tuple(CompletedItem(i.order_item_id, i.product_id, i.sku, i.quantity_accepted,
                                i.quantity_restocked, i.condition, i.disposition or "",
                                i.warehouse_id) for i in self.items),
            is_full_return, now))
        if self.exchange is not None and self.exchange.order_id is not None:
            self.events.append(ExchangeCompleted(
                self.id, self.order_id, self._originals(), (self.exchange.item(),),
                self.exchange.price_difference, self.exchange.order_id, now))

    # -- the refund step ------------------------------------------------------------------------
    @property
    def refund_key(self) -> str:
        return f"{self.id}:refund"

    @property
    def refund_due(self) -> bool:
        return (self.status in (S.COMPLETED, S.REFUND_FAILED)
                and self.refund_state in (RefundState.NONE, RefundState.FAILED))

    def refunded(self, refund_id: str, *, now: datetime) -> None:
        self.refund_state, self.refund_id, self.refund_error = RefundState.DONE, refund_id, None
        self.retry_at = None
        if self.status is S.REFUND_FAILED:
            self._move(S.COMPLETED, "system", "refund_retried", now)
        self.updated_at = now
        self.events.append(ReturnRefunded(self.id, self.order_id, refund_id, self.refund.total,
                                          now))

    def refund_paused(self, dispute_id: str, *, now: datetime) -> None:
        """A chargeback is open: the refund waits for its decision (the compensation job skips
        it, nothing counts as an attempt)."""
        self.refund_state, self.retry_at = RefundState.PAUSED, None
        self.refund_error = f"chargeback_in_progress: dispute {dispute_id}"
        self.updated_at = now

    def refund_resumed(self, *, now: datetime) -> None:
        """The chargeback was won: the refund is due again (same key)."""
        if self.refund_state is RefundState.PAUSED:
            self.refund_state, self.refund_error, self.updated_at = RefundState.NONE, None, now

    def refunded_by_chargeback(self, dispute_id: str, *, now: datetime) -> None:
        """The chargeback was lost: the money went back through the cardholder's bank, so the
        pending refund is cancelled and the return is complete."""
        if self.refund_state is not RefundState.PAUSED:
            return
        self.refund_state, self.retry_at = RefundState.CHARGEBACK, None
        self.refund_error = f"refunded by chargeback {dispute_id}"
        if self.status is S.REFUND_FAILED:
            self._move(S.COMPLETED, "system", "refunded_by_chargeback", now)
        self.updated_at = now

    def refund_failed(self, error: str, policy: ReturnPolicy, *, now: datetime) -> None:
        self.refund_attempts += 1
        self.refund_error = error
        dead = self.refund_attempts >= policy.compensation_max_attempts
        self.refund_state = RefundState.DLQ if dead else RefundState.FAILED
        self.retry_at = None if dead else now + policy.compensation_interval
        if self.status is S.COMPLETED:
            self._move(S.REFUND_FAILED, "system", "refund_failed", now)
        self.updated_at = now
        self.events.append(ReturnRefundFailed(self.id, self.order_id, self.refund_attempts,
                                              error, dead, now))
