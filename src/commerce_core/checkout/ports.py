"""What checkout needs: its saga storage, plus the units of work of the contexts it coordinates."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from commerce_core.cart.ports import CartUnitOfWork
from commerce_core.checkout.model import CheckoutSaga
from commerce_core.fraud.ports import FraudUnitOfWork
from commerce_core.giftcard.ports import GiftCardUnitOfWork
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.payment.ports import PaymentUnitOfWork
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.promotion.ports import PromotionUnitOfWork
from commerce_core.shipping.ports import ShippingMethodsUnitOfWork


class CheckoutSagaRepository(Protocol):
    def add(self, saga: CheckoutSaga) -> None:
        """Idempotency keys are unique: a second saga with a taken key raises
        `ConcurrencyConflict` at the latest on commit."""
        ...

    def get(self, saga_id: str) -> CheckoutSaga:
        """The saga, or `CheckoutNotFound`."""
        ...

    def by_key(self, idempotency_key: str) -> CheckoutSaga | None: ...

    def stale(self, now: datetime, limit: int) -> list[str]:
        """Ids of running or compensating sagas whose lease ran out, oldest first."""
        ...

    def keys_to_release(self, created_before: datetime, limit: int) -> list[str]:
        """Ids of completed or failed sagas created at or before the time whose idempotency key
        was not released yet, oldest first."""
        ...


class CheckoutUnitOfWork(
    CartUnitOfWork, InventoryUnitOfWork, FraudUnitOfWork, OrderingUnitOfWork, PaymentUnitOfWork,
    PricingUnitOfWork, PromotionUnitOfWork, ShippingMethodsUnitOfWork, GiftCardUnitOfWork,
    Protocol,
):
    """The saga's local steps commit the coordinated contexts' changes together with the saga's
    progress, in one transaction (ADR 0003): pricing is read, promotion usage and the order's
    risk assessment are recorded in it too."""

    @property
    def checkouts(self) -> CheckoutSagaRepository: ...

