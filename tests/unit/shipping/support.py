"""A shop that ships: two warehouses with addresses, the fake carrier, orders with a ship-to."""

from __future__ import annotations

from typing import Any

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.breakers import InMemoryBreakerStore
from adapters.payments.offline import CashOnDeliveryGateway
from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.fulfillment.model import FulfillmentPolicy, PackageSpec
from commerce_core.inventory.warehouses import Address, WarehouseDetails
from commerce_core.payment.routing import GatewayProfile, GatewayRouter, RoutingTable
from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.model import Shipment
from tests.shop import cart_with, two_warehouse_shop

SHIP_TO = PostalAddress(name="Nguyen Van A", phone="0901234567", line1="12 Ly Tu Trong",
                        province="Ho Chi Minh", country_code="VN", ward="Ben Nghe")


def shipping_shop(ports: Any = None) -> tuple[Commerce, FakeCarrier]:
    if ports is None:
        clock, card = FrozenClock(), ScriptedPaymentGateway(name="fake")
        ports = bundle(gateway=card, clock=clock, ids=SequentialIds())
        # Cash on delivery goes to its own gateway, whose capture is the courier's collection.
        ports.gateways = GatewayRouter(
            [card, CashOnDeliveryGateway()], routes=RoutingTable.parse("cod=cod"),
            profiles={"cod": GatewayProfile(methods=frozenset({"cod"}))},
            breakers=InMemoryBreakerStore(), clock=clock)
    carrier = FakeCarrier(clock=ports.clock)
    ports.carriers = CarrierRegistry([carrier])
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    two_warehouse_shop(commerce)
    for code, city in (("HCM", "Ho Chi Minh"), ("HN", "Ha Noi")):
        commerce.inventory.update_warehouse(code, f"{code} warehouse", WarehouseDetails(
            address=Address(line1="1 Warehouse Road", city=city, state_province=city,
                            country_code="VN"), phone="0280000000"))
    return commerce, carrier


def order(commerce: Commerce, *lines: tuple[str, int], method: str = "card",
          ship_to: PostalAddress | None = SHIP_TO, shipping_method: str | None = None) -> str:
    placed = commerce.handle(PlaceOrder(cart_with(commerce, *lines), method, ship_to=ship_to))
    if shipping_method is not None:  # chosen at checkout once rates exist
        with commerce.ports.uow() as uow:
            uow.orders.get(placed.order_id).shipping_method = shipping_method
            uow.commit()
    if method != "cod":
        commerce.payments.capture(placed.order_id)
    return str(placed.order_id)


def ready(commerce: Commerce, order_id: str) -> str:
    """Pick, pack and mark ready the order's (only) fulfillment; returns its id."""
    (fulfillment,) = commerce.fulfillment.for_order(order_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment.id])
    commerce.fulfillment.confirm_picked(fulfillment.id)
    commerce.fulfillment.start_packing(fulfillment.id)
    f = commerce.fulfillment.get(fulfillment.id)
    grams = sum(i.weight_grams * i.quantity_picked for i in f.items) or 100
    commerce.fulfillment.confirm_packed(fulfillment.id, [PackageSpec(grams, 30, 20, 10)])
    commerce.fulfillment.mark_ready(fulfillment.id)
    return fulfillment.id


def shipped(commerce: Commerce, *lines: tuple[str, int], method: str = "card") -> Shipment:
    """An order handed to the fake carrier: one booked shipment."""
    order_id = order(commerce, *lines, method=method)
    fulfillment_id = ready(commerce, order_id)
    shipment_id = commerce.fulfillment.ship(fulfillment_id)
    return commerce.shipping.get(shipment_id)
