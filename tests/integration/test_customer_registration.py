"""Scenario 9 on real databases: concurrent registrations with one email, exactly one wins and
the others get `customer.email_taken`, decided by the database's unique key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from commerce_core import Commerce
from commerce_core.customer.errors import EmailTaken
from commerce_core.customer.model import Customer
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.ids import Uuid7Generator

BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
RACERS = 8


@pytest.fixture(params=BACKENDS)
def commerce(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Commerce]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=RACERS + 2)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Commerce(ports)
    finally:
        factory.dispose()


def test_concurrent_registrations_with_one_email_let_exactly_one_win(
        commerce: Commerce) -> None:
    barrier = threading.Barrier(RACERS)

    def register(n: int) -> Customer | CommerceError:
        barrier.wait()
        try:
            return commerce.customers.register("Lan@Example.vn", "Lan", f"Racer {n}")
        except CommerceError as error:
            return error

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(register, range(RACERS)))

    winners = [r for r in results if isinstance(r, Customer)]
    losers = [r for r in results if not isinstance(r, Customer)]
    assert len(winners) == 1
    assert all(isinstance(e, EmailTaken) and e.code == "customer.email_taken" for e in losers)
    assert [c.id for c in commerce.customers.list()] == [winners[0].id]


@pytest.fixture
def postgres_commerce(postgres_url: str) -> Iterator[Commerce]:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=4)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Commerce(ports)
    finally:
        factory.dispose()


@pytest.mark.postgres
def test_the_unique_key_decides_when_both_passed_the_check(postgres_commerce: Commerce) -> None:
    """Both transactions looked the email up and hold a new customer with it before either
    commits (PostgreSQL runs them side by side; SQLite would serialise them at the first
    read): the database refuses the second insert."""
    commerce = postgres_commerce
    both_added = threading.Barrier(2, timeout=30)
    customers = [Customer.register(
        customer_id=f"c-{n}", email="minh@example.vn", first_name="Minh", last_name="Trần",
        phone=None, registration_source="web", email_verified=False,
        customer_type="individual", segments=(), now=commerce.ports.clock.now(),
    ) for n in range(2)]

    def add(customer: Customer) -> str:
        with commerce.ports.uow() as uow:
            assert uow.customers.by_email("minh@example.vn") is None
            uow.customers.add(customer)
            both_added.wait()
            try:
                uow.commit()
            except EmailTaken:
                return "email_taken"
        return "registered"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(add, customers))

    assert outcomes == ["email_taken", "registered"]
