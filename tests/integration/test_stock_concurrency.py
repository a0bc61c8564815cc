"""Reservations under real concurrency on PostgreSQL: no oversell across warehouses, and
releases racing expiry give each reservation's units back exactly once."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.inventory.model import LIVE, ReservationStatus
from commerce_core.inventory.stock import MovementType
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.ids import Uuid7Generator

T = TypeVar("T")
SKU = "LAST-UNITS"


@pytest.fixture
def shop(postgres_url: str) -> Iterator[Commerce]:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=Uuid7Generator(), pool_size=40)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM")
    commerce.inventory.create_warehouse("HN")
    commerce.catalog.create_product("Last units", "last-units",
                                    [VariantSpec(SKU, Money(99_000, "VND"))], publish=True)
    try:
        yield commerce
    finally:
        factory.dispose()


def together(calls: list[Callable[[], T]], workers: int) -> list[T | CommerceError]:
    """Run the calls on `workers` threads, none before all are queued; a business error is a
    result."""
    start = threading.Event()

    def run(call: Callable[[], T]) -> T | CommerceError:
        start.wait()
        try:
            return call()
        except CommerceError as error:
            return error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [future.result() for future in futures]


def assert_books_balance(commerce: Commerce) -> None:
    held: Counter[tuple[str, str]] = Counter()
    for reservation in commerce.inventory.reservations(limit=100_000):
        if reservation.status in LIVE:
            held[(reservation.sku, reservation.warehouse_id)] += reservation.unfulfilled
    for level in commerce.inventory.levels():
        assert 0 <= level.reserved <= level.on_hand, level
        assert level.reserved == held[(level.sku, level.warehouse_id)], level
    assert [b for b in commerce.inventory.audit() if b.drift] == []


def test_two_hundred_threads_for_ten_units_in_two_warehouses_make_exactly_ten(
    shop: Commerce,
) -> None:
    shop.inventory.set_stock(SKU, "HCM", 5)
    shop.inventory.set_stock(SKU, "HN", 5)

    outcomes = together(
        [functools.partial(shop.inventory.reserve, f"buyer-{n}", [(SKU, 1)])
         for n in range(200)],
        workers=200,
    )

    won = [o for o in outcomes if isinstance(o, list)]
    refused = Counter(type(o).__name__ for o in outcomes if not isinstance(o, list))
    assert len(won) == 10, refused
    assert refused == {"InsufficientStock": 190}
    assert [(lv.on_hand, lv.reserved) for lv in shop.inventory.levels(SKU)] == [(5, 5), (5, 5)]
    assert len(shop.inventory.reservations(statuses=["active"], limit=1000)) == 10
    assert_books_balance(shop)


def test_releases_racing_expiry_give_each_reservation_back_exactly_once(
    shop: Commerce,
) -> None:
    shop.inventory.set_stock(SKU, "HCM", 40)
    shop.inventory.set_stock(SKU, "HN", 40)
    held = [ids[0] for (ids,) in (shop.inventory.reserve(f"cart-{n}", [(SKU, 2)],
                                                         payment_method="card")
                                  for n in range(30))]
    clock = shop.ports.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(minutes=31))

    calls: list[Callable[[], object]] = []
    for reservation_id in held:
        calls += [functools.partial(shop.inventory.release, reservation_id,
                                    "payment_failed")] * 2
    calls += [functools.partial(shop.inventory.expire_reservations, 10)] * 12
    calls += [functools.partial(shop.inventory.reserve, f"late-{n}", [(SKU, 3)])
              for n in range(10)]
    together(calls, workers=40)
    shop.inventory.expire_reservations()

    statuses = Counter(shop.inventory.reservation(r).status for r in held)
    assert set(statuses) <= {ReservationStatus.RELEASED, ReservationStatus.EXPIRED}
    assert sum(statuses.values()) == 30
    for reservation_id in held:
        give_backs = [m for m in shop.inventory.movements(reference_id=reservation_id)
                      if m.type in (MovementType.CANCELLATION, MovementType.EXPIRY)]
        assert [m.reserved_change for m in give_backs] == [-2], reservation_id
    assert_books_balance(shop)
