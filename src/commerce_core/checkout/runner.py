"""The checkout saga runner: places orders, replays them by idempotency key, and drives
interrupted checkouts to their outcome. The steps themselves are in `steps.py`."""

from __future__ import annotations

from collections.abc import Callable

from commerce_core.checkout.commands import PlaceOrder, RecoverCheckouts, ReleaseIdempotencyKeys
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
)
from commerce_core.checkout.model import (
    KEYLESS_KEY_PREFIX,
    RELEASED_KEY_PREFIX,
    CheckoutSaga,
    SagaStatus,
    fingerprint,
)
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.checkout.steps import CheckoutSteps, Found, placed
from commerce_core.fraud.queries import RiskVerdict
from commerce_core.ordering import services as orders
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shared.uow import Held

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
        parts: tuple[object, ...] = (cmd.cart_id, cmd.payment_method, cmd.email, cmd.customer_id)
        if cmd.destination is not None:  # keeps the hashes of address-less requests as they were
            parts += (cmd.destination,)
        if cmd.billing_country is not None:
            parts += (("billing", cmd.billing_country),)
        request_hash = fingerprint(*parts)
        screening = self._steps.screening(cmd)
        taxes = self._steps.taxes(cmd)
        try:
            opened = self._steps.open(cmd, request_hash, taxes, screening)
        except ConcurrencyConflict:
            # Another request with this key, or on this cart, committed first.
            if cmd.idempotency_key is not None:
                existing = self._by_key(cmd.idempotency_key)
                if existing is not None:
                    return self._replay(existing, request_hash)
            raise CheckoutInProgress(
                f"cart {cmd.cart_id} is being checked out", cart_id=cmd.cart_id
            ) from None
        if isinstance(opened, PlacedOrder):
            return opened
        if isinstance(opened, Found):
            if opened.saga.key_expired(self._clock.now(), self._steps.retention):
                # Past the retention a key means nothing any more: this is a new request.
                self._steps.release_key(opened.saga.id)
                return self.place(cmd)
            return self._replay(opened.saga, request_hash)
        for point in PROBE_POINTS[:3]:
            self.probe(point)
        return self._finish(opened.saga, opened.held, opened.verdict)

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
        if saga.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and not saga.is_stale(
            self._clock.now()
        ):
            raise CheckoutInProgress("this checkout is still being processed",
                                     checkout_id=saga.id)
        return self._drive(saga.id)

    # -- finishing ------------------------------------------------------------------------------
    def _drive(self, saga_id: str) -> PlacedOrder:
        """Take a persisted saga to its end: its result, its failure, or a finished run."""
        with self._uow() as uow:
            saga = uow.checkouts.get(saga_id)
            if saga.status is SagaStatus.COMPLETED:
                assert saga.order_id is not None
                return placed(orders.summary(uow, saga.order_id))
        if saga.status is SagaStatus.COMPENSATING:
            self._steps.compensate(saga_id, saga.failure_code or "", saga.failure_message or "")
        if saga.status in (SagaStatus.COMPENSATING, SagaStatus.FAILED):
            raise CheckoutFailed(
                f"this checkout failed: {saga.failure_message}", checkout_id=saga.id,
                failure_code=saga.failure_code,
            )
        return self._finish(saga)

    def _finish(self, saga: CheckoutSaga, held: Held | None = None,
                verdict: RiskVerdict | None = None) -> PlacedOrder:
        """Authorize, then confirm; or compensate whatever refused (a blocked risk first)."""
        try:
            self._steps.screen(saga, verdict)
            reference = self._steps.authorize(saga)
            self.probe("payment_authorized")
            result = self._steps.confirm(saga.id, reference, held)
            self.probe("confirmed")
        except ConcurrencyConflict:
            raise CheckoutInProgress(
                "another process took over this checkout", checkout_id=saga.id
            ) from None
        except CommerceError as error:
            self._steps.compensate(saga.id, error.code, error.message)
            raise
        return result

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
