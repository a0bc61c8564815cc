"""The address book: the first address is the default, one default at a time, deleting the
default promotes another, every address checked against the location hierarchy (scenario 10)."""

from __future__ import annotations

import attrs
import pytest

from commerce_core.customer.errors import AddressNotFound, InvalidAddress
from tests.shop import events_of
from tests.unit.customer.support import OTHER_WARD, customer_shop, home


def test_the_first_address_is_the_default_and_a_new_default_unsets_it() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    first = commerce.customers.add_address(customer_id, home())
    second = commerce.customers.add_address(customer_id, home("5 Nguyễn Huệ"))
    third = commerce.customers.add_address(customer_id, home("1 Tràng Tiền", OTHER_WARD),
                                           make_default=True)

    assert first.is_default
    assert not second.is_default
    book = commerce.customers.get(customer_id).addresses
    assert [(a.id, a.is_default) for a in book] == [
        (first.id, False), (second.id, False), (third.id, True)]
    commerce.customers.set_default_address(customer_id, second.id)
    book = commerce.customers.get(customer_id).addresses
    assert [a.id for a in book if a.is_default] == [second.id]


def test_deleting_the_default_promotes_the_oldest_remaining_address() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    first = commerce.customers.add_address(customer_id, home())
    second = commerce.customers.add_address(customer_id, home("5 Nguyễn Huệ"))

    commerce.customers.delete_address(customer_id, first.id)

    book = commerce.customers.get(customer_id).addresses
    assert [(a.id, a.is_default) for a in book] == [(second.id, True)]
    assert events_of(commerce, "customer.address_deleted")[0]["promoted_id"] == second.id
    commerce.customers.delete_address(customer_id, second.id)
    assert commerce.customers.get(customer_id).addresses == []
    with pytest.raises(AddressNotFound):
        commerce.customers.delete_address(customer_id, second.id)


def test_an_address_takes_its_names_from_the_hierarchy_in_vietnamese_order() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    address = commerce.customers.add_address(customer_id, home())

    assert (address.ward, address.district, address.province, address.country_code) == (
        "Phường Bến Thành", None, "Thành phố Hồ Chí Minh", "VN")
    assert address.phone == "0901234567"
    assert commerce.customers.format_address(address) == (
        "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh, Việt Nam")


@pytest.mark.parametrize(("location_id", "why"), [
    ("vn-nowhere", "unknown location"),
    ("vn-hcm", "is a province, not a ward"),
])
def test_an_address_outside_the_hierarchy_is_refused(location_id: str, why: str) -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    with pytest.raises(InvalidAddress, match=why):
        commerce.customers.add_address(customer_id, home(location_id=location_id))

    assert commerce.customers.get(customer_id).addresses == []


def test_an_address_in_a_ward_no_longer_in_use_is_refused() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    ward = commerce.customers.locations.get(OTHER_WARD)


    commerce.customers.locations.update(attrs.evolve(ward, is_active=False))

    with pytest.raises(InvalidAddress, match="no longer in use"):
        commerce.customers.add_address(customer_id, home(location_id=OTHER_WARD))


def test_updating_an_address_moves_it_to_another_ward() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id
    address = commerce.customers.add_address(customer_id, home())

    moved = commerce.customers.update_address(customer_id, address.id,
                                              home("1 Tràng Tiền", OTHER_WARD))

    assert (moved.ward, moved.province, moved.is_default) == (
        "Phường Hoàn Kiếm", "Thành phố Hà Nội", True)


def test_an_incomplete_address_is_refused() -> None:
    commerce = customer_shop()
    customer_id = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn").id

    with pytest.raises(InvalidAddress):
        commerce.customers.add_address(customer_id, home(line1="  "))
    with pytest.raises(InvalidAddress):
        commerce.customers.add_address(
            customer_id, home().__class__("Lan", "Nguyễn", "12", "12 Lê Lợi", "vn-hcm-ben-thanh"))
