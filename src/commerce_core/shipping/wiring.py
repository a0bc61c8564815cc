"""Shipping's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.shared.bus import Handle, Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping import commands as sc
from commerce_core.shipping import handlers as sh
from commerce_core.shipping.model import ShipmentPolicy
from commerce_core.shipping.ports import Carriers, ShipmentsUnitOfWork


class ShippingWiring:
    """Without carriers the order-status reactions still run; nothing is drafted or booked."""

    def __init__(self, uow: UnitOfWorkFactory[ShipmentsUnitOfWork], carriers: Carriers | None,
                 clock: Clock, ids: IdGenerator, policy: ShipmentPolicy | None = None,
                 handle: Handle | None = None) -> None:
        self._clock = clock
        self.shipping = (sh.Shipping(uow, carriers, clock, ids, policy or ShipmentPolicy(),
                                     handle) if carriers is not None else None)

    def gateway(self) -> sh.ShipmentGatewayForFulfillment | None:
        """Fulfillment's hand-over, when carriers are configured."""
        return (sh.ShipmentGatewayForFulfillment(self.shipping)
                if self.shipping is not None else None)

    def handlers(self) -> Handlers:
        shipping = self.shipping
        if shipping is None:
            return {}
        return {
            sc.BookShipment: sh.BookShipmentHandler(shipping),
            sc.RetryBookings: sh.RetryBookingsHandler(shipping),
            sc.GenerateLabel: sh.GenerateLabelHandler(shipping),
            sc.ConfirmDelivery: sh.ConfirmDeliveryHandler(shipping),
            sc.CancelShipment: sh.CancelShipmentHandler(shipping),
            sc.CancelShipmentsForOrder: sh.CancelShipmentsForOrderHandler(shipping),
            sc.ProcessCarrierWebhook: sh.ProcessCarrierWebhookHandler(shipping),
            sc.PollStaleShipments: sh.PollStaleShipmentsHandler(shipping),
        }

    def subscribers(self) -> list[Subscriber]:
        reactions: list[Subscriber] = [
            Subscriber.of(sh.OrderProcessingOnFulfillmentStarted(self._clock)),
            Subscriber.of(sh.OrderFollowsShipments(self._clock)),
        ]
        if self.shipping is not None:
            reactions += [
                Subscriber.of(sh.DraftShipmentOnPackageReady(self.shipping)),
                Subscriber.of(sh.CancelShipmentsOnOrderCancelled(self.shipping)),
            ]
        return reactions
