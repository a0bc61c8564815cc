"""A shop whose orders get fulfilled: two warehouses, a recording carrier, no QC sampling."""

from __future__ import annotations

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.fulfillment import RecordingCarrier
from commerce_core import Commerce
from commerce_core.fulfillment.model import Fulfillment, FulfillmentPolicy, PackageSpec
from tests.shop import cart_with, two_warehouse_shop


def fulfilment_shop(*, carrier: bool = True, **stock: int) -> Commerce:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    if carrier:
        ports.carrier = RecordingCarrier()
    else:
        ports.carriers = None  # no carrier at all: shipping cannot take the hand-over
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    two_warehouse_shop(commerce, **stock)
    return commerce


def carrier_of(commerce: Commerce) -> RecordingCarrier:
    carrier = commerce.ports.carrier
    assert isinstance(carrier, RecordingCarrier)
    return carrier


def paid_order(commerce: Commerce, *lines: tuple[str, int], method: str = "card") -> str:
    placed = commerce.checkout.place_order(cart_with(commerce, *lines), payment_method=method)
    if method != "cod":
        commerce.payments.capture(placed.order_id)
    return placed.order_id


def fulfillment_in(commerce: Commerce, order_id: str, code: str) -> Fulfillment:
    warehouse_id = commerce.inventory.warehouse(code).id
    (found,) = [f for f in commerce.fulfillment.for_order(order_id)
                if f.warehouse_id == warehouse_id]
    return found


def packed_as_expected(fulfillment: Fulfillment) -> PackageSpec:
    grams = sum(i.weight_grams * i.quantity_picked for i in fulfillment.items) or 100
    return PackageSpec(grams, 30, 20, 10)


def walk_to_packed(commerce: Commerce, fulfillment_id: str) -> None:
    """Pick everything, start packing, pack it in one package of the expected weight."""
    fulfillment = commerce.fulfillment.get(fulfillment_id)
    commerce.fulfillment.generate_picklist(fulfillment.warehouse_id, [fulfillment_id])
    commerce.fulfillment.confirm_picked(fulfillment_id)
    commerce.fulfillment.start_packing(fulfillment_id)
    commerce.fulfillment.confirm_packed(
        fulfillment_id, [packed_as_expected(commerce.fulfillment.get(fulfillment_id))])


def walk_to_shipped(commerce: Commerce, fulfillment_id: str) -> str:
    walk_to_packed(commerce, fulfillment_id)
    commerce.fulfillment.mark_ready(fulfillment_id)
    return commerce.fulfillment.ship(fulfillment_id)
