"""The dashboard's statement budget on SQLite and PostgreSQL: counted, never timed. Drawing the
page reads six analytics reports; what it sends to the database must not grow with the number
of orders in the period. Lowering a figure is progress; raising one needs a reason in the
commit that does it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import SqlUnitOfWorkFactory, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.analytics.ports import AnalyticsPorts
from entrypoints.dashboard import gather, period, render
from tests.statements import counting

# (statements, transactions): one read transaction per report (overview, revenue, orders,
# funnel, returns, shipping); PostgreSQL sends fewer statements per transaction.
BUDGETS = {"sqlite": (22, 6), "postgresql": (16, 6)}


@attrs.define
class Shop:
    commerce: Commerce
    engine: sa.Engine
    dialect: str


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                   ids=SequentialIds(), pool_size=2)
    assert isinstance(ports.uow, SqlUnitOfWorkFactory)
    commerce = Commerce(attrs.evolve(ports, analytics=AnalyticsPorts(b"budget-pseudonyms")))
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Tote", "tote", [VariantSpec("TOTE", Money(120_000, "VND"))],
                                    publish=True)
    commerce.inventory.set_stock("TOTE", "HCM", 100)
    try:
        yield Shop(commerce, ports.uow.engine, request.param)
    finally:
        ports.uow.dispose()


def counted(shop: Shop) -> tuple[int, int]:
    with counting(shop.engine) as figures:
        commerce = shop.commerce
        today = commerce.ports.clock.now().date()
        render(gather(commerce, period(commerce, date(today.year, today.month, 1), today)))
    return figures.figures


@pytest.mark.parametrize("orders", [1, 6])
def test_drawing_the_dashboard(shop: Shop, orders: int) -> None:
    for n in range(orders):
        cart_id = shop.commerce.cart.create("VND")
        shop.commerce.cart.add_item(cart_id, "TOTE", 1)
        placed = shop.commerce.checkout.place_order(cart_id, idempotency_key=f"k{n}")
        shop.commerce.payments.capture(placed.order_id)

    assert counted(shop) == BUDGETS[shop.dialect]
