"""Ordering's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.ordering import handlers as oh
from commerce_core.ordering.commands import CancelOrder, LinkGuestOrders
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.uow import UnitOfWorkFactory


class OrderingWiring:
    def __init__(self, uow: UnitOfWorkFactory[OrderingUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def handlers(self) -> Handlers:
        return {CancelOrder: oh.CancelOrderHandler(self._uow, self._clock),
                LinkGuestOrders: oh.LinkGuestOrdersHandler(self._uow, self._clock)}

    def subscribers(self) -> list[Subscriber]:
        return [Subscriber.of(oh.CancelPendingOrderOnReservationExpired(self._clock)),
                Subscriber.of(oh.MarkOrderPaidOnPaymentCaptured(self._clock)),
                Subscriber.of(oh.LinkGuestOrdersOnEmailVerified(self._clock)),
                Subscriber.of(oh.LinkGuestOrdersOnVerifiedRegistration(self._clock))]
