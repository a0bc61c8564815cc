"""The audit log contract: the memory fake, SQLite and PostgreSQL keep the same chain."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.audit.model import EMPTY, Actor, AuditRecord, Severity
from commerce_core.audit.queries import AuditFilter
from commerce_core.audit.verify import verify_chain
from tests.contract.conftest import Store

ALICE = Actor("staff", "alice", ("inventory_manager", "support"))


def record(store: Store, action: str = "inventory.set_stock", *, actor: Actor = ALICE,
           entity: tuple[str, str] = ("stock", "LINEN-SHIRT-M")) -> AuditRecord:
    return AuditRecord(action, actor, store.clock.now(), entity_type=entity[0],
                       entity_id=entity[1], before={"on_hand": 3},
                       after={"on_hand": 7, "note": "recount ✓", "lines": [1, None, True]},
                       severity=Severity.NOTICE, ip="203.0.113.9", session_id="s-1",
                       request_id="req-1")


def append(store: Store, rec: AuditRecord) -> None:
    with store.uow() as uow:
        uow.audit.append(rec)
        uow.commit()


def test_an_empty_log_has_the_genesis_head(store: Store) -> None:
    with store.uow() as uow:
        assert uow.audit.head() == EMPTY


def test_appended_entries_read_back_exactly_and_chain(store: Store) -> None:
    first, second = record(store), record(store, "fraud.approve_review")

    append(store, first)
    append(store, second)

    with store.uow() as uow:
        entries = uow.audit.chain(0, 10)
        head = uow.audit.head()
    assert [e.record for e in entries] == [first, second]
    assert [e.sequence for e in entries] == [1, 2]
    assert entries[1].prev_hash == entries[0].hash
    assert head == entries[1].head()
    assert verify_chain(entries, head).intact


def test_an_append_rolled_back_leaves_no_entry_and_the_head_unmoved(store: Store) -> None:
    append(store, record(store))

    with store.uow() as uow:
        uow.audit.append(record(store))
        uow.rollback()

    with store.uow() as uow:
        assert len(uow.audit.chain(0, 10)) == 1
        assert uow.audit.head().sequence == 1


def test_the_chain_is_read_in_pages(store: Store) -> None:
    for _ in range(5):
        append(store, record(store))

    with store.uow() as uow:
        page = uow.audit.chain(2, 2)

    assert [e.sequence for e in page] == [3, 4]


def test_search_filters_and_orders_newest_first(store: Store) -> None:
    bob = Actor("app", "erp-sync")
    append(store, record(store, "inventory.set_stock"))
    store.clock.advance(timedelta(minutes=5))
    append(store, record(store, "inventory.receive_stock", actor=bob))
    append(store, record(store, "fraud.approve_review", entity=("risk_assessment", "ra-1")))

    def search(**criteria: object) -> list[str]:
        with store.uow() as uow:
            found = uow.audit.search(AuditFilter(**criteria))  # type: ignore[arg-type]
        return [e.record.action for e in found]

    assert search() == ["fraud.approve_review", "inventory.receive_stock", "inventory.set_stock"]
    assert search(actor="erp-sync") == ["inventory.receive_stock"]
    assert search(action="inventory.") == ["inventory.receive_stock", "inventory.set_stock"]
    assert search(action="inventory.set_stock") == ["inventory.set_stock"]
    assert search(entity="risk_assessment/ra-1") == ["fraud.approve_review"]
    assert search(entity="stock") == ["inventory.receive_stock", "inventory.set_stock"]
    assert search(since=store.clock.now()) == ["fraud.approve_review", "inventory.receive_stock"]
    assert search(limit=1) == ["fraud.approve_review"]
