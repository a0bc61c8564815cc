"""Payment's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.payment import disputes
from commerce_core.payment import handlers as ph
from commerce_core.payment.commands import (
    CapturePayment,
    CloseDispute,
    ExpireAuthorizations,
    RecordCollection,
    RecordCollectionFailed,
    RecordDispute,
    RefundPayment,
    RetryCaptures,
    VoidPayment,
)
from commerce_core.payment.ports import GatewayRouting, PaymentUnitOfWork, TenderPolicy
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class PaymentWiring:
    def __init__(self, uow: UnitOfWorkFactory[PaymentUnitOfWork], gateways: GatewayRouting,
                 clock: Clock, ids: IdGenerator, tenders: TenderPolicy | None = None) -> None:
        self._uow, self._gateway, self._clock, self._ids = uow, gateways, clock, ids
        self._tenders = tenders

    def handlers(self) -> Handlers:
        return {
            CapturePayment: ph.CapturePaymentHandler(self._uow, self._gateway, self._clock),
            RefundPayment: ph.RefundPaymentHandler(self._uow, self._gateway, self._clock,
                                                   self._ids),
            VoidPayment: ph.VoidPaymentHandler(self._uow, self._gateway, self._clock),
            RecordCollection: ph.RecordCollectionHandler(self._uow, self._gateway, self._clock),
            RecordCollectionFailed: ph.RecordCollectionFailedHandler(self._uow, self._gateway,
                                                                     self._clock),
            RetryCaptures: ph.RetryCapturesHandler(self._uow, self._gateway, self._clock),
            ExpireAuthorizations: ph.ExpireAuthorizationsHandler(self._uow, self._gateway,
                                                                 self._clock),
            RecordDispute: disputes.RecordDisputeHandler(self._uow, self._clock),
            CloseDispute: disputes.CloseDisputeHandler(self._uow, self._clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return [Subscriber.of(ph.ReleasePaymentOnOrderCancelled(self._gateway, self._clock,
                                                                self._tenders))]
