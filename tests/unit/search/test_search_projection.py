"""Acceptance: what happens in the shop shows in search within one event cycle, however often
and in whatever order the events arrive."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

import attrs

from adapters.memory import InMemorySearchIndex, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.clock import FrozenClock
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.search.queries import SearchDocument
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import UnitOfWork
from tests.shop import cart_with, clock_of, every_event, make_commerce

SHIRT = "AO-SO-MI-M"


class CountingIndex(InMemorySearchIndex):
    """Counts document writes, to tell an ignored event from an applied one."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def upsert(self, documents: Sequence[SearchDocument], *,
               within: UnitOfWork | None = None) -> None:
        self.writes += 1
        super().upsert(documents, within=within)

    def delete(self, product_ids: Collection[str], *, within: UnitOfWork | None = None) -> None:
        self.writes += 1
        super().delete(product_ids, within=within)


def shop(*, in_process: bool = True) -> tuple[Commerce, CountingIndex]:
    index = CountingIndex()
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds(),
                   search_index=index)
    return Commerce(ports, dispatch_in_process=in_process), index


def life_of_a_shirt(commerce: Commerce) -> str:
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    product_id = commerce.catalog.create_product(
        "Áo sơ mi lanh", "ao-so-mi-lanh", [VariantSpec(SHIRT, Money(350_000, "VND"), "M")],
        attributes={"brand": "Việt Tiến"}, publish=True)
    clock_of(commerce).advance(timedelta(minutes=1))
    commerce.inventory.set_stock(SHIRT, "HCM", 3)
    clock_of(commerce).advance(timedelta(minutes=1))
    commerce.catalog.change_price(SHIRT, Money(299_000, "VND"))
    clock_of(commerce).advance(timedelta(minutes=1))
    commerce.inventory.set_stock(SHIRT, "HCM", 0)
    return product_id


def test_a_new_product_is_found_at_once() -> None:
    commerce, _ = shop()

    product_id = life_of_a_shirt(commerce)

    found = commerce.search.query("ao so mi")
    assert found.product_ids == [product_id]
    assert found.hits[0].document.price == Money(299_000, "VND")
    assert not found.hits[0].document.in_stock


def test_a_product_sold_out_by_an_order_leaves_the_in_stock_results() -> None:
    commerce = make_commerce()
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Áo sơ mi", "ao", [VariantSpec(SHIRT, Money(1000, "VND"))],
                                    publish=True)
    commerce.inventory.set_stock(SHIRT, "HCM", 1)
    assert commerce.search.query("ao", in_stock=True).total == 1

    commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), idempotency_key="k1")

    assert commerce.search.query("ao", in_stock=True).total == 0
    assert commerce.search.query("ao").total == 1


def test_an_archived_product_is_no_longer_found() -> None:
    commerce, _ = shop()
    product_id = life_of_a_shirt(commerce)

    commerce.catalog.archive(product_id)

    assert commerce.search.query("ao").total == 0
    assert commerce.search.document(product_id) is None


def test_a_draft_product_is_not_found_until_published() -> None:
    commerce, _ = shop()
    product_id = commerce.catalog.create_product(
        "Đèn bàn", "den-ban", [VariantSpec("DEN", Money(1000, "VND"))])

    assert commerce.search.query("den").total == 0
    commerce.catalog.publish(product_id)
    assert commerce.search.query("den").product_ids == [product_id]


def _delivered(commerce: Commerce, envelopes: list[EventEnvelope]) -> None:
    for envelope in envelopes:
        assert commerce.bus.deliver(envelope) == {}


def _events(commerce: Commerce) -> list[EventEnvelope]:
    with commerce.ports.uow() as uow:
        return every_event(uow)


def test_events_delivered_twice_change_the_document_once() -> None:
    commerce, index = shop(in_process=False)
    product_id = life_of_a_shirt(commerce)
    envelopes = _events(commerce)
    _delivered(commerce, envelopes)
    writes, document = index.writes, commerce.search.document(product_id)

    _delivered(commerce, envelopes)

    assert index.writes == writes
    assert commerce.search.document(product_id) == document


def test_events_out_of_order_end_in_the_current_state() -> None:
    in_order, _ = shop(in_process=False)
    product_id = life_of_a_shirt(in_order)
    envelopes = _events(in_order)
    _delivered(in_order, envelopes)
    expected = in_order.search.document(product_id)

    for seed in range(5):
        shuffled, _ = shop(in_process=False)
        life_of_a_shirt(shuffled)
        events = _events(shuffled)
        random.Random(seed).shuffle(events)
        _delivered(shuffled, events)
        assert shuffled.search.document(product_id) == expected


def _replayed(envelope: EventEnvelope, new_id: str) -> EventEnvelope:
    return attrs.evolve(envelope, id=new_id)


def test_an_event_older_than_the_documents_watermark_is_ignored() -> None:
    commerce, index = shop()
    life_of_a_shirt(commerce)
    stale = next(e for e in _events(commerce) if e.type == "inventory.stock_changed")
    writes = index.writes

    commerce.bus.deliver(_replayed(stale, "replayed-stock-event"))

    assert index.writes == writes


def test_an_event_without_the_data_rebuilds_from_the_catalog() -> None:
    commerce, index = shop()
    product_id = life_of_a_shirt(commerce)
    index.delete([product_id])

    commerce.catalog.update(product_id, description="vải lanh mát")

    assert commerce.search.query("vai lanh").product_ids == [product_id]


def test_a_full_reindex_rebuilds_every_document() -> None:
    commerce, index = shop()
    product_id = life_of_a_shirt(commerce)
    index.replace({})
    seen: list[Any] = []

    assert commerce.search.reindex(batch_size=1, progress=lambda r, i: seen.append((r, i))) == 1

    assert commerce.search.query("ao").product_ids == [product_id]
    assert seen == [(1, 1)]
