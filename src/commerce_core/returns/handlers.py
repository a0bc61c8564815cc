"""Returns use cases, jobs and reactions (spec returns §3-§5).

Each step is one transaction over the return and what it moves (the replacement order and its
stock at approval, the restocked units at completion); calls to a carrier happen between
transactions. The refund is event-driven only: `returns.return_completed` → `RefundOnCompleted`,
which asks payment for the refund under the key `{return_id}:refund` in its own transaction, so
the refund stored under that key is checked and written with the return's outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from commerce_core.catalog import services as catalog
from commerce_core.giftcard import services as giftcards
from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.inventory import services as inventory
from commerce_core.inventory.errors import InsufficientStock
from commerce_core.ordering import services as ordering
from commerce_core.ordering.errors import InvalidTransition
from commerce_core.ordering.queries import ReturnableOrder
from commerce_core.payment import services as payment
from commerce_core.payment.errors import RefundAboveLimit
from commerce_core.payment.ports import Tender, TenderKind, TenderPolicy
from commerce_core.returns.commands import (
    ApproveReturn,
    CancelReturn,
    CompleteReturn,
    ExpireStaleReturns,
    InspectReturn,
    MarkReturnInTransit,
    ReceiveReturn,
    RejectReturn,
    RequestReturn,
    RetryReturnCompensations,
    RetryReturnRefund,
)
from commerce_core.returns.errors import (
    InvalidReturn,
    InvalidReturnTransition,
    ItemsNotReturnable,
    NotOrderOwner,
    OrderNotReturnable,
    QuantityExceeded,
    ReplacementOutOfStock,
    ReturnAlreadyOpen,
    ReturnWindowExpired,
    TooManyReturns,
)
from commerce_core.returns.model import (
    OPEN,
    SELLER_FAULT,
    STORE_CREDIT,
    VOID,
    Condition,
    Disposition,
    Exchange,
    Inspection,
    Reason,
    RefundBreakdown,
    RefundState,
    Return,
    ReturnItem,
    ReturnPolicy,
    ReturnStatus,
    RiskFacts,
    RiskScorer,
    compute_refund,
)
from commerce_core.returns.ports import ReturnsUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory, retrying
from commerce_core.shipping.ports import (
    BookingRequest,
    CarrierError,
    Carriers,
    Parcel,
    ParcelItem,
)

log = logging.getLogger("commerce.returns")

Factory = UnitOfWorkFactory[ReturnsUnitOfWork]
# A fully returned order still answers: its lines are refused by quantity, not by status.
RETURNABLE_ORDER = frozenset({"delivered", "completed", "partially_returned", "returned"})
# Returns past inspection: their accepted units are what counts as returned.
JUDGED = frozenset({ReturnStatus.PROCESSING, ReturnStatus.COMPLETED, ReturnStatus.REFUND_FAILED,
                    ReturnStatus.RESTOCK_FAILED})
RECENT = timedelta(days=90)


def _reason(code: str) -> Reason:
    try:
        return Reason(code)
    except ValueError:
        raise InvalidReturn(f"unknown return reason {code!r}", reason=code,
                            accepted=[r.value for r in Reason]) from None


def _units_taken(returns: Sequence[Return]) -> dict[str, int]:
    """Units of each order line already returned or on their way back."""
    taken: dict[str, int] = {}
    for ret in returns:
        if ret.status in VOID:
            continue
        for item in ret.items:
            units = item.quantity_accepted if ret.status in JUDGED else item.quantity
            taken[item.order_item_id] = taken.get(item.order_item_id, 0) + units
    return taken


def _refunded_before(returns: Sequence[Return], currency: str, *,
                     excluding: str | None = None) -> tuple[Money, bool]:
    """What earlier judged returns of the order give back, and whether one refunded the
    original shipping."""
    judged = [r for r in returns if r.status in JUDGED and r.id != excluding]
    return (Money(sum(r.refund.total.amount for r in judged), currency),
            any(r.refund.shipping.amount for r in judged))


def _return_fee(ret_reason: Reason, label_fee: Money | None, policy: ReturnPolicy,
                currency: str) -> Money:
    if ret_reason in SELLER_FAULT:
        return Money(0, currency)
    return label_fee if label_fee is not None else Money(policy.return_shipping_fee, currency)


def _exchange_refund(order: ReturnableOrder, exchange: Exchange) -> RefundBreakdown:
    """An exchange refunds only what a cheaper replacement leaves over."""
    credit = Money(max(-exchange.price_difference.amount, 0), order.currency)
    zero = RefundBreakdown.zero(order.currency)
    return RefundBreakdown(zero.items, zero.tax, zero.shipping, zero.promotion,
                           zero.restocking_fee, zero.return_shipping_fee, credit, credit)


def _estimate(order: ReturnableOrder, ret_reason: Reason, value: Money, policy: ReturnPolicy,
              returns: Sequence[Return], label_fee: Money | None = None,
              excluding: str | None = None) -> RefundBreakdown:
    before, shipping_before = _refunded_before(returns, order.currency, excluding=excluding)
    return compute_refund(order, value, ret_reason, policy,
                          shipping_refunded_before=shipping_before, refunded_before=before,
                          return_shipping_fee=_return_fee(ret_reason, label_fee, policy,
                                                          order.currency))


class _Step:
    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator,
                 policy: ReturnPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy


class RequestReturnHandler(_Step):
    """Check eligibility (§2: owner, status, window from delivery, quantities, one open return,
    at most N per order, returnable products), store the pending return with its estimate and
    risk score, then decide: above the reject threshold it is rejected at once, below the
    approve threshold it is approved (and its label booked); in between it waits for staff."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator, policy: ReturnPolicy,
                 risk: RiskScorer, approve: Callable[[ApproveReturn], str]) -> None:
        super().__init__(uow, clock, ids, policy)
        self._risk, self._approve = risk, approve

    def __call__(self, cmd: RequestReturn) -> str:
        reason = _reason(cmd.reason)
        if not cmd.lines:
            raise InvalidReturn("a return needs at least one item")
        if any(line.quantity < 1 for line in cmd.lines):
            raise InvalidReturn("each returned line needs a quantity of at least 1")
        if len({line.order_item_id for line in cmd.lines}) != len(cmd.lines):
            raise InvalidReturn("each order line may be named once")
        if cmd.exchange_sku is not None and len(cmd.lines) != 1:
            raise InvalidReturn("an exchange replaces one line")
        for line in cmd.lines:
            if line.condition is not None and line.condition not in set(Condition):
                raise InvalidReturn(f"unknown condition {line.condition!r}",
                                    accepted=[c.value for c in Condition])
        now, policy = self._clock.now(), self._policy
        with self._uow() as uow:
            order = ordering.returnable(uow, cmd.order_id)
            if cmd.customer_id is not None and order.customer_id != cmd.customer_id:
                raise NotOrderOwner("the order belongs to someone else", order_id=order.order_id)
            self._check_order(order, now)
            returns = uow.returns.for_order(order.order_id)
            if any(r.status in OPEN for r in returns):
                raise ReturnAlreadyOpen(f"order {order.number} has an open return",
                                        order_id=order.order_id)
            if len([r for r in returns if r.status is not ReturnStatus.CANCELLED]) \
                    >= policy.max_returns_per_order:
                raise TooManyReturns(
                    f"order {order.number} was returned {policy.max_returns_per_order} times "
                    "already", order_id=order.order_id, limit=policy.max_returns_per_order)
            items = self._items(uow, order, cmd, returns)
            value = Money(sum(i.unit_price.amount * i.quantity for i in items), order.currency)
            exchange = (self._exchange(uow, items[0], cmd.exchange_sku)
                        if cmd.exchange_sku is not None else None)
            estimate = (_exchange_refund(order, exchange) if exchange is not None
                        else _estimate(order, reason, value, policy, returns))
            recent = (uow.returns.count_for_customer(order.customer_id, now - RECENT)
                      if order.customer_id else 0)
            full = all(sum(i.quantity for i in items if i.order_item_id == line.line_id)
                       >= line.quantity for line in order.lines)
            score = max(0, min(100, self._risk(RiskFacts(
                reason, estimate.total, order.total, recent, order.customer_id is None, full))))
            ret = Return.request(return_id=self._ids.new_id(), order=order, items=items,
                                 reason=reason, description=cmd.description,
                                 estimate=estimate, risk_score=score, now=now,
                                 exchange=exchange, refund_method=cmd.refund_method)
            if score > policy.auto_reject_above:
                ret.reject("risk_score", by="system", now=now)
            uow.returns.add(ret)
            uow.commit()
        if score < policy.auto_approve_below:
            try:
                self._approve(ApproveReturn(ret.id, "system"))
            except (ReplacementOutOfStock, ConcurrencyConflict, InvalidReturnTransition) as e:
                # The return exists either way: it waits for staff (or someone else decided).
                log.info("return %s was not approved at once: %s", ret.id, e.message)
        return ret.id

    def _check_order(self, order: ReturnableOrder, now: datetime) -> None:
        if order.status not in RETURNABLE_ORDER or order.delivered_at is None:
            raise OrderNotReturnable(f"order {order.number} is {order.status}; only delivered "
                                     "orders are returned", order_id=order.order_id,
                                     status=order.status)
        # Inclusive of the last day: delivered on the 1st, returnable through the 31st.
        last_day = order.delivered_at.date() + timedelta(days=self._policy.window_days)
        if now.date() > last_day:
            raise ReturnWindowExpired(
                f"the {self._policy.window_days}-day return window of order {order.number} "
                f"closed on {last_day.isoformat()}", order_id=order.order_id,
                last_day=last_day.isoformat())

    def _items(self, uow: ReturnsUnitOfWork, order: ReturnableOrder, cmd: RequestReturn,
               returns: Sequence[Return]) -> list[ReturnItem]:
        lines = {line.line_id: line for line in order.lines}
        unknown = [ln.order_item_id for ln in cmd.lines if ln.order_item_id not in lines]
        if unknown:
            raise InvalidReturn(f"order {order.number} has no lines {', '.join(unknown)}",
                                lines=unknown)
        taken = _units_taken(returns)
        for asked in cmd.lines:
            line = lines[asked.order_item_id]
            left = line.quantity - taken.get(line.line_id, 0)
            if asked.quantity > left:
                raise QuantityExceeded(
                    f"{asked.quantity} units of {line.sku} cannot be returned; {left} can",
                    order_item_id=line.line_id, requested=asked.quantity, returnable=left)
        skus = {lines[ln.order_item_id].sku for ln in cmd.lines}
        known = catalog.sellable(uow, skus)
        refused = sorted(
            sku for sku in skus
            if sku in self._policy.non_returnable_skus
            or (sku in known and set(known[sku].category_ids)
                & self._policy.non_returnable_categories))
        if refused:
            raise ItemsNotReturnable(f"the shop does not take back {', '.join(refused)}",
                                     skus=refused)
        return [
            ReturnItem(self._ids.new_id(), line.line_id, line.product_id, line.sku, line.name,
                       asked.quantity, line.quantity, line.unit_price, line.warehouse_id,
                       condition_claimed=asked.condition)
            for asked in cmd.lines for line in (lines[asked.order_item_id],)
        ]

    def _exchange(self, uow: ReturnsUnitOfWork, item: ReturnItem, sku: str) -> Exchange:
        offered = catalog.sellable(uow, {sku}).get(sku)
        if offered is None or not offered.available:
            raise InvalidReturn(f"{sku} is not for sale", sku=sku)
        if offered.product_id != item.product_id or sku == item.sku:
            raise InvalidReturn("an exchange is for another variant of the same product",
                                sku=sku)
        if offered.unit_price.currency != item.unit_price.currency:
            raise InvalidReturn(f"{sku} is not priced in {item.unit_price.currency}", sku=sku)
        difference = (offered.unit_price - item.unit_price) * item.quantity
        return Exchange(sku, offered.product_id, offered.name, item.quantity,
                        offered.unit_price, difference)


class LabelBooker:
    """Books the return label once per return (reference `{return_id}:label`, looked up
    before booking again), records it, and announces the approval with it. A carrier failure
    leaves the return approved without a label; the compensation job books it later, and the
    approval is announced then."""

    def __init__(self, uow: Factory, clock: Clock, policy: ReturnPolicy,
                 carriers: Carriers | None) -> None:
        self._uow, self._clock, self._policy, self._carriers = uow, clock, policy, carriers

    def __call__(self, return_id: str) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            ret = uow.returns.get(return_id)
            if ret.status is not ReturnStatus.APPROVED or ret.tracking_number is not None:
                return
            order = ordering.returnable(uow, ret.order_id)
            weights = {sku: item.weight_grams
                       for sku, item in catalog.sellable(uow, {i.sku for i in ret.items}).items()}
        booked: tuple[str, str, str | None, Money | None] | None = None
        failure: CommerceError | None = None
        try:
            booked = self._book(ret, order, weights)
        except _NoLabel as missing:
            # Nothing to retry: the shop books no labels (or this order has no address); the
            # customer ships at their own initiative.
            log.info("return %s: no label (%s)", ret.id, missing.message)
        except (CarrierError, ServiceUnavailable) as error:
            failure = error

        def record() -> None:
            with self._uow() as uow:
                ret = uow.returns.get(return_id)
                if ret.status is not ReturnStatus.APPROVED or ret.tracking_number is not None:
                    return  # cancelled (or labelled) meanwhile
                if failure is not None:
                    ret.label_failed(f"{failure.code}: {failure.message}", now=now)
                    log.warning("return %s: no label yet (%s)", ret.id, failure.message)
                else:
                    if booked is not None:
                        ret.label_issued(*booked, now=now)
                    # Announced once, when the label step ends: with the label, or without one
                    # when the shop books none.
                    ret.announce_approval(now=now)
                uow.commit()

        # The booking is made: record it even while the return changes (each try reads afresh).
        retrying(record, retry_on=ConcurrencyConflict, attempts=10)

    def _book(self, ret: Return, order: ReturnableOrder,
              weights: dict[str, int]) -> tuple[str, str, str | None, Money | None]:
        carriers, policy = self._carriers, self._policy
        if carriers is None or not carriers.codes():
            raise _NoLabel("no carrier is configured for return labels")
        code = policy.return_carrier or carriers.codes()[0]
        carrier = carriers.get(code)
        if carrier is None:
            raise _NoLabel(f"the return carrier {code!r} is not configured")
        if policy.return_address is None or order.ship_to is None:
            raise _NoLabel("a return label needs the customer's and the shop's address")
        reference = f"{ret.id}:label"
        booking = carrier.find_booking(reference)
        if booking is None:
            grams = sum(max(weights.get(i.sku, 0), 100) * i.quantity for i in ret.items)
            booking = carrier.book(BookingRequest(
                reference=reference, order_id=ret.order_id, service=policy.return_service,
                origin=order.ship_to, destination=policy.return_address,
                parcel=Parcel(grams, 30, 20, 10),
                items=tuple(ParcelItem(i.sku, i.name, i.quantity, i.unit_price)
                            for i in ret.items),
                currency=ret.currency, note=f"return {ret.number}", is_return=True))
        label = carrier.label(booking.tracking_number)
        return code, booking.tracking_number, label.url or booking.tracking_url, booking.fee


class _NoLabel(ServiceUnavailable):
    code = "returns.label_unavailable"


class ApproveReturnHandler(_Step):
    """`pending → approved` under the return's version: of two concurrent approvals one
    commits and the other gets `ConcurrencyConflict` (409) before any label is booked. An
    exchange's replacement is reserved and its order created in the same transaction; when the
    replacement cannot be reserved nothing changes and `ReplacementOutOfStock` offers a refund."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator, policy: ReturnPolicy,
                 label: LabelBooker) -> None:
        super().__init__(uow, clock, ids, policy)
        self._label = label

    def __call__(self, cmd: ApproveReturn) -> str:
        now = self._clock.now()
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            if ret.status is not ReturnStatus.PENDING:
                raise InvalidReturnTransition(
                    f"return {ret.number} is {ret.status}; only pending returns are approved",
                    return_id=ret.id, status=ret.status.value)
            if cmd.refund_instead and ret.exchange is not None:
                order = ordering.returnable(uow, ret.order_id)
                ret.refund_instead(now=now)
                value = Money(sum(i.unit_price.amount * i.quantity for i in ret.items),
                              ret.currency)
                ret.finalise_refund(_estimate(order, ret.reason, value, self._policy,
                                              uow.returns.for_order(ret.order_id),
                                              excluding=ret.id))
            ret.approve(by=cmd.approved_by, now=now)
            if ret.exchange is not None:
                self._replacement(uow, ret, now)
            uow.commit()
        self._label(ret.id)
        return ret.id

    def _replacement(self, uow: ReturnsUnitOfWork, ret: Return, now: datetime) -> None:
        exchange = ret.exchange
        assert exchange is not None
        order = ordering.returnable(uow, ret.order_id)
        reference = f"{ret.id}:exchange"
        try:
            (held,) = inventory.reserve(
                uow, [inventory.StockRequest(exchange.sku, exchange.quantity)],
                reference=reference, expires_at=inventory.never_expires(now), now=now,
                ids=self._ids, reference_type="exchange", customer_id=order.customer_id)
        except InsufficientStock:
            raise ReplacementOutOfStock(
                f"{exchange.sku} is out of stock; the return can be refunded instead",
                return_id=ret.id, sku=exchange.sku, offer="refund") from None
        line_total = exchange.unit_price * exchange.quantity
        # The returned goods pay for the replacement: the order's discount is their value, so
        # its total is the difference the customer owes (0 when the replacement is cheaper).
        credit = min(line_total.amount, line_total.amount - exchange.price_difference.amount)
        due = Money(line_total.amount - credit, ret.currency)
        order_id = ordering.place_pending(
            uow, checkout_id=reference, cart_id=ret.id, customer_id=order.customer_id,
            email=order.email, currency=ret.currency,
            lines=[ordering.PendingLine(
                exchange.sku, exchange.product_id, exchange.name, exchange.quantity,
                exchange.unit_price, line_total,
                tuple(ordering.LineAllocation(r.warehouse_id, r.id, r.quantity)
                      for r in held.reservations))],
            totals=ordering.Totals(line_total, Money(credit, ret.currency),
                                   Money(0, ret.currency), Money(0, ret.currency), due),
            payment_method=order.payment_method, now=now, ids=self._ids,
            ship_to=order.ship_to)
        if due.amount > 0 and order.payment_id is not None:
            # The difference is charged as a payment of the replacement order, under its own key;
            # it waits for the shopper's authorization (a card cannot be charged without them).
            gateway, _ = payment.attempt(uow, order.payment_id)
            payment.start(uow, order_id=order_id, amount=due, method=order.payment_method,
                          gateway=gateway, idempotency_key=reference, now=now, ids=self._ids)
        ret.exchange_reserved(order_id, now=now)


class RejectReturnHandler(_Step):
    def __call__(self, cmd: RejectReturn) -> str:
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            if ret.status is not ReturnStatus.PENDING:
                raise InvalidReturnTransition(
                    f"return {ret.number} is {ret.status}; only pending returns are rejected",
                    return_id=ret.id, status=ret.status.value)
            ret.reject(cmd.reason, by=cmd.rejected_by, now=self._clock.now())
            uow.commit()
        return ret.id


def _cancel(uow: ReturnsUnitOfWork, ret: Return, reason: str, by: str, now: datetime) -> None:
    ret.cancel(reason, by=by, now=now)
    if ret.exchange is not None and ret.exchange.order_id is not None:
        # Its reservation and any payment of the difference are released by the reactions to
        # `order.cancelled`.
        ordering.cancel(uow, ret.exchange.order_id, "return_cancelled", changed_by="returns",
                        now=now)


class CancelReturnHandler(_Step):
    def __call__(self, cmd: CancelReturn) -> str:
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            _cancel(uow, ret, cmd.reason, cmd.cancelled_by, self._clock.now())
            uow.commit()
        return ret.id


class MarkInTransitHandler(_Step):
    def __call__(self, cmd: MarkReturnInTransit) -> str:
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            ret.in_transit(by="carrier", now=self._clock.now())
            uow.commit()
        return ret.id


class ReceiveReturnHandler(_Step):
    def __call__(self, cmd: ReceiveReturn) -> str:
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            quantities = dict(cmd.quantities) or {i.id: i.quantity for i in ret.items}
            ret.receive(quantities, by=cmd.received_by, now=self._clock.now())
            uow.commit()
        return ret.id


class InspectReturnHandler(_Step):
    """Fix dispositions and the final refund (from the accepted units)."""

    def __call__(self, cmd: InspectReturn) -> str:
        results = []
        for r in cmd.results:
            try:
                results.append(Inspection(r.item_id, r.accepted, Condition(r.condition),
                                          Disposition(r.disposition), r.notes))
            except ValueError:
                raise InvalidReturn(
                    f"unknown condition {r.condition!r} or disposition {r.disposition!r}",
                    conditions=[c.value for c in Condition],
                    dispositions=[d.value for d in Disposition]) from None
        now = self._clock.now()
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            if ret.inspect(results, by=cmd.inspected_by, now=now):
                order = ordering.returnable(uow, ret.order_id)
                if ret.exchange is not None:
                    refund = _exchange_refund(order, ret.exchange)
                else:
                    refund = _estimate(order, ret.reason, ret.accepted_value(), self._policy,
                                       uow.returns.for_order(ret.order_id), ret.label_fee,
                                       excluding=ret.id)
                ret.finalise_refund(refund)
            uow.commit()
        return ret.id


class CompleteReturnHandler(_Step):
    """Restock what may be sold again into the warehouse each line shipped from, complete the
    exchange, and announce `returns.return_completed`, in one transaction. A restock that fails
    (an unknown or inactive warehouse) rolls that back and leaves the return `restock_failed`;
    the compensation job completes it later (or staff cancel it)."""

    def __call__(self, cmd: CompleteReturn) -> str:
        return complete(self._uow, cmd.return_id, self._policy, by=cmd.completed_by,
                        now=self._clock.now(), limit=cmd.limit)


def complete(uow_factory: Factory, return_id: str, policy: ReturnPolicy, *, by: str,
             now: datetime, limit: int | None = None) -> str:
    with uow_factory() as uow:
        ret = uow.returns.get(return_id)
        if ret.status not in (ReturnStatus.PROCESSING, ReturnStatus.RESTOCK_FAILED):
            raise InvalidReturnTransition(
                f"return {ret.number} is {ret.status}; only inspected returns complete",
                return_id=ret.id, status=ret.status.value)
        _within(ret, limit)
        try:
            _restock(uow, ret, by, now)
        except ConcurrencyConflict:
            raise
        except CommerceError as failed:
            error = failed  # leaving the block without commit undoes what was restocked
        else:
            order = ordering.returnable(uow, ret.order_id)
            others = [r for r in uow.returns.for_order(ret.order_id)
                      if r.id != ret.id and r.status in JUDGED]
            returned = _units_taken(others)
            for item in ret.items:
                returned[item.order_item_id] = (returned.get(item.order_item_id, 0)
                                                + item.quantity_accepted)
            full = all(returned.get(line.line_id, 0) >= line.quantity for line in order.lines)
            exchange = ret.exchange
            if (exchange is not None and exchange.order_id is not None
                    and exchange.price_difference.amount <= 0 and ret.payment_id is not None):
                # Nothing is owed: the returned goods paid for the replacement.
                ordering.confirm(uow, exchange.order_id, ret.payment_id, now=now)
            ret.complete(by=by, is_full_return=full, now=now)
            uow.commit()
            return ret.id
    with uow_factory() as uow:
        ret = uow.returns.get(return_id)
        ret.restock_failed(f"{error.code}: {error.message}", policy, now=now)
        uow.commit()
    log.warning("return %s: restock failed (%s)", return_id, error.message)
    return return_id


def _within(ret: Return, limit: int | None) -> None:
    """A staff member's refund ceiling holds for the refund their act sets off."""
    if limit is not None and ret.refund.total.amount > limit:
        raise RefundAboveLimit(
            f"a refund of {ret.refund.total} is above this caller's ceiling of "
            f"{Money(limit, ret.currency)}", limit=limit, requested=ret.refund.total.amount)


def _restock(uow: ReturnsUnitOfWork, ret: Return, by: str, now: datetime) -> None:
    for item in ret.items:
        if not item.restockable:
            continue
        inventory.active_warehouse(uow, item.warehouse_id)
        inventory.add_on_hand(
            uow, item.sku, item.warehouse_id, item.restockable, now=now,
            info=inventory.MovementInfo(
                inventory.MovementType.RETURN, reason="return", reference_type="return",
                reference_id=ret.id, notes=f"{ret.id}:restock:{item.id}", actor=by))
    ret.restocked()


class Refunds:
    """The refund step of a completed return, in the caller's transaction: payment's refund
    under `{return_id}:refund` (looked up before anything is asked), then the return's outcome.
    A gateway that times out or is down leaves the refund pending in payment and the return
    `refund_failed`; the next attempt, under the same key, finishes that refund."""

    def __init__(self, gateways: Any, policy: ReturnPolicy, clock: Clock,
                 tenders: TenderPolicy | None = None,
                 gift_cards: GiftCardSettings | None = None) -> None:
        self._gateways, self._policy, self._clock = gateways, policy, clock
        self._tenders = tenders or TenderPolicy()
        self._gift_cards = gift_cards or GiftCardSettings()

    def _stored_value(self, uow: ReturnsUnitOfWork, ret: Return, now: datetime) -> Money:
        """Store credit for the whole refund, or the order's stored value given back in the
        refund order; what is left for the card (ADR 0028). Once per return: the ledger
        postings and the tenders' shares are keyed by the return's id."""
        total = ret.refund.total
        if ret.refund_method == STORE_CREDIT:
            assert ret.customer_id is not None
            giftcards.grant_store_credit(uow, self._gift_cards, ret.customer_id, total,
                                         reason="return", reference=ret.id, now=now)
            return Money(0, total.currency)

        def target(tender: Tender) -> payment.RestoreTarget:
            if tender.kind is TenderKind.POINTS:
                return payment.RestoreTarget(
                    tender.account_id, now + timedelta(days=self._tenders.restored_points_days))
            account_id, expires_at = giftcards.restore_account(
                uow, self._gift_cards, tender.account_id, ret.customer_id, now=now)
            return payment.RestoreTarget(account_id, expires_at)

        return payment.refund_tenders(uow, ret.order_id, source_id=ret.id, amount=total,
                                      target=target, now=now)

    def attempt(self, uow: ReturnsUnitOfWork, ret: Return) -> None:
        if not ret.refund_due:
            return
        now = self._clock.now()
        disputed = payment.open_dispute(uow, ret.order_id)
        if disputed is not None and payment.refund_status(uow, ret.refund_key) is None:
            # Rule 17: the chargeback may give the money back already; its decision (a
            # `payment.dispute_closed`) resumes or cancels this refund. A refund asked of the
            # gateway before (its answer lost) is finished instead: the gateway may have acted.
            ret.refund_paused(disputed, now=now)
            log.info("return %s: refund paused, chargeback %s is open", ret.id, disputed)
            return
        card = self._stored_value(uow, ret, now)
        if card.amount == 0:
            ret.refunded(f"stored_value:{ret.id}", now=now)
            return
        try:
            outcome = payment.refund_once(
                uow, self._gateways, order_id=ret.order_id, idempotency_key=ret.refund_key,
                amount=card, reason=f"return {ret.number}", now=now)
        except ConcurrencyConflict:
            raise
        except CommerceError as error:
            # Timed out, unreachable, nothing left to refund, no payment: the return says so
            # and the job asks again under the same key.
            ret.refund_failed(f"{error.code}: {error.message}", self._policy, now=now)
            log.warning("return %s: refund failed (%s)", ret.id, error.message)
            return
        if outcome.status == "completed":
            ret.refunded(outcome.refund_id, now=now)
        else:
            ret.refund_failed(f"refund {outcome.status}: {outcome.decline_code}", self._policy,
                              now=now)


class RefundOnCompleted:
    """`returns.return_completed` → the refund, exactly once per return."""

    name = "returns.refund_on_return_completed"
    event_type = "returns.return_completed"

    def __init__(self, refunds: Refunds) -> None:
        self._refunds = refunds

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        ret = uow.returns.get(str(envelope.payload["return_id"]))
        self._refunds.attempt(uow, ret)


class RefundOnDisputeClosed:
    """`payment.dispute_closed` → the order's paused refunds: won, they are made now (same key,
    once); lost, they are cancelled (the chargeback gave the money back)."""

    name = "returns.refund_on_dispute_closed"
    event_type = "payment.dispute_closed"

    def __init__(self, refunds: Refunds, clock: Clock) -> None:
        self._refunds, self._clock = refunds, clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        payload, now = envelope.payload, self._clock.now()
        for ret in uow.returns.for_order(str(payload["order_id"])):
            if ret.refund_state is not RefundState.PAUSED:
                continue
            if payload["outcome"] == "lost":
                ret.refunded_by_chargeback(str(payload["dispute_id"]), now=now)
            else:
                ret.refund_resumed(now=now)
                self._refunds.attempt(uow, ret)  # pauses again while another one is open


class OrderStatusOnCompleted:
    """`returns.return_completed` → the order is `partially_returned` or `returned`. The one
    path that sets it; an order ordering does not let move (a completed one) stays."""

    name = "returns.order_status_on_return_completed"
    event_type = "returns.return_completed"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        payload = envelope.payload
        to = "returned" if payload["is_full_return"] else "partially_returned"
        try:
            ordering.advance(uow, str(payload["order_id"]), to,
                             f"return {payload['return_id']}", by="returns",
                             now=self._clock.now())
        except InvalidTransition as error:
            log.info("order %s stays as it is after return %s: %s", payload["order_id"],
                     payload["return_id"], error.message)


class RetryRefundHandler(_Step):
    """Staff ask for a failed (or dead-lettered) refund again, under the same key."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator, policy: ReturnPolicy,
                 refunds: Refunds) -> None:
        super().__init__(uow, clock, ids, policy)
        self._refunds = refunds

    def __call__(self, cmd: RetryReturnRefund) -> str:
        with self._uow() as uow:
            ret = uow.returns.get(cmd.return_id)
            if ret.status is not ReturnStatus.REFUND_FAILED:
                raise InvalidReturnTransition(
                    f"return {ret.number} is {ret.status}; only a failed refund is retried",
                    return_id=ret.id, status=ret.status.value)
            _within(ret, cmd.limit)
            if ret.refund_state is RefundState.DLQ:
                ret.refund_state = RefundState.FAILED  # a person takes it out of the dead letters
            self._refunds.attempt(uow, ret)
            uow.commit()
        return ret.id


class ExpireStaleReturnsHandler(_Step):
    """Pending for `stale_pending_days`, or approved and not shipped for `stale_approved_days`:
    cancelled, each in its own transaction."""

    def __call__(self, cmd: ExpireStaleReturns) -> int:
        now, policy = self._clock.now(), self._policy
        with self._uow() as uow:
            due = [(i, "stale_pending") for i in uow.returns.in_status_since(
                ReturnStatus.PENDING.value, now - timedelta(days=policy.stale_pending_days),
                cmd.limit)]
            due += [(i, "not_shipped") for i in uow.returns.in_status_since(
                ReturnStatus.APPROVED.value, now - timedelta(days=policy.stale_approved_days),
                cmd.limit)]
        done = 0
        for return_id, reason in due:
            try:
                with self._uow() as uow:
                    _cancel(uow, uow.returns.get(return_id), reason, "system", now)
                    uow.commit()
                done += 1
            except (ConcurrencyConflict, InvalidReturnTransition):
                log.info("return %s changed meanwhile; the next run looks again", return_id)
        return done


class RetryCompensationsHandler(_Step):
    """The compensation job: failed refunds due again (same key, at most the policy's attempts,
    then dead-lettered), failed restocks, labels not booked yet."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator, policy: ReturnPolicy,
                 refunds: Refunds, label: LabelBooker) -> None:
        super().__init__(uow, clock, ids, policy)
        self._refunds, self._label = refunds, label

    def __call__(self, cmd: RetryReturnCompensations) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            due = uow.returns.compensations_due(now, cmd.limit)
        done = 0
        for return_id in due:
            try:
                with self._uow() as uow:
                    ret = uow.returns.get(return_id)
                    status = ret.status
                    if (status is ReturnStatus.REFUND_FAILED and ret.retry_at is not None
                            and ret.retry_at <= now):
                        self._refunds.attempt(uow, ret)
                        uow.commit()
                if status is ReturnStatus.RESTOCK_FAILED:
                    complete(self._uow, return_id, self._policy, by="system", now=now)
                elif status is ReturnStatus.APPROVED:
                    self._label(return_id)
                done += 1
            except ConcurrencyConflict:
                log.info("return %s changed meanwhile; the next run looks again", return_id)
        return done
