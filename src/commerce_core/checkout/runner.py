"""The checkout saga runner: places orders, replays them by idempotency key, and drives
interrupted checkouts to their outcome. The steps themselves are in `steps.py`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from attrs import evolve

from commerce_core.checkout.commands import (
    ConfirmBankTransfer,
    PlaceOrder,
    RecoverCheckouts,
    ReleaseIdempotencyKeys,
    SettlePayment,
)
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    TransferAmountMismatch,
    TransferTooLate,
)
from commerce_core.checkout.model import (
    KEYLESS_KEY_PREFIX,
    RELEASED_KEY_PREFIX,
    CheckoutSaga,
    SagaStatus,
    fingerprint,
)
from commerce_core.checkout.queries import PlacedOrder, SettleOutcome
from commerce_core.checkout.steps import CheckoutSteps, placed
from commerce_core.fraud.queries import RiskVerdict
from commerce_core.ordering import services as orders
from commerce_core.payment import services as payments
from commerce_core.payment.errors import PaymentDeclined, PaymentNotCompleted, PaymentNotFound
from commerce_core.payment.services import Settlement
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.uow import Held

log = logging.getLogger("commerce.checkout")

StepProbe = Callable[[str], None]
# The points a probe is told about, in order. The first three share one commit.
PROBE_POINTS = ("priced", "stock_reserved", "order_created", "payment_authorized", "confirmed")


class CheckoutSagaRunner:
    """Runs checkout sagas. One instance serves every thread: all state lives in the persisted
    saga, never in the runner.

    `probe` is called with each point of `PROBE_POINTS` right after it took effect; tests use it
    to stop the process at exactly that point and check recovery.
    """

    def __init__(self, steps: CheckoutSteps, clock: Clock, *,
                 probe: StepProbe | None = None) -> None:
        self._steps, self._clock = steps, clock
        self._uow = steps.uow
        self.probe: StepProbe = probe or (lambda point: None)

    # -- placing an order -----------------------------------------------------------------------
    def place(self, cmd: PlaceOrder) -> PlacedOrder:
        key = cmd.idempotency_key
        if key is not None and key.startswith((KEYLESS_KEY_PREFIX, RELEASED_KEY_PREFIX)):
            raise InvalidIdempotencyKey(
                f"an Idempotency-Key may not start with {KEYLESS_KEY_PREFIX!r} or "
                f"{RELEASED_KEY_PREFIX!r}", idempotency_key=key)
        cmd.check_tenders()
        parts: tuple[object, ...] = (cmd.cart_id, cmd.payment_method, cmd.email, cmd.customer_id)
        if cmd.destination is not None:  # keeps the hashes of address-less requests as they were
            parts += (cmd.destination,)
        if cmd.billing_country is not None:
            parts += (("billing", cmd.billing_country),)
        if cmd.shipping_quote_id is not None:
            parts += (("shipping_quote", cmd.shipping_quote_id),)
        if cmd.has_tenders:
            parts += (("tenders", cmd.gift_card_code, cmd.gift_card_amount,
                       cmd.store_credit_amount, cmd.points),)
        if cmd.ship_to is not None:
            parts += (("ship_to", cmd.ship_to),)
            if cmd.destination is None:
                cmd = evolve(cmd, destination=cmd.tax_destination())
        request_hash = fingerprint(*parts)
        screening = self._steps.screening(cmd)
        taxes = self._steps.taxes(cmd)
        # The key is not looked up first: a new request (the usual case) pays no read for it.
        # A request that reuses a key fails somewhere in `open` (its cart is taken or already
        # an order, or the unique key refuses the saga at commit) and is answered by the saga
        # that key started; nothing the failed attempt wrote was committed.
        try:
            opened = self._steps.open(cmd, request_hash, taxes, screening)
        except ConcurrencyConflict:
            # Another request with this key, or on this cart, committed first.
            if cmd.idempotency_key is not None:
                existing = self._by_key(cmd.idempotency_key)
                if existing is not None:
                    return self._again(cmd, existing, request_hash)
            raise CheckoutInProgress(
                f"cart {cmd.cart_id} is being checked out", cart_id=cmd.cart_id
            ) from None
        except CommerceError:
            if cmd.idempotency_key is not None:
                existing = self._by_key(cmd.idempotency_key)
                if existing is not None:
                    return self._again(cmd, existing, request_hash)
            raise
        if isinstance(opened, PlacedOrder):
            return opened
        for point in PROBE_POINTS[:3]:
            self.probe(point)
        return self._finish(opened.saga, opened.held, opened.route, opened.verdict)

    def _again(self, cmd: PlaceOrder, existing: CheckoutSaga,
               request_hash: str) -> PlacedOrder:
        if existing.key_expired(self._clock.now(), self._steps.retention):
            # Past the retention a key means nothing any more: this is a new request.
            self._steps.release_key(existing.id)
            return self.place(cmd)
        return self._replay(existing, request_hash)

    def _by_key(self, key: str) -> CheckoutSaga | None:
        with self._uow() as uow:
            return uow.checkouts.by_key(key)

    def release_keys(self, cmd: ReleaseIdempotencyKeys) -> int:
        return self._steps.release_keys(cmd.limit)

    def _replay(self, saga: CheckoutSaga, request_hash: str) -> PlacedOrder:
        """The same request again: its outcome, or (lease expired) take it over and finish it."""
        if saga.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used for a different request",
                idempotency_key=saga.idempotency_key,
            )
        if saga.awaits_payment:
            return self._drive(saga.id, deadline_passed=saga.is_stale(self._clock.now()))
        if saga.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and not saga.is_stale(
            self._clock.now()
        ):
            raise CheckoutInProgress("this checkout is still being processed",
                                     checkout_id=saga.id)
        return self._drive(saga.id)

    # -- finishing ------------------------------------------------------------------------------
    def _drive(self, saga_id: str, *, deadline_passed: bool = True) -> PlacedOrder:
        """Take a persisted saga to its end: its result, its failure, or a finished run. A
        saga waiting for the shopper is only answered again, unless its deadline passed."""
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is SagaStatus.COMPLETED:
                assert saga.order_id is not None
                return placed(orders.summary(uow, saga.order_id))
        if saga.awaits_payment:
            if not deadline_passed:
                return self._steps.waiting(saga)
            # The provider is asked once more, then what is unpaid expires.
            self._settle(saga, Settlement.PENDING, self._steps.reference(saga), expire=True)
            return self._drive(saga_id, deadline_passed=False)
        if saga.status is SagaStatus.COMPENSATING:
            self._steps.compensate(saga_id, saga.failure_code or "", saga.failure_message or "")
        if saga.status in (SagaStatus.COMPENSATING, SagaStatus.FAILED):
            raise CheckoutFailed(
                f"this checkout failed: {saga.failure_message}", checkout_id=saga.id,
                failure_code=saga.failure_code,
            )
        return self._finish(saga)

    def _finish(self, saga: CheckoutSaga, held: Held | None = None,
                route: tuple[str, ...] = (),
                verdict: RiskVerdict | None = None) -> PlacedOrder:
        """Authorize, then confirm; or compensate whatever refused (a blocked risk first)."""
        try:
            self._steps.screen(saga, verdict)
            if saga.payment_id is None:  # stored value pays it all: nothing to authorize
                result = self._steps.confirm(saga.id, None, held)
                self.probe("confirmed")
                return result
            authorized = self._steps.authorize(saga, route)
            self.probe("payment_authorized")
            if authorized.pending:
                return self._steps.await_payment(saga.id, authorized)
            # A failover changed the payment after `held` was taken: confirm reads it afresh.
            result = self._steps.confirm(saga.id, authorized.reference,
                                         None if authorized.rerouted else held)
            self.probe("confirmed")
        except ConcurrencyConflict:
            raise CheckoutInProgress(
                "another process took over this checkout", checkout_id=saga.id
            ) from None
        except CommerceError as error:
            self._steps.compensate(saga.id, error.code, error.message)
            raise
        return result

    # -- payments that waited for the shopper ---------------------------------------------------
    def settle(self, cmd: SettlePayment) -> SettleOutcome:
        """Apply a provider's signal to the checkout whose payment it names."""
        inbox = f"webhook:{cmd.gateway}"
        if cmd.event_id is not None and self._steps.seen(inbox, cmd.event_id):
            return SettleOutcome.ALREADY_SETTLED
        saga = self._steps.find(cmd.gateway, cmd.reference)
        outcome = SettleOutcome.UNKNOWN if saga is None else self._settle(
            saga, payments.settlement_of(cmd.kind), cmd.reference, expire=False)
        if cmd.event_id is not None:
            # Recorded once applied: a notification that failed half-way is applied again.
            self._steps.record(inbox, cmd.event_id)
        return outcome

    def _settle(self, saga: CheckoutSaga, settlement: Settlement, reference: str | None, *,
                expire: bool) -> SettleOutcome:
        """Every signal ends here, in whatever order they come: the first that knows the
        outcome settles the checkout (confirm, or compensate) under the saga's version; the
        others find it settled and change nothing. Never backwards: a failure after the
        order was confirmed is ignored, a payment after the checkout gave up is voided."""
        if saga.status is SagaStatus.COMPLETED:
            return SettleOutcome.ALREADY_SETTLED
        if saga.status is SagaStatus.FAILED:
            if settlement is not Settlement.FAILED and reference is not None:
                # Money taken after the checkout gave up? The provider says, not the signal.
                settlement, reference = self._steps.poll(saga, reference)
            if settlement is Settlement.APPROVED:
                log.warning("checkout %s was paid after it failed; the money goes back",
                            saga.id)
                self._steps.void_late(saga, reference)
                return SettleOutcome.LATE_PAYMENT
            return SettleOutcome.ALREADY_SETTLED
        if not saga.awaits_payment:
            # Compensating, or the authorization call is still in flight: its owner settles it.
            return SettleOutcome.PENDING
        if settlement is Settlement.PENDING and reference is not None:
            settlement, reference = self._steps.poll(saga, reference)
        try:
            if settlement is Settlement.APPROVED and reference is not None:
                self._steps.confirm(saga.id, reference)
                return SettleOutcome.CONFIRMED
            if settlement is Settlement.FAILED:
                self._steps.compensate(saga.id, PaymentDeclined.code,
                                       "the payment failed at the provider")
                return SettleOutcome.FAILED
            if expire:
                self._steps.compensate(saga.id, PaymentNotCompleted.code,
                                       "the payment was not completed in time")
                return SettleOutcome.FAILED
        except ConcurrencyConflict:
            return SettleOutcome.ALREADY_SETTLED  # another signal settled it first
        except CommerceError as error:  # confirming was refused (e.g. the stock expired)
            self._steps.compensate(saga.id, error.code, error.message)
            return SettleOutcome.FAILED
        return SettleOutcome.PENDING

    def confirm_transfer(self, cmd: ConfirmBankTransfer) -> SettleOutcome:
        """A bank transfer staff saw arrive settles its checkout like a provider's signal,
        keyed by the transfer reference so a second confirmation changes nothing."""
        with self._steps.uow() as uow:
            found = payments.by_reference(uow, cmd.gateway, cmd.reference)
            if found is None:
                raise PaymentNotFound(f"no {cmd.gateway} payment has reference {cmd.reference}",
                                      reference=cmd.reference)
            owed = payments.amount_of(uow, found.payment_id)
        if cmd.amount != owed:
            raise TransferAmountMismatch(
                f"the transfer {cmd.reference} is {cmd.amount}, the order owes {owed}",
                reference=cmd.reference, owed=owed.amount, received=cmd.amount.amount,
                currency=owed.currency)
        outcome = self.settle(SettlePayment(cmd.gateway, cmd.reference, "authorized",
                                            f"transfer:{cmd.reference}"))
        if outcome is SettleOutcome.CONFIRMED:
            return outcome
        with self._steps.uow() as uow:
            if payments.holds_money(uow, found.payment_id):
                return SettleOutcome.ALREADY_SETTLED
        raise TransferTooLate(
            f"the checkout of transfer {cmd.reference} ended before the money arrived; send "
            "the transfer back to the shopper", reference=cmd.reference, order_id=found.order_id)

    # -- recovery -------------------------------------------------------------------------------
    def recover(self, cmd: RecoverCheckouts) -> dict[str, int]:
        """Claim checkouts whose lease ran out and finish them. Each has its order already (the
        local steps commit together), so it is driven forward: the gateway answers the same key
        with the same outcome, so the checkout is confirmed, or compensated, and the shopper is
        never charged twice. A checkout stuck compensating gets its void retried (ADR 0003)."""
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
                    saga.claim(now=now, lease=self._steps.lease)
                    uow.commit()
            except ConcurrencyConflict:
                continue  # another worker claimed it
            try:
                self._drive(saga_id)
                outcome["completed"] += 1
            except ServiceUnavailable:
                outcome["retry_later"] += 1
            except CommerceError:
                with self._uow() as uow:
                    done = uow.checkouts.get(saga_id).status is SagaStatus.FAILED
                outcome["compensated" if done else "retry_later"] += 1
        return outcome
