"""Test-only subscribers for worker processes, wired through `COMMERCE_EXTRA_SUBSCRIBERS`:

    COMMERCE_EXTRA_SUBSCRIBERS=tests.integration.helpers:register,tests.integration.helpers:register_flaky

Each writes its effect, one row per application, into `test_effects` in the same transaction
as its inbox row, so a count above one for an (subscriber, event) pair is an event applied
twice. `test.flaky` fails while the `test_switch` row says it is broken.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from adapters.sql import SqlUnitOfWork, SqlUnitOfWorkFactory
from commerce_core import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope

metadata = sa.MetaData()
effects = sa.Table(
    "test_effects", metadata,
    sa.Column("n", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("subscriber", sa.String, nullable=False),
    sa.Column("event_id", sa.String, nullable=False),
    sa.Column("event_type", sa.String, nullable=False),
)
switch = sa.Table(
    "test_switch", metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("broken", sa.Boolean, nullable=False),
)

# Counted subscribers: one per stream the placing of an order writes to, and one over two.
COUNTED = {
    "test.orders_seen": ("order.created", "order.confirmed"),
    "test.stock_seen": ("inventory.stock_reserved",),
    "test.payments_seen": ("payment.authorized", "checkout.completed"),
}
FLAKY = "test.flaky"
FLAKY_TYPE = "order.confirmed"


# Calls of `test.flaky` in this process, by event id (a failed call leaves nothing in the database).
flaky_calls: Counter[str] = Counter()


class SubscriberBroken(RuntimeError):
    pass


def _effect(name: str) -> Any:
    def apply(envelope: EventEnvelope, uow: SqlUnitOfWork) -> None:
        uow.transaction.execute(effects.insert().values(
            subscriber=name, event_id=envelope.id, event_type=envelope.type))
    return apply


def _flaky(envelope: EventEnvelope, uow: SqlUnitOfWork) -> None:
    flaky_calls[envelope.id] += 1
    broken = uow.transaction.execute(
        sa.select(switch.c.broken).where(switch.c.name == FLAKY)).scalar_one_or_none()
    if broken:
        raise SubscriberBroken(f"{FLAKY} has a bug")
    _effect(FLAKY)(envelope, uow)


def create_tables(commerce: Commerce) -> None:
    factory = commerce.ports.uow
    assert isinstance(factory, SqlUnitOfWorkFactory), "the test subscribers need a SQL store"
    metadata.create_all(factory.engine)


def register(commerce: Commerce) -> None:
    create_tables(commerce)
    for name, types in COUNTED.items():
        for event_type in types:
            commerce.bus.subscribe(Subscriber(name, event_type, _effect(name)))


def register_flaky(commerce: Commerce) -> None:
    create_tables(commerce)
    commerce.bus.subscribe(Subscriber(FLAKY, FLAKY_TYPE, _flaky))


def set_broken(engine: sa.Engine, broken: bool) -> None:
    with engine.begin() as conn:
        conn.execute(switch.delete().where(switch.c.name == FLAKY))
        conn.execute(switch.insert().values(name=FLAKY, broken=broken))


def applied(engine: sa.Engine) -> dict[tuple[str, str], int]:
    """How many times each subscriber applied each event."""
    query = (sa.select(effects.c.subscriber, effects.c.event_id, sa.func.count())
             .group_by(effects.c.subscriber, effects.c.event_id))
    with engine.connect() as conn:
        return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}
