"""The unit of work's change detection: per-type fingerprints that keep immutable values as they
are still see every change, wherever it is made, and an unchanged aggregate is never written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.catalog.model import Product, Variant
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money
from commerce_core.shared.uow import Tracker, _fingerprint, _immutable
from tests.statements import counting

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@attrs.frozen
class Note:
    text: str
    at: datetime
    price: Money | None = None


@attrs.frozen
class Tagged:  # frozen, but holding a dict that can change in place
    name: str
    tags: dict[str, str]


@attrs.define
class Line:
    sku: str
    quantity: int
    price: Money
    notes: list[Note] = attrs.Factory(list)


@attrs.define
class Basket:
    id: str
    lines: list[Line]
    labels: dict[str, str]
    tagged: Tagged
    seen_at: datetime
    note: Note | None = None
    version: int = 0
    events: list[DomainEvent] = attrs.Factory(list)


def _basket() -> Basket:
    return Basket("b-1", [Line("SKU-1", 1, Money(100, "VND"), [Note("gift", T0)])],
                  {"channel": "web"}, Tagged("t", {"a": "1"}), T0)


def _tracker() -> Tracker:
    return Tracker(SequentialIds(), FrozenClock())


def _changed(change: object) -> list[str]:
    tracker = _tracker()
    basket = tracker.loaded("basket", _basket())
    change_of = change
    assert callable(change_of)
    change_of(basket)
    changed = list(tracker.changed("basket"))
    reported = tracker.changes()
    assert [c.id for c in reported] == [b.id for b in changed]
    return sorted(reported[0].after) if reported else []


def test_frozen_values_of_immutable_fields_are_kept_as_they_are() -> None:
    assert _immutable(Money)
    assert _immutable(Note)
    assert not _immutable(Tagged)  # its dict can change: walked
    assert not _immutable(Line)
    note = Note("gift", T0)
    assert _fingerprint(note) is note


@pytest.mark.parametrize(("change", "fields"), [
    (lambda b: setattr(b.lines[0], "quantity", 2), ["lines"]),  # a nested child object
    (lambda b: b.lines.append(Line("SKU-2", 1, Money(5, "VND"))), ["lines"]),  # a list
    (lambda b: b.lines[0].notes.pop(), ["lines"]),  # a list inside a child
    (lambda b: setattr(b.lines[0], "price", Money(101, "VND")), ["lines"]),  # a Money
    (lambda b: setattr(b.lines[0], "price", Money(100, "USD")), ["lines"]),
    (lambda b: setattr(b, "seen_at", T0 + timedelta(microseconds=1)), ["seen_at"]),  # a datetime
    (lambda b: setattr(b.lines[0], "notes", [Note("gift", T0 + timedelta(hours=1))]), ["lines"]),
    (lambda b: b.labels.update(channel="app"), ["labels"]),  # a dict
    (lambda b: b.tagged.tags.update(a="2"), ["tagged"]),  # a dict inside a frozen value
    (lambda b: setattr(b, "note", Note("n", T0, Money(1, "VND"))), ["note"]),
])
def test_every_change_is_seen(change: object, fields: list[str]) -> None:
    assert _changed(change) == fields


@pytest.mark.parametrize("change", [
    lambda b: None,
    lambda b: setattr(b, "version", 7),  # the store's, not state
    lambda b: b.events.append(Note("recorded", T0)),  # the transaction's, not state
    lambda b: setattr(b.lines[0], "price", Money(100, "VND")),  # an equal value, a new object
    lambda b: setattr(b, "seen_at", T0.astimezone(UTC)),
    lambda b: setattr(b, "tagged", Tagged("t", {"a": "1"})),
])
def test_no_change_is_no_change(change: object) -> None:
    assert _changed(change) == []


def test_changes_report_attrs_values_as_tuples() -> None:
    tracker = _tracker()
    basket = tracker.loaded("basket", _basket())
    basket.lines[0].price = Money(200, "VND")
    (change,) = tracker.changes()
    assert change.before == {"lines": (("SKU-1", 1, (100, "VND"), (("gift", T0, None),)),)}
    assert change.after == {"lines": (("SKU-1", 1, (200, "VND"), (("gift", T0, None),)),)}
    added = tracker.added("basket", Basket("b-2", [], {}, Tagged("x", {"k": "v"}), T0))
    assert added.id == "b-2"
    assert tracker.changes()[1].after["tagged"] == ("x", (("k", "v"),))


def test_a_committed_change_is_the_new_baseline() -> None:
    tracker = _tracker()
    basket = tracker.loaded("basket", _basket())
    basket.lines[0].quantity = 3
    assert list(tracker.changed("basket")) == [basket]
    tracker.after_commit()
    assert list(tracker.changed("basket")) == []
    basket.lines[0].notes.append(Note("again", T0))
    assert list(tracker.changed("basket")) == [basket]


def _product(ids: SequentialIds, clock: FrozenClock) -> Product:
    return Product.create(
        product_id=ids.new_id(), slug="linen-shirt", name="Linen shirt",
        variants=[Variant("SKU-1", "M", Money(350_000, "VND"), {"size": "M"}, 240)],
        attributes={"material": "linen"}, category_ids=["c-1"], now=clock.now(),
    )


def test_on_sqlite_an_unchanged_aggregate_is_not_written_and_a_nested_change_is(
        tmp_path: Path) -> None:
    clock, ids = FrozenClock(), SequentialIds()
    ports = sql.bundle(f"sqlite:///{tmp_path}/t.db", gateway=ScriptedPaymentGateway(),
                       clock=clock, ids=ids)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        shirt = _product(ids, clock)
        with factory() as uow:
            uow.products.add(shirt)
            uow.commit()
        with factory() as uow:
            uow.products.get(shirt.id)
            with counting(factory.engine) as counted:
                uow.commit()
            assert counted.statements == 0  # nothing changed: nothing written
        with factory() as uow:
            uow.products.get(shirt.id).variants[0].attributes["size"] = "L"
            with counting(factory.engine) as counted:
                uow.commit()
            assert counted.statements > 0
        with factory() as uow:
            again = uow.products.get(shirt.id)
            assert again.variants[0].attributes == {"size": "L"}
            assert again.version == 1
    finally:
        factory.dispose()


@attrs.frozen
class Condition:  # contains itself: decided without recursing for ever
    name: str
    any_of: tuple[Condition, ...] = ()


def test_a_type_that_contains_itself_is_walked() -> None:
    assert not _immutable(Condition)
    rule = Condition("all", (Condition("a"), Condition("b")))
    assert _fingerprint(rule) == ("all", (("a", ()), ("b", ())))
    assert _fingerprint(rule) != _fingerprint(Condition("all", (Condition("a"),)))
