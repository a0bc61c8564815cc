"""Statement budgets of the hot paths, counted on SQLite (not timed).

A use case's cost must not grow with the number of lines, products or rules: each budget is
checked at two sizes. The figures are the statements sent to the database and the transactions
opened; lowering one is progress (lower the figure here), raising one needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.pricing.ports import TaxDestination


@attrs.define
class Counted:
    statements: int = 0
    transactions: int = 0


@contextmanager
def counting(engine: sa.Engine) -> Iterator[Counted]:
    counted = Counted()

    def statement(*_: object) -> None:
        counted.statements += 1

    def begin(*_: object) -> None:
        counted.transactions += 1

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "begin", begin)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "begin", begin)


def shop(tmp_path: Path, skus: int) -> tuple[Commerce, sa.Engine]:
    ports = bundle(f"sqlite:///{tmp_path}/shop.db", gateway=ScriptedPaymentGateway(),
                   clock=FrozenClock(), ids=SequentialIds())
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    for n in range(skus):
        commerce.catalog.create_product(
            f"Item {n}", f"item-{n}", [VariantSpec(f"SKU-{n}", Money(10_000 + n, "VND"))],
            publish=True,
        )
        commerce.inventory.set_stock(f"SKU-{n}", "HCM", 100)
    engine = ports.uow.engine  # type: ignore[attr-defined]  # the SQL factory's engine
    return commerce, engine


def cart_of(commerce: Commerce, lines: int) -> str:
    cart_id = commerce.cart.create("VND")
    for n in range(lines):
        commerce.cart.add_item(cart_id, f"SKU-{n}", 1)
    return cart_id


VN = TaxDestination("VN")


@pytest.mark.parametrize("lines", [3, 20])
def test_place_order_stays_within_its_budget(tmp_path: Path, lines: int) -> None:
    commerce, engine = shop(tmp_path, 20)
    cart_id = cart_of(commerce, lines)

    with counting(engine) as counted:
        commerce.handle(PlaceOrder(cart_id=cart_id, idempotency_key="k", destination=VN))

    # Three transactions: the tax rules, the local steps, the confirmation; the same for every
    # number of lines (stock is read, changed and recorded in one statement each).
    assert (counted.statements, counted.transactions) == (PLACE_ORDER, 3)


@pytest.mark.parametrize("lines", [1, 20])
def test_adding_to_a_cart_and_showing_it_cost_the_same_whatever_its_size(
    tmp_path: Path, lines: int
) -> None:
    commerce, engine = shop(tmp_path, 21)
    cart_id = cart_of(commerce, lines)

    with counting(engine) as added:
        commerce.cart.add_item(cart_id, "SKU-20", 1)
    with counting(engine) as shown:
        commerce.cart.get(cart_id)

    assert (added.statements, added.transactions) == (ADD_ITEM, 1)
    # The cart with its products, then prices with rules, then the promotions (their source
    # may live elsewhere, and an outage of it must not hide the cart).
    assert (shown.statements, shown.transactions) == (SHOW_CART, 3)


PLACE_ORDER = 39
ADD_ITEM = 11
SHOW_CART = 12
