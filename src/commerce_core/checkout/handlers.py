"""The checkout saga runner: places orders, and resumes or compensates interrupted checkouts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from attrs import frozen

from commerce_core.cart.model import Cart, CartStatus
from commerce_core.cart.ports import ProductLookup
from commerce_core.checkout.commands import PlaceOrder, RecoverCheckouts
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    CheckoutNotPossible,
    IdempotencyKeyReused,
)
from commerce_core.checkout.model import (
    CheckoutLine,
    CheckoutSaga,
    SagaStatus,
    Step,
    fingerprint,
)
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.inventory import services as stock
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.inventory.services import StockRequest
from commerce_core.ordering.model import Order, OrderLine, Totals, order_number
from commerce_core.payment.errors import PaymentDeclined
from commerce_core.payment.model import Payment
from commerce_core.payment.ports import AuthorizationRequest, PaymentGateway
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money, total
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.checkout")

StepProbe = Callable[[str], None]


@frozen
class PlacedOrder:
    order_id: str
    order_number: str
    status: str
    checkout_id: str
    total: Money


class CheckoutSagaRunner:
    """Runs checkout sagas step by step. One instance serves every thread: all state lives in
    the persisted saga, never in the runner.

    `probe` is called with each step's name right after that step took effect; tests use it to
    stop the process at exactly that point and check recovery.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory[CheckoutUnitOfWork],
        products: ProductLookup,
        gateway: PaymentGateway,
        clock: Clock,
        ids: IdGenerator,
        *,
        policy: ReservationPolicy | None = None,
        lease: timedelta = timedelta(seconds=30),
        probe: StepProbe | None = None,
    ) -> None:
        self._uow, self._products, self._gateway = uow, products, gateway
        self._clock, self._ids = clock, ids
        self._policy = policy or ReservationPolicy()
        self._lease = lease
        self.probe: StepProbe = probe or (lambda step: None)

    # -- placing an order -----------------------------------------------------------------------
    def place(self, cmd: PlaceOrder) -> PlacedOrder:
        saga_id = self._begin(cmd)
        return self._drive(saga_id, resume=True)

    def _begin(self, cmd: PlaceOrder) -> str:
        """Validate and price the cart and persist a new saga, or find the one this request
        already started (idempotency)."""
        request_hash = fingerprint(cmd.cart_id, cmd.payment_method, cmd.email, cmd.customer_id)
        if cmd.idempotency_key is not None:
            existing = self._by_key(cmd.idempotency_key)
            if existing is not None:
                return self._replay(existing, request_hash)
        lookup_skus: set[str] = set()
        with self._uow() as uow:
            cart = uow.carts.get(cmd.cart_id)
            lookup_skus = {line.sku for line in cart.lines}
        items = self._products.lookup(lookup_skus) if lookup_skus else {}
        now = self._clock.now()
        try:
            with self._uow() as uow:
                cart = uow.carts.get(cmd.cart_id)
                key = cmd.idempotency_key or f"cart:{cart.id}:v{cart.version}"
                if cmd.idempotency_key is None and cart.status is CartStatus.COMPLETED:
                    return self._saga_of_cart(uow, cart)
                self._check_cart(cart, cmd)
                lines = []
                for line in cart.lines:
                    item = items.get(line.sku)
                    if item is None or not item.available:
                        raise CheckoutNotPossible(f"{line.sku} is no longer for sale",
                                                  sku=line.sku)
                    lines.append(CheckoutLine(line.sku, item.product_id, item.name,
                                              line.quantity, item.unit_price, line.warehouse_id))
                saga = CheckoutSaga.start(
                    saga_id=self._ids.new_id(), idempotency_key=key, request_hash=request_hash,
                    cart_id=cart.id, customer_id=cart.customer_id or cmd.customer_id,
                    email=cmd.email, payment_method=cmd.payment_method, currency=cart.currency,
                    lines=lines, total=total([ln.line_total for ln in lines], cart.currency),
                    now=now, lease=self._lease,
                )
                cart.begin_checkout(now=now)
                uow.checkouts.add(saga)
                uow.commit()
        except ConcurrencyConflict:
            # Another request with this key, or on this cart, got there first.
            if cmd.idempotency_key is not None:
                existing = self._by_key(cmd.idempotency_key)
                if existing is not None:
                    return self._replay(existing, request_hash)
            raise CheckoutInProgress(
                f"cart {cmd.cart_id} is being checked out", cart_id=cmd.cart_id
            ) from None
        self.probe(Step.PRICED)
        return saga.id

    def _check_cart(self, cart: Cart, cmd: PlaceOrder) -> None:
        if cmd.customer_id is not None and cart.customer_id not in (None, cmd.customer_id):
            raise CheckoutNotPossible("this cart belongs to another customer", cart_id=cart.id)
        if cart.status is not CartStatus.ACTIVE:
            raise CheckoutInProgress(
                f"cart {cart.id} is {cart.status}", cart_id=cart.id, status=cart.status.value
            ) if cart.status is CartStatus.CHECKOUT else CheckoutNotPossible(
                f"cart {cart.id} is {cart.status}", cart_id=cart.id, status=cart.status.value
            )
        if not cart.lines:
            raise CheckoutNotPossible("the cart is empty", cart_id=cart.id)

    def _saga_of_cart(self, uow: CheckoutUnitOfWork, cart: Cart) -> str:
        assert cart.order_id is not None
        order = uow.orders.get(cart.order_id)
        return order.checkout_id

    def _by_key(self, key: str) -> CheckoutSaga | None:
        with self._uow() as uow:
            return uow.checkouts.by_key(key)

    def _replay(self, saga: CheckoutSaga, request_hash: str) -> str:
        if saga.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request",
                idempotency_key=saga.idempotency_key,
            )
        if saga.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and not saga.is_stale(
            self._clock.now()
        ):
            raise CheckoutInProgress("this checkout is still being processed",
                                     checkout_id=saga.id)
        return saga.id

    # -- driving the steps ----------------------------------------------------------------------
    def _drive(self, saga_id: str, *, resume: bool) -> PlacedOrder:
        """Take the saga from wherever it stands to completion, or compensate it.

        `resume=False` (the recovery worker's policy) compensates a saga that never reached the
        payment step instead of placing the order without the shopper waiting for it.
        """
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
        if saga.status is SagaStatus.COMPLETED:
            return self._result(saga)
        if saga.status is SagaStatus.FAILED:
            raise CheckoutFailed(
                f"this checkout failed: {saga.failure_message}", checkout_id=saga.id,
                failure_code=saga.failure_code,
            )
        if saga.status is SagaStatus.COMPENSATING:
            self._compensate(saga_id, saga.failure_code or "", saga.failure_message or "")
            raise CheckoutFailed(f"this checkout failed: {saga.failure_message}",
                                 checkout_id=saga.id, failure_code=saga.failure_code)
        if not resume and not saga.may_hold_authorization:
            self._compensate(saga_id, "checkout.abandoned", "the checkout was interrupted")
            raise CheckoutFailed("the checkout was interrupted and rolled back",
                                 checkout_id=saga_id, failure_code="checkout.abandoned")
        try:
            if saga.step is Step.PRICED:
                saga = self._reserve_stock(saga_id)
                self.probe(Step.STOCK_RESERVED)
            if saga.step is Step.STOCK_RESERVED:
                saga = self._create_order(saga_id)
                self.probe(Step.ORDER_CREATED)
            if saga.step is Step.ORDER_CREATED:
                reference = self._authorize(saga)
                self.probe("payment_authorized")
                saga = self._confirm(saga_id, reference)
                self.probe(Step.CONFIRMED)
        except ConcurrencyConflict:
            raise CheckoutInProgress(
                "another process took over this checkout", checkout_id=saga_id
            ) from None
        except CommerceError as error:
            self._compensate(saga_id, error.code, error.message)
            raise
        return self._result(saga)

    def _result(self, saga: CheckoutSaga) -> PlacedOrder:
        assert saga.order_id is not None
        with self._uow() as uow:
            order = uow.orders.get(saga.order_id)
        return PlacedOrder(order.id, order.number, order.status.value, saga.id, order.totals.total)

    @staticmethod
    def _load_at(uow: CheckoutUnitOfWork, saga_id: str, step: Step) -> CheckoutSaga:
        """The saga, if it still stands where this runner left it; another process that took it
        over (and moved it on) wins, and this runner stops."""
        saga = uow.checkouts.get(saga_id)
        if saga.status is not SagaStatus.RUNNING or saga.step is not step:
            raise ConcurrencyConflict(f"checkout {saga_id} moved on", checkout_id=saga_id)
        return saga

    def _reserve_stock(self, saga_id: str) -> CheckoutSaga:
        now = self._clock.now()
        with self._uow() as uow:
            saga = self._load_at(uow, saga_id, Step.PRICED)
            reservations = stock.reserve(
                uow,
                [StockRequest(ln.sku, ln.quantity, ln.warehouse_id) for ln in saga.lines],
                reference=saga.id,
                expires_at=now + self._policy.ttl(saga.payment_method),
                now=now,
                ids=self._ids,
            )
            saga.stock_reserved([r.id for r in reservations], now=now, lease=self._lease)
            uow.commit()
        return saga

    def _create_order(self, saga_id: str) -> CheckoutSaga:
        now = self._clock.now()
        with self._uow() as uow:
            saga = self._load_at(uow, saga_id, Step.STOCK_RESERVED)
            reservations = [uow.reservations.get(rid) for rid in saga.reservation_ids]
            order_id = self._ids.new_id()
            zero = Money.zero(saga.currency)
            order = Order.place(
                order_id=order_id, number=order_number(order_id, now), checkout_id=saga.id,
                cart_id=saga.cart_id, customer_id=saga.customer_id, email=saga.email,
                currency=saga.currency,
                lines=[
                    OrderLine(self._ids.new_id(), ln.sku, ln.product_id, ln.name, ln.quantity,
                              ln.unit_price, ln.line_total, r.warehouse_id, r.id)
                    for ln, r in zip(saga.lines, reservations, strict=True)
                ],
                totals=Totals(saga.total, zero, zero, zero, saga.total),
                payment_method=saga.payment_method, payment_id=None, now=now,
            )
            payment = Payment.start(
                payment_id=self._ids.new_id(), order_id=order_id, amount=saga.total,
                method=saga.payment_method, gateway=self._gateway.name,
                idempotency_key=saga.authorization_key, now=now,
            )
            uow.orders.add(order)
            uow.payments.add(payment)
            saga.order_created(order_id, payment.id, now=now, lease=self._lease)
            uow.commit()
        return saga

    def _authorize(self, saga: CheckoutSaga) -> str:
        """Ask the gateway; outside any transaction, idempotent on the checkout's key."""
        assert saga.order_id is not None
        assert saga.payment_id is not None
        result = self._gateway.authorize(
            AuthorizationRequest(
                payment_id=saga.payment_id, order_id=saga.order_id, amount=saga.total,
                method=saga.payment_method, idempotency_key=saga.authorization_key,
                customer_email=saga.email,
            )
        )
        if not result.approved or result.reference is None:
            raise PaymentDeclined(
                f"the payment was declined ({result.decline_code or 'no reason given'})",
                decline_code=result.decline_code,
            )
        return result.reference

    def _confirm(self, saga_id: str, reference: str) -> CheckoutSaga:
        now = self._clock.now()
        with self._uow() as uow:
            saga = self._load_at(uow, saga_id, Step.ORDER_CREATED)
            assert saga.order_id is not None
            assert saga.payment_id is not None
            uow.payments.get(saga.payment_id).authorized(reference, now=now)
            stock.confirm(uow, saga.reservation_ids, order_id=saga.order_id, now=now)
            order = uow.orders.get(saga.order_id)
            order.confirm(saga.payment_id, now=now)
            uow.carts.get(saga.cart_id).complete(order.id, order.totals.total, now=now)
            saga.confirmed(now=now)
            uow.commit()
        return saga

    # -- compensation ---------------------------------------------------------------------------
    def _compensate(self, saga_id: str, code: str, message: str) -> None:
        """Give back everything the saga took. Safe to repeat: each undo is idempotent.

        If the gateway cannot void right now, the saga stays `compensating` and the recovery
        worker tries again; stock is released only together with the rest, in one transaction,
        once the money side is settled.
        """
        now = self._clock.now()
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status in (SagaStatus.FAILED, SagaStatus.COMPLETED):
                return
            saga.compensating(code, message, now=now, lease=self._lease)
            uow.commit()
        if saga.may_hold_authorization and code != PaymentDeclined.code:
            try:
                self._gateway.void(saga.authorization_key)
            except ServiceUnavailable:
                log.warning("void of checkout %s failed; the recovery worker retries", saga_id)
                return
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is not SagaStatus.COMPENSATING:
                return  # another process finished the compensation
            stock.release(uow, saga.reservation_ids, reason="checkout_failed", now=now)
            if saga.order_id is not None:
                uow.orders.get(saga.order_id).cancel(code, changed_by="checkout", now=now)
            if saga.payment_id is not None:
                payment = uow.payments.get(saga.payment_id)
                if code == PaymentDeclined.code:
                    payment.failed(code, message, now=now)
                else:
                    payment.voided(now=now)
            uow.carts.get(saga.cart_id).reopen(code, now=now)
            saga.failed(now=now)
            uow.commit()

    # -- recovery -------------------------------------------------------------------------------
    def recover(self, cmd: RecoverCheckouts) -> dict[str, int]:
        """Claim stale sagas one by one and finish them: a saga that may hold an authorization is
        driven forward (the gateway answers the same key with the same outcome, so it is confirmed
        or voided, never charged twice); an earlier one is compensated (ADR 0003)."""
        now = self._clock.now()
        with self._uow() as uow:
            stale = uow.checkouts.stale(now, cmd.limit)
        outcome = {"completed": 0, "compensated": 0, "retry_later": 0}
        for saga_id in stale:
            try:
                with self._uow() as uow:
                    saga = uow.checkouts.get(saga_id)
                    if not saga.is_stale(now):
                        continue
                    saga.claim(now=now, lease=self._lease)
                    uow.commit()
            except ConcurrencyConflict:
                continue
            try:
                self._drive(saga_id, resume=False)
                outcome["completed"] += 1
            except ServiceUnavailable:
                outcome["retry_later"] += 1
            except CommerceError:
                with self._uow() as uow:
                    done = uow.checkouts.get(saga_id).status is SagaStatus.FAILED
                outcome["compensated" if done else "retry_later"] += 1
        return outcome


class PlaceOrderHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: PlaceOrder) -> PlacedOrder:
        return self._runner.place(cmd)


class RecoverCheckoutsHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: RecoverCheckouts) -> dict[str, int]:
        return self._runner.recover(cmd)
