"""WarehouseRepository and DistributorRepository contract."""

from __future__ import annotations

import pytest

from commerce_core.inventory.allocation import GeoPoint
from commerce_core.inventory.errors import (
    DistributorNotFound,
    DuplicateDistributor,
    DuplicateWarehouse,
    WarehouseNotFound,
)
from commerce_core.inventory.warehouses import (
    Address,
    Capacity,
    Contact,
    Distributor,
    Warehouse,
    WarehouseDetails,
)
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


def test_warehouse_details_read_back_exactly(store: Store) -> None:
    details = WarehouseDetails(
        description="Riverside depot", warehouse_type="cross_dock",
        address=Address("1 Bach Dang", "Dock 4", "Da Nang", "DN", "550000", "VN"),
        phone="+84 236 000", email="dn@example.vn", manager_name="Minh",
        location=GeoPoint(16.0678, 108.2208), capacity=Capacity(800, 120, 5000, 20000),
        cost_ratio=0.35, distributor_id="distributor-1",
    )
    depot = Warehouse.create(warehouse_id=store.ids.new_id(), code="DN", name="Da Nang",
                             is_default=False, now=store.clock.now(), details=details)
    with store.uow() as uow:
        uow.warehouses.add(depot)
        uow.commit()
    with store.uow() as uow:
        uow.warehouses.get(depot.id).deactivate(now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        loaded = uow.warehouses.get(depot.id)

    assert (loaded.details, loaded.active, loaded.updated_at) == (
        details, False, store.clock.now())


def test_distributors_read_back_with_their_regions_by_code(store: Store) -> None:
    south = Distributor.create(distributor_id=store.ids.new_id(), code="south", name="South",
                               contact=Contact("s@example.vn", "028"),
                               region_codes=["hcm", "ct"], now=store.clock.now())
    north = Distributor.create(distributor_id=store.ids.new_id(), code="north", name="North",
                               contact=Contact(), region_codes=[], now=store.clock.now())
    with store.uow() as uow:
        uow.distributors.add(south)
        uow.distributors.add(north)
        uow.commit()

    with store.uow() as uow:
        listed = uow.distributors.list()
        with pytest.raises(DistributorNotFound):
            uow.distributors.get("nobody")

    assert [state(d) for d in listed] == [state(north), state(south)]
    assert listed[1].region_codes == ["CT", "HCM"]


def test_a_distributor_code_already_in_use_is_refused_on_commit(store: Store) -> None:
    def make() -> Distributor:
        return Distributor.create(distributor_id=store.ids.new_id(), code="SOUTH", name="",
                                  contact=Contact(), region_codes=[], now=store.clock.now())
    with store.uow() as uow:
        uow.distributors.add(make())
        uow.commit()

    with store.uow() as uow:
        uow.distributors.add(make())
        with pytest.raises(DuplicateDistributor):
            uow.commit()
