"""Statement budgets of the hot paths on SQLite and PostgreSQL: counted, never timed.

A use case's cost must not grow with the number of lines or products: each budget is checked at
two sizes and must be the same at both. The figures are the statements sent to the database and
the transactions opened. Lowering one is progress (lower the figure here); raising one needs a
reason in the commit that does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import SqlUnitOfWorkFactory, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.pricing.ports import TaxDestination
from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.methods import MethodSpec
from tests.statements import Counted, counting

# (statements, transactions) per use case and dialect; what each statement of place order is
# for is in docs/adr/0034-statement-plan.md; its reads of tax rules, promotions, price rules and
# warehouses are one read of their versions when the engine has them cached (ADR 0036). Place
# order stores the order's risk assessment with its other writes; with an email, IP or card to
# count by, one read of earlier assessments more ("place order, risk keys"). Capture asks first
# whether a risk review holds the order's money (one read in a transaction of its own). Each
# payment change appends a ledger row; a payment is read with its ledger and its disputes (one
# query for both); a capture is written down before the gateway is asked, so a lost answer is
# asked again under the same key. A chosen shipping quote is read once in the local
# transaction ("place order, shipping quote"). A gift card paying part of the order costs more
# statements in the same two transactions, whatever the number of lines: found by its code's
# digest and held in the local transaction, its tender read and captured on confirmation; an
# order without stored value sends none of them.
BUDGETS = {
    "sqlite": {
        "place order": (12, 2), "local steps": (10, 1), "confirm": (2, 1),
        "place order, risk keys": (14, 2), "add to cart": (6, 1),
        "place order, shipping quote": (13, 2), "place order, gift card": (30, 2),
        "show cart": (10, 3), "price cart": (10, 3), "reserve stock": (5, 1),
        "capture payment": (27, 7),
        "get order": (3, 1),
    },
    # On both dialects the writes of a commit are one statement (ADR 0037), sent when the
    # transaction commits or before the next statement that follows them (the stock ledger rows
    # before the risk check's read of earlier assessments). SQLite adds its `BEGIN IMMEDIATE`
    # to each transaction, and elsewhere reads that PostgreSQL saves with RETURNING.
    "postgresql": {
        "place order": (10, 2), "local steps": (9, 1), "confirm": (1, 1),
        "place order, risk keys": (12, 2), "add to cart": (5, 1),
        "place order, shipping quote": (11, 2), "place order, gift card": (28, 2),
        "show cart": (7, 3), "price cart": (7, 3), "reserve stock": (4, 1),
        "capture payment": (20, 7),
        "get order": (2, 1),
    },
}


@attrs.define
class Shop:
    commerce: Commerce
    engine: sa.Engine
    dialect: str

    def counting(self) -> AbstractContextManager[Counted]:
        return counting(self.engine)

    def budget(self, use_case: str) -> tuple[int, int]:
        return BUDGETS[self.dialect][use_case]

    def cart_of(self, lines: int) -> str:
        cart_id = self.commerce.cart.create("VND")
        for n in range(lines):
            self.commerce.cart.add_item(cart_id, f"SKU-{n}", 1)
        return cart_id


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                   ids=SequentialIds(), pool_size=2)
    assert isinstance(ports.uow, SqlUnitOfWorkFactory)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    for n in range(21):
        commerce.catalog.create_product(
            f"Item {n}", f"item-{n}", [VariantSpec(f"SKU-{n}", Money(10_000 + n, "VND"))],
            publish=True,
        )
        commerce.inventory.set_stock(f"SKU-{n}", "HCM", 100)
    # Reference data (tax rules, price rules, promotions, warehouses) is read once per change
    # and then kept (ADR 0036): the figures are a shop's that has served an order since its
    # last change. The first order after a change reads them again, 4 statements more.
    warm_up = commerce.cart.create("VND")
    commerce.cart.add_item(warm_up, "SKU-0", 1)
    commerce.checkout.place_order(warm_up, destination=VN)
    try:
        yield Shop(commerce, ports.uow.engine, request.param)
    finally:
        ports.uow.dispose()


VN = TaxDestination("VN")
SIZES = pytest.mark.parametrize("lines", [3, 20])


@SIZES
def test_place_order(shop: Shop, lines: int) -> None:
    cart_id = shop.cart_of(lines)

    with shop.counting() as counted:
        shop.commerce.handle(PlaceOrder(cart_id=cart_id, idempotency_key="k", destination=VN))

    # Two transactions: the local steps (the shop's tax rules read with the rest), then the
    # confirmation after the gateway; stock is read, changed and recorded in one statement each
    # whatever the number of lines, and each table is written by one statement.
    assert counted.figures == shop.budget("place order")


@SIZES
def test_the_local_steps_and_the_confirmation_step(shop: Shop, lines: int) -> None:
    """Place order's two transactions apart: the local steps (up to the order created), then
    the confirmation after the gateway's answer (payment, reservations, order, cart, saga)."""
    cart_id = shop.cart_of(lines)
    seen: dict[str, tuple[int, int]] = {}

    with shop.counting() as counted:
        def probe(point: str) -> None:
            seen.setdefault(point, counted.figures)

        shop.commerce.checkout_runner.probe = probe
        shop.commerce.handle(PlaceOrder(cart_id=cart_id, idempotency_key="k", destination=VN))

    authorized = seen["payment_authorized"]
    confirmation = (counted.statements - authorized[0], counted.transactions - authorized[1])
    # Nothing between the local steps' commit and the gateway's answer.
    assert seen["order_created"] == authorized
    assert (authorized, confirmation) == (shop.budget("local steps"), shop.budget("confirm"))


@SIZES
def test_place_order_with_what_the_risk_check_counts_by(shop: Shop, lines: int) -> None:
    shop.commerce.checkout.place_order(shop.cart_of(1), email="a@example.com",
                                       destination=VN)
    cart_id = shop.cart_of(lines)

    with shop.counting() as counted:
        shop.commerce.handle(PlaceOrder(
            cart_id=cart_id, idempotency_key="k", destination=VN, email="a@example.com",
            client_ip="203.0.113.9", billing_country="VN", card_fingerprint="fp_1"))

    # Earlier assessments by email, IP and card are counted in one read, whatever they hold.
    assert counted.figures == shop.budget("place order, risk keys")


@SIZES
def test_place_order_with_a_shipping_quote(shop: Shop, lines: int) -> None:
    shop.commerce.shipping_rates.create_method(
        "flat", MethodSpec("Flat", "flat_rate", "VND", rate=Money(30_000, "VND")))
    cart_id = shop.cart_of(lines)
    to = PostalAddress("An", "0901234567", "1 Le Loi", "Ho Chi Minh", "VN")
    (flat,) = shop.commerce.shipping_rates.quote(cart_id, to).options

    with shop.counting() as counted:
        shop.commerce.handle(PlaceOrder(cart_id=cart_id, idempotency_key="k", destination=VN,
                                        ship_to=to, shipping_quote_id=flat.quote_id))

    # One read more than without a quote: the quote itself.
    assert counted.figures == shop.budget("place order, shipping quote")


@SIZES
def test_place_order_paid_partly_with_a_gift_card(shop: Shop, lines: int) -> None:
    card = shop.commerce.giftcards.issue(Money(15_000, "VND"))
    cart_id = shop.cart_of(lines)

    with shop.counting() as counted:
        placed = shop.commerce.handle(PlaceOrder(cart_id=cart_id, idempotency_key="k",
                                                 destination=VN, gift_card_code=card.code))

    # The card's account found by its code's digest, held (a guarded update, the hold, the
    # tender) in the local transaction; captured on confirmation (the tender read, the hold
    # settled, the counters, the system account, the posting and its legs, the lots).
    assert placed.status == "confirmed"
    assert counted.figures == shop.budget("place order, gift card")


@SIZES
def test_add_to_cart_and_show_it(shop: Shop, lines: int) -> None:
    cart_id = shop.cart_of(lines)

    with shop.counting() as added:
        shop.commerce.cart.add_item(cart_id, "SKU-20", 1)
    with shop.counting() as shown:
        shop.commerce.cart.get(cart_id)
    with shop.counting() as priced:
        shop.commerce.cart.price(cart_id, destination=VN)

    # Showing: the cart with its products, then prices with rules (and the shop's own tax
    # rules, when priced for a destination), then the promotions (their source may live
    # elsewhere, and an outage of it must not hide the cart).
    assert (added.figures, shown.figures, priced.figures) == (
        shop.budget("add to cart"), shop.budget("show cart"), shop.budget("price cart"))


@SIZES
def test_reserve_stock(shop: Shop, lines: int) -> None:
    with shop.counting() as counted:
        shop.commerce.inventory.reserve("hold-1", [(f"SKU-{n}", 1) for n in range(lines)])

    assert counted.figures == shop.budget("reserve stock")


@SIZES
def test_capture_payment_and_get_order(shop: Shop, lines: int) -> None:
    """Capture runs what follows in process too: the order is paid, its fulfillments are
    created, each in its own transaction."""
    placed = shop.commerce.checkout.place_order(shop.cart_of(lines), idempotency_key="k",
                                                destination=VN)

    with shop.counting() as captured:
        shop.commerce.payments.capture(placed.order_id)
    with shop.counting() as read:
        shop.commerce.orders.get(placed.order_id)

    assert (captured.figures, read.figures) == (
        shop.budget("capture payment"), shop.budget("get order"))
