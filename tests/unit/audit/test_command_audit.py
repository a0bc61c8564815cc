"""Staff and app commands leave one audit entry in their own transaction; shoppers' do not."""

from __future__ import annotations

from typing import Any

import pytest
from attrs import frozen

from adapters.memory.outbox import InMemoryOutbox
from commerce_core.audit.context import AuditContext, acting
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.principal import Principal
from commerce_core.shared.uow import retrying
from tests.shop import SHIRT, make_commerce, stock_shop

ALICE = Principal(kind="staff", subject="alice", roles=frozenset({"inventory_manager"}),
                  session_id="s-1")
STAFF = AuditContext(ALICE, ip="203.0.113.7", request_id="req-1")


def test_a_staff_command_records_who_what_and_the_change() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    with acting(STAFF):
        commerce.inventory.create_warehouse("HN", "Ha Noi")

    [entry] = commerce.audit.search()
    record = entry.record
    assert record.action == "inventory.create_warehouse"
    assert (record.actor.kind, record.actor.subject, record.actor.roles) == (
        "staff", "alice", ("inventory_manager",))
    assert (record.ip, record.session_id, record.request_id) == ("203.0.113.7", "s-1", "req-1")
    assert record.entity_type == "warehouse"
    assert record.after["command"]["code"] == "HN"
    assert commerce.audit.verify().intact


def test_a_changed_aggregate_is_recorded_before_and_after() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    warehouse = commerce.inventory.warehouse(commerce.inventory.create_warehouse("HN"))

    with acting(STAFF):
        commerce.inventory.deactivate_warehouse(warehouse.id)

    [entry] = commerce.audit.search()
    key = f"warehouse/{warehouse.id}"
    assert entry.record.before[key]["active"] is True
    assert entry.record.after["changes"][key]["active"] is False


def test_commands_without_a_staff_actor_are_not_audited() -> None:
    commerce = make_commerce()

    stock_shop(commerce)
    with acting(AuditContext(Principal(kind="customer", subject="c1", customer_id="c1"))):
        commerce.cart.create("VND")

    assert commerce.audit.search() == []


def test_a_refused_staff_command_is_recorded_as_refused() -> None:
    commerce = make_commerce()
    stock_shop(commerce)

    with acting(STAFF), pytest.raises(CommerceError) as refused:
        commerce.inventory.set_stock(SHIRT, "HCM", -5)

    [entry] = commerce.audit.search()
    assert entry.record.action == "inventory.set_stock.refused"
    assert entry.record.severity == "WARNING"
    assert entry.record.after["outcome"]["code"] == refused.value.code


def test_the_log_is_searched_by_actor_action_and_entity() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    with acting(STAFF):
        commerce.inventory.create_warehouse("HN", "Ha Noi")
        commerce.inventory.set_stock(SHIRT, "HCM", 7)
    bob = AuditContext(Principal(kind="app", subject="erp-sync"))
    with acting(bob):
        commerce.inventory.set_stock(SHIRT, "HN", 3)

    assert len(commerce.audit.search(AuditFilter(actor="alice"))) == 2
    assert [e.record.actor.subject for e in commerce.audit.search(
        AuditFilter(action="inventory.set_stock"))] == ["erp-sync", "alice"]
    assert len(commerce.audit.search(AuditFilter(action="inventory."))) == 3
    assert len(commerce.audit.search(AuditFilter(limit=1))) == 1


@frozen
class CountStock:
    sku: str
    on_hand: int


def test_a_commit_retried_after_a_conflict_still_carries_the_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    conflicts = [ConcurrencyConflict("stale")]
    real_add = InMemoryOutbox.add

    def add_once_failing(self: InMemoryOutbox, envelopes: Any) -> None:
        if conflicts:
            raise conflicts.pop()
        real_add(self, envelopes)

    def count(cmd: CountStock) -> None:
        def attempt() -> None:
            with commerce.ports.uow() as uow:
                uow.commit()
        retrying(attempt, retry_on=ConcurrencyConflict)

    commerce.bus.register(CountStock, count)
    monkeypatch.setattr(InMemoryOutbox, "add", add_once_failing)

    with acting(STAFF):
        commerce.handle(CountStock(SHIRT, 4))

    [entry] = commerce.audit.search()
    assert entry.record.action == "test_command_audit.count_stock"
    assert entry.record.entity_type == "sku"
    assert entry.record.after["command"] == {"sku": SHIRT, "on_hand": 4}
