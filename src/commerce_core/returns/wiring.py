"""The returns context's handlers and subscribers, built from what the composition root gives."""

from __future__ import annotations

from functools import partial

from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.payment.ports import GatewayRouting, TenderPolicy
from commerce_core.returns import commands as rc
from commerce_core.returns import handlers as rh
from commerce_core.returns.model import ReturnPolicy, RiskScorer, default_risk_score
from commerce_core.returns.ports import ReturnsUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping.ports import Carriers


class ReturnsWiring:
    def __init__(self, uow: UnitOfWorkFactory[ReturnsUnitOfWork], clock: Clock,
                 ids: IdGenerator, gateways: GatewayRouting, carriers: Carriers | None,
                 policy: ReturnPolicy, risk: RiskScorer | None = None,
                 tenders: TenderPolicy | None = None,
                 gift_cards: GiftCardSettings | None = None) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy
        self._risk: RiskScorer = risk or partial(default_risk_score, policy=policy)
        self.label = rh.LabelBooker(uow, clock, policy, carriers)
        self.refunds = rh.Refunds(gateways, policy, clock, tenders, gift_cards)

    def handlers(self) -> Handlers:
        uow, clock, ids, policy = self._uow, self._clock, self._ids, self._policy
        approve = rh.ApproveReturnHandler(uow, clock, ids, policy, self.label)
        return {
            rc.RequestReturn: rh.RequestReturnHandler(uow, clock, ids, policy, self._risk,
                                                      approve),
            rc.ApproveReturn: approve,
            rc.RejectReturn: rh.RejectReturnHandler(uow, clock, ids, policy),
            rc.CancelReturn: rh.CancelReturnHandler(uow, clock, ids, policy),
            rc.MarkReturnInTransit: rh.MarkInTransitHandler(uow, clock, ids, policy),
            rc.ReceiveReturn: rh.ReceiveReturnHandler(uow, clock, ids, policy),
            rc.InspectReturn: rh.InspectReturnHandler(uow, clock, ids, policy),
            rc.CompleteReturn: rh.CompleteReturnHandler(uow, clock, ids, policy),
            rc.RetryReturnRefund: rh.RetryRefundHandler(uow, clock, ids, policy, self.refunds),
            rc.ExpireStaleReturns: rh.ExpireStaleReturnsHandler(uow, clock, ids, policy),
            rc.RetryReturnCompensations: rh.RetryCompensationsHandler(
                uow, clock, ids, policy, self.refunds, self.label),
        }

    def subscribers(self) -> list[Subscriber]:
        return [
            Subscriber.of(rh.RefundOnCompleted(self.refunds)),
            Subscriber.of(rh.OrderStatusOnCompleted(self._clock)),
            Subscriber.of(rh.RefundOnDisputeClosed(self.refunds, self._clock)),
        ]
