"""Checkout's handlers, built from what the composition root gives it."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.checkout import commands as cc
from commerce_core.checkout.handlers import (
    ConfirmBankTransferHandler,
    PlaceOrderHandler,
    RecoverCheckoutsHandler,
    ReleaseIdempotencyKeysHandler,
    SettlePaymentHandler,
)
from commerce_core.checkout.ports import CheckoutUnitOfWork
from commerce_core.checkout.runner import CheckoutSagaRunner
from commerce_core.checkout.steps import CheckoutSteps, StoredValue
from commerce_core.fraud.services import RiskScreen
from commerce_core.inventory.services import ReservationPolicy
from commerce_core.payment.ports import GatewayRouting
from commerce_core.pricing.services import CartPricer
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class CheckoutWiring:
    def __init__(
        self, uow: UnitOfWorkFactory[CheckoutUnitOfWork], gateway: GatewayRouting,
        pricer: CartPricer, clock: Clock, ids: IdGenerator, *, policy: ReservationPolicy,
        lease: timedelta, retention: timedelta, screen: RiskScreen | None = None,
        stored_value: StoredValue | None = None,
    ) -> None:
        steps = CheckoutSteps(uow, gateway, pricer, clock, ids, policy=policy, lease=lease,
                              retention=retention, screen=screen, stored_value=stored_value)
        self.runner = CheckoutSagaRunner(steps, clock)

    def handlers(self) -> Handlers:
        return {
            cc.PlaceOrder: PlaceOrderHandler(self.runner),
            cc.RecoverCheckouts: RecoverCheckoutsHandler(self.runner),
            cc.ReleaseIdempotencyKeys: ReleaseIdempotencyKeysHandler(self.runner),
            cc.SettlePayment: SettlePaymentHandler(self.runner),
            cc.ConfirmBankTransfer: ConfirmBankTransferHandler(self.runner),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
