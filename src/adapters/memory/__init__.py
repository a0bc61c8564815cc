"""In-memory adapters: faithful fakes of every port, for tests and for trying the core out.

    from commerce_core import Commerce
    from adapters.memory import bundle

    commerce = Commerce(bundle())
"""

from __future__ import annotations

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory.base import InMemoryDatabase
from adapters.memory.breakers import InMemoryBreakerStore
from adapters.memory.clock import FrozenClock, SequentialIds
from adapters.memory.geoip import InMemoryGeoIp
from adapters.memory.payments import Outcome, ScriptedPaymentGateway
from adapters.memory.search import InMemorySearchIndex
from adapters.memory.shipping_methods import InMemoryRateCache
from adapters.memory.store import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory
from adapters.memory.timeline import InMemoryOrderTimeline
from commerce_core.payment.ports import PaymentGateway
from commerce_core.ports import Ports
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.ids import IdGenerator, Uuid7Generator


def bundle(
    *,
    gateway: PaymentGateway | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    db: InMemoryDatabase | None = None,
    search_index: InMemorySearchIndex | None = None,
) -> Ports:
    """Ports for a shop that lives in this process's memory (nothing survives a restart)."""
    clock = clock or SystemClock()
    ids = ids or Uuid7Generator()
    db = db or InMemoryDatabase()
    return Ports(
        uow=InMemoryUnitOfWorkFactory(db, clock, ids),
        gateway=gateway or ScriptedPaymentGateway(),
        clock=clock,
        ids=ids,
        search_index=search_index or InMemorySearchIndex(),
        carriers=CarrierRegistry([FakeCarrier(clock=clock)]),
        timeline=InMemoryOrderTimeline(db),
        rate_cache=InMemoryRateCache(clock),
    )


__all__ = [
    "FrozenClock",
    "InMemoryBreakerStore",
    "InMemoryDatabase",
    "InMemoryGeoIp",
    "InMemoryRateCache",
    "InMemorySearchIndex",
    "InMemoryUnitOfWork",
    "InMemoryUnitOfWorkFactory",
    "Outcome",
    "ScriptedPaymentGateway",
    "SequentialIds",
    "bundle",
]
