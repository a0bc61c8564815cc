"""The in-memory store's copies and kept fingerprints: what a unit of work does not commit
changes nothing, reads see committed state, versions move once per committed change, and the
changes the audit trail reads are those the shared tracker would report."""

from __future__ import annotations

import uuid

import attrs
import pytest

from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.base import InMemoryDatabase, MemoryTracker, clone, fingerprint
from adapters.memory.store import InMemoryUnitOfWorkFactory
from commerce_core.catalog.model import Product, ProductStatus, Variant
from commerce_core.inventory.stock import MovementInfo, MovementType
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from commerce_core.shared.uow import Tracker


def _product(clock: FrozenClock, product_id: str = "p-1") -> Product:
    return Product.create(
        product_id=product_id, slug="linen-shirt", name="Linen shirt",
        variants=[Variant("SKU-1", "M", Money(350_000, "VND"), {"size": "M"}, 240)],
        attributes={"material": "linen"}, category_ids=["c-1"], now=clock.now(),
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def uow(clock: FrozenClock) -> InMemoryUnitOfWorkFactory:
    factory = InMemoryUnitOfWorkFactory(InMemoryDatabase(), clock, SequentialIds())
    with factory() as work:
        work.products.add(_product(clock))
        work.commit()
    return factory


def test_changes_to_nested_parts_left_uncommitted_change_nothing(
        uow: InMemoryUnitOfWorkFactory) -> None:
    with uow() as work:
        product = work.products.get("p-1")
        product.attributes["material"] = "silk"
        product.category_ids.append("c-2")
        product.variants.append(Variant("SKU-2", "L", Money(1, "VND")))
    with uow() as work:
        again = work.products.get("p-1")
        assert again.attributes == {"material": "linen"}
        assert again.category_ids == ["c-1"]
        assert [v.sku for v in again.variants] == ["SKU-1"]
        assert again.version == 0


def test_a_committed_change_is_read_back_and_moves_the_version_once(
        uow: InMemoryUnitOfWorkFactory) -> None:
    with uow() as work:
        product = work.products.get("p-1")
        product.attributes["material"] = "silk"
        work.commit()
        # The caller's object is not the stored row: changing it later changes nothing.
        product.attributes["material"] = "wool"
    with uow() as work:
        again = work.products.get("p-1")
        assert again.attributes == {"material": "silk"}
        assert again.version == 1
        work.commit()  # read, not changed: no write
    with uow() as work:
        assert work.products.get("p-1").version == 1


def test_a_change_back_to_the_stored_state_after_a_commit_is_seen(
        uow: InMemoryUnitOfWorkFactory, clock: FrozenClock) -> None:
    # The baseline after a commit is what was written, so undoing the change is a change again.
    with uow() as work:
        product = work.products.get("p-1")
        product.publish(now=clock.now())
        work.commit()
        product.unpublish(now=clock.now())
        work.commit()
    with uow() as work:
        again = work.products.get("p-1")
        assert again.status is not ProductStatus.ACTIVE
        assert again.version == 2


def test_rolled_back_writes_leave_row_and_fingerprint_as_they_were(
        uow: InMemoryUnitOfWorkFactory) -> None:
    with uow() as work:
        work.products.get("p-1").name = "Silk shirt"
        work.commit()
    with uow() as work:
        work.products.get("p-1").name = "Wool shirt"
        work.products.flush()  # written, then left without a commit
    with uow() as work:
        product = work.products.get("p-1")
        assert (product.name, product.version) == ("Silk shirt", 1)
        work.commit()  # unchanged against the kept fingerprint (the committed one): no write
    with uow() as work:
        assert work.products.get("p-1").version == 1


def test_a_change_made_meanwhile_is_a_conflict(uow: InMemoryUnitOfWorkFactory) -> None:
    first, second = uow(), uow()
    with first:
        mine = first.products.get("p-1")
        held = first.held()
    with uow() as work:
        work.products.get("p-1").name = "Changed elsewhere"
        work.commit()
    with second:
        second.adopt(held)
        mine = second.products.get("p-1")
        mine.name = "Mine"
        with pytest.raises(ConcurrencyConflict):
            second.commit()


def test_changes_are_reported_as_the_shared_tracker_reports_them(clock: FrozenClock) -> None:
    trackers = [Tracker(SequentialIds(), clock), MemoryTracker(SequentialIds(), clock)]
    reports = []
    for tracker in trackers:
        loaded = tracker.loaded("product", _product(clock))
        added = tracker.added("product", _product(clock, "p-2"))
        loaded.attributes["material"] = "silk"
        loaded.variants.append(Variant("SKU-2", "L", Money(1, "VND"), {"size": "L"}))
        added.name = "Wool shirt"
        reports.append(tracker.changes())
    assert reports[0] == reports[1]
    changed = reports[1][0]
    assert changed.before is not None
    assert changed.before["attributes"] == (("material", "linen"),)
    # Frozen values are unfolded into tuples, as the audit trail stores them.
    assert changed.after["variants"][1] == ("SKU-2", "L", (1, "VND"), (("size", "L"),), 0)


def test_copies_and_fingerprints_share_frozen_values_only(clock: FrozenClock) -> None:
    product = _product(clock)
    copied = clone(product)
    assert copied is not product
    assert copied.attributes is not product.attributes
    assert copied.variants is not product.variants
    assert copied.variants[0] is product.variants[0]  # a frozen value
    assert fingerprint(copied) == fingerprint(product)
    copied.attributes["material"] = "silk"
    assert fingerprint(copied) != fingerprint(product)


@attrs.define
class _Odd:
    """Field names the compiled copy must read with `getattr`, and parts of every plan."""

    _hidden: list[int]
    shared: Money
    nested: dict[str, list[str]]
    when: tuple[int, ...] = ()
    events: list[str] = attrs.Factory(list)


def test_compiled_copies_share_nothing_mutable_and_keep_every_field() -> None:
    value = _Odd([1, 2], Money(5, "VND"), {"a": ["x"]}, (1, 2), ["recorded"])
    copied = clone(value)
    assert (copied._hidden, copied.shared, copied.nested, copied.when) == (
        [1, 2], Money(5, "VND"), {"a": ["x"]}, (1, 2))
    assert copied.events == []
    assert copied._hidden is not value._hidden
    assert copied.nested["a"] is not value.nested["a"]
    assert copied.shared is value.shared  # frozen: shared
    assert fingerprint(copied) == fingerprint(value)
    copied.nested["a"].append("y")
    assert fingerprint(copied) != fingerprint(value)
    assert value.nested == {"a": ["x"]}


def test_sequential_ids_are_the_uuid_text_of_their_count() -> None:
    ids = SequentialIds()
    assert [ids.new_id() for _ in range(3)] == [str(uuid.UUID(int=n)) for n in (1, 2, 3)]


def test_stock_by_sku_finds_every_warehouse_and_forgets_a_rolled_back_row(
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    info = MovementInfo(MovementType.COUNT, reason="count")
    with uow() as work:
        for warehouse in ("W2", "W1"):
            work.stock.set_on_hand("SKU-1", warehouse, 5, info=info)
        work.stock.set_on_hand("SKU-2", "W1", 5, info=info)
        work.commit()
    with uow() as work:
        work.stock.set_on_hand("SKU-1", "W3", 5, info=info)  # rolled back
    with uow() as work:
        found = [(i.sku, i.warehouse_id) for i in work.stock.items_for(["SKU-1"])]
        assert found == [("SKU-1", "W1"), ("SKU-1", "W2")]
        assert [level.warehouse_id for level in work.stock.list("SKU-1")] == ["W1", "W2"]
