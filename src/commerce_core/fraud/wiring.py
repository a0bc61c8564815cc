"""Fraud's handlers, built from what the composition root gives it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commerce_core.fraud.commands import ApproveReview, RejectReview
from commerce_core.fraud.handlers import (
    ApproveReviewHandler,
    HoldCaptureUnderReview,
    RejectReviewHandler,
)
from commerce_core.fraud.ports import FraudUnitOfWork
from commerce_core.payment.commands import CapturePayment
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.uow import UnitOfWorkFactory


class FraudWiring:
    def __init__(self, uow: UnitOfWorkFactory[FraudUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def handlers(self) -> Handlers:
        return {
            ApproveReview: ApproveReviewHandler(self._uow, self._clock),
            RejectReview: RejectReviewHandler(self._uow, self._clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return []

    def guard(self, command: type[Any],
              handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Another context's handler, with fraud's hold in front where it has one."""
        if command is CapturePayment:
            return HoldCaptureUnderReview(self._uow, handler)
        return handler
