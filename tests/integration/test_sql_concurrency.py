"""Many shoppers at once through the whole core on the SQL adapter (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from commerce_core import Commerce, Money
from commerce_core.cart.model import CartStatus
from commerce_core.checkout.model import SagaStatus
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.inventory.errors import InsufficientStock
from commerce_core.inventory.model import ReservationStatus, StockLevel
from commerce_core.inventory.stock import MovementInfo, MovementType
from commerce_core.payment.errors import CaptureNotPossible, InvalidPaymentState, RefundNotPossible
from commerce_core.payment.model import PaymentStatus, RefundStatus
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.ids import Uuid7Generator
from tests.shop import SHIRT, assert_nothing_leaked, cart_with, gateway_of, stock_shop

BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
BUYERS, UNITS = 50, 10

T = TypeVar("T")


@pytest.fixture(params=BACKENDS)
def commerce(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Commerce]:
    url = (
        f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=10)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Commerce(ports)
    finally:
        factory.dispose()


RESERVE = MovementInfo(MovementType.RESERVATION)


def all_at_once(calls: list[Callable[[], T]]) -> list[T | CommerceError]:
    """Run every call on its own thread, released together; a business error is a result."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | CommerceError:
        barrier.wait()
        try:
            return call()
        except CommerceError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


class StockWatcher:
    """Reads the counters over and over while shoppers buy, remembering every level it saw."""

    def __init__(self, commerce: Commerce) -> None:
        self._commerce = commerce
        self.seen: list[StockLevel] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.seen.extend(self._commerce.inventory.levels(SHIRT))

    def __enter__(self) -> StockWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def test_fifty_shoppers_for_ten_shirts_make_exactly_ten_orders(commerce: Commerce) -> None:
    stock_shop(commerce, shirts=UNITS)
    carts = [cart_with(commerce, (SHIRT, 1)) for _ in range(BUYERS)]

    def buyer(i: int) -> Callable[[], PlacedOrder]:
        return lambda: commerce.checkout.place_order(carts[i], idempotency_key=f"buyer-{i}")

    with StockWatcher(commerce) as watcher:
        outcomes = all_at_once([buyer(i) for i in range(BUYERS)])

    placed = [o for o in outcomes if isinstance(o, PlacedOrder)]
    refused = [o for o in outcomes if not isinstance(o, PlacedOrder)]
    assert len(placed) == UNITS
    assert {o.status for o in placed} == {"confirmed"}
    assert len(refused) == BUYERS - UNITS
    assert all(isinstance(error, InsufficientStock) for error in refused), refused

    (level,) = commerce.inventory.levels(SHIRT)
    assert (level.on_hand, level.reserved, level.available) == (UNITS, UNITS, 0)
    assert watcher.seen, "the watcher never read the stock"
    assert all(0 <= seen.reserved <= seen.on_hand for seen in watcher.seen)

    reservations = commerce.inventory.reservations(limit=1_000)
    assert len(reservations) == UNITS
    assert {r.status for r in reservations} == {ReservationStatus.CONFIRMED}
    gateway = gateway_of(commerce)
    assert len(gateway.held()) == UNITS
    assert len(gateway.authorizations) == UNITS  # nobody refused was ever authorized
    with commerce.ports.uow() as uow:
        sagas = [uow.checkouts.by_key(f"buyer-{i}") for i in range(BUYERS)]
        cart_statuses = [uow.carts.get(cart_id).status for cart_id in carts]
    # A refused buyer's checkout rolled back whole: no saga, nothing to compensate.
    assert [s.status for s in sagas if s is not None] == [SagaStatus.COMPLETED] * UNITS
    assert sorted(cart_statuses) == sorted(
        [CartStatus.COMPLETED] * UNITS + [CartStatus.ACTIVE] * (BUYERS - UNITS)
    )
    assert len(commerce.orders.list(limit=1_000)) == UNITS
    assert_nothing_leaked(commerce)


def test_twenty_simultaneous_adds_to_one_cart_all_count(commerce: Commerce) -> None:
    stock_shop(commerce)
    cart_id = commerce.cart.create("VND")

    def add_one() -> str:
        return commerce.cart.add_item(cart_id, SHIRT, 1)

    outcomes = all_at_once([add_one] * 20)

    assert [o for o in outcomes if isinstance(o, CommerceError)] == []
    view = commerce.cart.get(cart_id)
    assert [(line.sku, line.quantity) for line in view.lines] == [(SHIRT, 20)]
    assert view.version == 20


def test_a_deadlock_between_two_transactions_is_a_concurrency_conflict(
    postgres_url: str,
) -> None:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=3)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    with factory() as uow:
        uow.stock.set_on_hand("MUG-A", "w-1", 5)
        uow.stock.set_on_hand("MUG-B", "w-1", 5)
        uow.commit()
    holding = [threading.Event(), threading.Event()]

    def reserve_both(first: str, second: str, mine: int) -> str:
        try:
            with factory() as uow:
                uow.stock.change(first, "w-1", reserved=1, info=RESERVE)
                holding[mine].set()
                holding[1 - mine].wait(5)
                uow.stock.change(second, "w-1", reserved=1, info=RESERVE)
                uow.commit()
            return "committed"
        except ConcurrencyConflict:
            return "conflict"

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = sorted(pool.map(reserve_both, ("MUG-A", "MUG-B"), ("MUG-B", "MUG-A"),
                                       (0, 1)))
        with factory() as uow:
            reserved = [level.reserved for level in uow.stock.list()]
    finally:
        factory.dispose()

    assert outcomes == ["committed", "conflict"]
    assert reserved == [1, 1]


def _captured_lamp(commerce: Commerce) -> str:
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, ("BRASS-LAMP", 1)),
                                           idempotency_key="lamp")
    commerce.payments.capture(placed.order_id)
    return placed.order_id  # captured: 1,250,000 VND


def test_concurrent_refunds_never_give_back_more_than_was_captured(commerce: Commerce) -> None:
    order_id = _captured_lamp(commerce)
    part = Money(100_000, "VND")

    def refund(n: int) -> Callable[[], str]:
        return lambda: commerce.payments.refund(order_id, idempotency_key=f"r-{n}", amount=part)

    outcomes = all_at_once([refund(n) for n in range(BUYERS)])

    refunds = commerce.payments.refunds(order_id)
    done = [r for r in refunds if r.status is RefundStatus.COMPLETED]
    (payment,) = commerce.payments.for_order(order_id)
    given_back = next(iter(gateway_of(commerce).authorizations.values())).refunded
    assert len(done) == sum(isinstance(o, str) for o in outcomes) <= 12
    assert all(isinstance(o, RefundNotPossible | ConcurrencyConflict) for o in outcomes
               if not isinstance(o, str))
    assert [r for r in refunds if r.status is RefundStatus.PENDING] == []
    assert payment.refunded_amount == given_back == 100_000 * len(done) <= 1_250_000


def test_of_two_refunds_that_together_exceed_the_capture_exactly_one_succeeds(
    commerce: Commerce,
) -> None:
    order_id = _captured_lamp(commerce)

    outcomes = all_at_once([
        lambda: commerce.payments.refund(order_id, idempotency_key="a",
                                         amount=Money(700_000, "VND")),
        lambda: commerce.payments.refund(order_id, idempotency_key="b",
                                         amount=Money(600_000, "VND")),
    ])

    assert sorted(type(o).__name__ for o in outcomes) == ["RefundNotPossible", "str"]
    (payment,) = commerce.payments.for_order(order_id)
    assert payment.status is PaymentStatus.PARTIALLY_REFUNDED


def test_concurrent_captures_in_parts_never_take_more_than_was_authorized(
    commerce: Commerce,
) -> None:
    stock_shop(commerce)
    order_id = commerce.checkout.place_order(cart_with(commerce, ("BRASS-LAMP", 1)),
                                             idempotency_key="lamp").order_id
    part = Money(100_000, "VND")

    def capture() -> str:
        return commerce.payments.capture(order_id, amount=part, final=False)

    outcomes = all_at_once([capture for _ in range(BUYERS)])

    (payment,) = commerce.payments.for_order(order_id)
    taken = next(iter(gateway_of(commerce).authorizations.values())).captured
    succeeded = [t for t in payment.transactions
                 if t.kind.value == "capture" and t.status.value == "succeeded"]
    assert all(isinstance(o, str | CaptureNotPossible | InvalidPaymentState | ConcurrencyConflict)
               for o in outcomes)
    assert payment.capture_pending == 0
    assert taken is not None
    assert payment.captured_amount == taken.amount == 100_000 * len(succeeded) <= 1_250_000
    assert len(succeeded) == sum(isinstance(o, str) for o in outcomes)
