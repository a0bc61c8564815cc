"""A shop with a few days of orders for the dashboard's tests, and staff to look at it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from attrs import frozen

from adapters import memory
from adapters.memory import FrozenClock, SequentialIds
from commerce_core.analytics.ports import AnalyticsPorts
from commerce_core.app import Commerce
from commerce_core.ordering import services as ordering
from tests.identity_support import staff_with_mfa, with_identity
from tests.shop import LAMP, MUG, SHIRT, cart_with, stock_shop

FIRST_DAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@frozen
class DashboardShop:
    commerce: Commerce
    clock: FrozenClock
    viewer: str  # an ANALYTICS_VIEWER's access token
    agent: str  # a CS_AGENT's access token (no analytics.read)


def _order(commerce: Commerce, key: str, *lines: tuple[str, int], paid: bool = True) -> str:
    placed = commerce.checkout.place_order(cart_with(commerce, *lines), idempotency_key=key)
    if paid:
        commerce.payments.capture(placed.order_id)
    return placed.order_id


def _deliver(commerce: Commerce, order_id: str) -> None:
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    commerce.relay_outbox()  # moved outside a command: its events reach subscribers here


def dashboard_shop() -> DashboardShop:
    """Three days of orders in VND from 2026-12-01: two lamps and a mug on the first day, a
    shirt the second, a mug cancelled unpaid the third; on the third, both lamp orders are
    delivered and a lamp of each comes back (one damaged, one a change of mind). The clock
    then stands on the third."""
    clock = FrozenClock(FIRST_DAY)
    ports = with_identity(memory.bundle(clock=clock, ids=SequentialIds()))
    commerce = Commerce(attrs.evolve(ports, analytics=AnalyticsPorts(b"dashboard-pseudonyms")))
    stock_shop(commerce)
    damaged = _order(commerce, "d1-a", (LAMP, 1))
    returned = _order(commerce, "d1-b", (LAMP, 1), (MUG, 1))
    clock.advance(timedelta(days=1))
    _order(commerce, "d2-a", (SHIRT, 1))
    clock.advance(timedelta(days=1))
    cancelled = _order(commerce, "d3-a", (MUG, 2), paid=False)
    commerce.orders.cancel(cancelled, "changed mind")
    for order_id, reason in ((damaged, "damaged"), (returned, "changed_mind")):
        _deliver(commerce, order_id)
        first_line = commerce.orders.get(order_id).lines[0]
        commerce.returns.request(order_id, [(first_line.id, 1)], reason)
    _, viewer, _ = staff_with_mfa(commerce, clock, "viewer", roles=("ANALYTICS_VIEWER",))
    _, agent, _ = staff_with_mfa(commerce, clock, "agent", roles=("CS_AGENT",))
    return DashboardShop(commerce, clock, viewer.tokens.access_token, agent.tokens.access_token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
