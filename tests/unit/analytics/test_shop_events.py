"""Analytics reads the events the shop really publishes: an order placed, paid, fulfilled and
shipped shows in the reports, and none of those events lands in the dead letters."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.fulfillment import RecordingCarrier
from commerce_core import Commerce
from commerce_core.analytics.queries import Ratio
from commerce_core.fulfillment.model import FulfillmentPolicy
from tests.shop import SHIRT, two_warehouse_shop
from tests.unit.analytics.support import analytics_ports
from tests.unit.fulfillment.support import paid_order, walk_to_shipped


def test_a_paid_and_shipped_order_shows_in_the_reports_from_the_real_events() -> None:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    ports.carrier = RecordingCarrier()
    ports.analytics = analytics_ports()
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0))
    two_warehouse_shop(commerce)

    order_id = paid_order(commerce, (SHIRT, 2))
    (fulfillment,) = commerce.fulfillment.for_order(order_id)
    walk_to_shipped(commerce, fulfillment.id)

    today = commerce.ports.clock.now().date()
    period = commerce.analytics.period(today - timedelta(days=1), today)
    assert commerce.analytics.dead_letters() == []
    assert commerce.analytics.orders(period).created == 1
    (revenue,) = commerce.analytics.revenue(period).totals
    assert (revenue.captured, revenue.paid_orders) == (
        commerce.orders.get(order_id).totals.total.amount, 1)
    assert commerce.analytics.fulfilment(period).fulfilment_rate == Ratio(1, 1)
    assert commerce.analytics.funnel(period).conversion == Ratio(1, 1)
    assert commerce.analytics.overview(period).active_customers == 0  # a guest order
