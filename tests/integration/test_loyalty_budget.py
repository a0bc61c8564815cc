"""Statement budget of the loyalty earn reaction on SQLite and PostgreSQL: counted, never timed.

Earning an order's points reads the order, its products' categories, the running campaigns and
the customer's 12-month spend in one query each, whatever the number of lines; the writes are
the earning (and its lines, one batched insert), the account, the history entry and the
outbox. Lowering a figure is progress; raising one needs a reason in the commit that does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import SqlUnitOfWorkFactory, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.ordering import services as ordering
from commerce_core.shared.events import EventEnvelope
from tests.shop import every_event
from tests.statements import counting

# (statements, transactions) of one earn, by dialect: the inbox check and row, the earning
# looked up, the order (root, then its child tables in one query), the program, the account,
# the products (likewise), the campaigns, the points balance, the spend sum, then the writes
# and the outbox (one statement for all writes, ADR 0037). SQLite opens with `BEGIN IMMEDIATE`.
BUDGET = {"sqlite": (14, 1), "postgresql": (13, 1)}
EARN = "loyalty.earn_on_order_delivered"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Commerce, str]]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                   ids=SequentialIds(), pool_size=2)
    assert isinstance(ports.uow, SqlUnitOfWorkFactory)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    books = commerce.catalog.create_category("books", "Books")
    commerce.loyalty.update_program(category_multipliers={books: 120})
    for n in range(20):
        commerce.catalog.create_product(
            f"Item {n}", f"item-{n}", [VariantSpec(f"SKU-{n}", Money(100_000 + n, "VND"))],
            category_ids=(books,) if n % 2 else (), publish=True)
        commerce.inventory.set_stock(f"SKU-{n}", "HCM", 100)
    try:
        yield commerce, request.param
    finally:
        ports.uow.dispose()


def delivered_event(commerce: Commerce, lines: int) -> EventEnvelope:
    cart_id = commerce.cart.create("VND")
    for n in range(lines):
        commerce.cart.add_item(cart_id, f"SKU-{n}", 1)
    placed = commerce.handle(PlaceOrder(cart_id, "card", customer_id="c-1"))
    commerce.payments.capture(placed.order_id)
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, placed.order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    with commerce.ports.uow() as uow:
        return next(e for e in every_event(uow) if e.type == "order.status_changed"
                    and e.payload["order_id"] == placed.order_id
                    and e.payload["new_status"] == "delivered")


@pytest.mark.parametrize("lines", [3, 20])
def test_earning_an_orders_points_costs_the_same_whatever_its_lines(
        shop: tuple[Commerce, str], lines: int) -> None:
    commerce, dialect = shop
    commerce.loyalty.open("c-1", welcome=False)
    envelope = delivered_event(commerce, lines)
    engine = commerce.ports.uow.engine  # type: ignore[attr-defined]
    with counting(engine) as counted:
        failures = commerce.bus.deliver(envelope, only=[EARN])

    assert failures == {}
    earning = commerce.loyalty.earning(envelope.payload["order_id"])
    assert earning is not None
    assert len(earning.lines) == lines
    assert counted.figures == BUDGET[dialect]
