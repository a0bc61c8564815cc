"""WarehouseRepository contract."""

from __future__ import annotations

import pytest

from commerce_core.inventory.errors import DuplicateWarehouse, WarehouseNotFound
from tests.contract.builders import state, warehouse
from tests.contract.conftest import Store


def test_a_warehouse_reads_back_exactly_as_it_was_added(store: Store) -> None:
    hanoi = warehouse(store, code="HN", is_default=True)
    with store.uow() as uow:
        uow.warehouses.add(hanoi)
        uow.commit()

    with store.uow() as uow:
        loaded = uow.warehouses.get(hanoi.id)
        by_code = uow.warehouses.by_code("HN")

    assert state(loaded) == state(hanoi)
    assert by_code is loaded


def test_an_unknown_warehouse_is_not_found(store: Store) -> None:
    with store.uow() as uow:
        with pytest.raises(WarehouseNotFound):
            uow.warehouses.get("no-such-warehouse")
        assert uow.warehouses.by_code("NOPE") is None


def test_warehouses_list_the_default_first_then_by_code(store: Store) -> None:
    with store.uow() as uow:
        for code, default in (("HN", False), ("DN", False), ("HCM", True), ("CT", False)):
            uow.warehouses.add(warehouse(store, code=code, is_default=default))
        uow.commit()

    with store.uow() as uow:
        codes = [w.code for w in uow.warehouses.list()]

    assert codes == ["HCM", "CT", "DN", "HN"]


def test_a_code_already_in_use_is_refused_on_commit(store: Store) -> None:
    with store.uow() as uow:
        uow.warehouses.add(warehouse(store, code="HCM"))
        uow.commit()

    with store.uow() as uow:
        uow.warehouses.add(warehouse(store, code="HCM"))
        with pytest.raises(DuplicateWarehouse):
            uow.commit()


def test_a_changed_default_is_saved(store: Store) -> None:
    first, second = warehouse(store, code="HCM", is_default=True), warehouse(store, code="HN")
    with store.uow() as uow:
        uow.warehouses.add(first)
        uow.warehouses.add(second)
        uow.commit()

    with store.uow() as uow:
        uow.warehouses.get(first.id).is_default = False
        uow.warehouses.get(second.id).is_default = True
        uow.commit()
    with store.uow() as uow:
        listed = [(w.code, w.is_default, w.version) for w in uow.warehouses.list()]

    assert listed == [("HN", True, 1), ("HCM", False, 1)]
