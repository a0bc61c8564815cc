"""Batch pick lists along the bins, partial picks, packing checks and the carrier hand-over."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from commerce_core import Commerce, Money, VariantSpec
from commerce_core.fulfillment.errors import (
    CarrierLimitExceeded,
    InvalidPackage,
    ItemNotInFulfillment,
    MoreThanLeft,
    ShippingUnavailable,
)
from commerce_core.fulfillment.model import FulfillmentStatus, PackageItem, PackageSpec
from commerce_core.inventory.stock import StockSettings, walk_order
from tests.shop import SHIRT, assert_nothing_leaked, clock_of, events_of
from tests.unit.fulfillment.support import (
    carrier_of,
    fulfillment_in,
    fulfilment_shop,
    paid_order,
    walk_to_packed,
)

S = FulfillmentStatus
# Five SKUs with bins out of walking order, and one SKU nobody gave a bin.
BINS = {"TEA-OOLONG": "C-02-01", "TEA-GREEN": "A-10-03", "TEA-JASMINE": "A-02-07",
        "TEA-LOTUS": "B-01-01", "TEA-WHITE": "A-02-01"}


def tea_shop() -> Commerce:
    commerce = fulfilment_shop(shirts_hcm=100)
    for n, sku in enumerate(BINS):
        commerce.catalog.create_product(sku.title(), sku.lower(),
                                        [VariantSpec(sku, Money(50_000 + n, "VND"))],
                                        publish=True)
        commerce.inventory.receive(sku, "HCM", 200, bin_location=BINS[sku])
    return commerce


def test_a_batch_pick_list_for_twenty_orders_visits_each_bin_once_in_bin_order() -> None:
    commerce = tea_shop()
    skus = [*BINS, SHIRT]
    wanted: Counter[str] = Counter()
    for n in range(20):
        lines = [(sku, 1 + (n + i) % 3) for i, sku in enumerate(skus) if (n + i) % 4 != 0]
        wanted.update(dict(lines))
        paid_order(commerce, *lines)

    picklist_id = commerce.fulfillment.generate_picklist("HCM")

    picklist = commerce.fulfillment.picklist(picklist_id)
    bins = picklist.bins
    assert len(picklist.fulfillment_ids) == 20
    assert len(bins) == len(set(bins)) == len(skus)
    assert bins == sorted(bins, key=walk_order)
    assert bins[-1] is None  # the SKU without a bin comes last
    assert {line.sku: line.quantity for line in picklist.lines} == dict(wanted)
    assert [line.sequence for line in picklist.lines] == list(range(1, len(skus) + 1))


def test_completing_a_batch_pick_list_picks_every_order_and_deducts_exactly_that() -> None:
    commerce = tea_shop()
    orders = [paid_order(commerce, ("TEA-GREEN", 2), ("TEA-WHITE", 1)) for _ in range(3)]
    picklist_id = commerce.fulfillment.generate_picklist("HCM")
    commerce.fulfillment.start_picklist(picklist_id)

    commerce.fulfillment.complete_picklist(picklist_id)

    assert {fulfillment_in(commerce, o, "HCM").status for o in orders} == {S.PICKED}
    on_hand = {i.sku: (i.on_hand, i.reserved) for i in commerce.inventory.items(warehouse="HCM")}
    assert (on_hand["TEA-GREEN"], on_hand["TEA-WHITE"]) == ((194, 0), (197, 0))
    assert_nothing_leaked(commerce)


def test_a_short_pick_deducts_only_what_was_picked_and_keeps_the_rest_reserved() -> None:
    commerce = tea_shop()
    first = paid_order(commerce, ("TEA-GREEN", 2))
    second = paid_order(commerce, ("TEA-GREEN", 3))
    picklist_id = commerce.fulfillment.generate_picklist("HCM")
    (line,) = commerce.fulfillment.picklist(picklist_id).lines

    commerce.fulfillment.complete_picklist(picklist_id, {line.sequence: 4})

    assert fulfillment_in(commerce, first, "HCM").status is S.PICKED
    short = fulfillment_in(commerce, second, "HCM")
    assert (short.status, short.items[0].quantity_picked) == (S.PICK_FAILED, 2)
    (item,) = commerce.inventory.items(sku="TEA-GREEN")
    assert (item.on_hand, item.reserved) == (196, 1)
    assert_nothing_leaked(commerce)


def test_an_accepted_short_pick_gives_the_missing_units_back_to_stock() -> None:
    commerce = tea_shop()
    order_id = paid_order(commerce, ("TEA-GREEN", 3))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")

    commerce.fulfillment.confirm_picked(fulfillment_id, {"TEA-GREEN": 1}, accept_short=True)

    fulfillment = commerce.fulfillment.get(fulfillment_id)
    assert (fulfillment.status, fulfillment.items[0].quantity_ordered) == (S.PICKED, 1)
    (item,) = commerce.inventory.items(sku="TEA-GREEN")
    assert (item.on_hand, item.reserved) == (199, 0)


def test_cancelling_before_the_pick_releases_the_stock() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 3))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")

    commerce.fulfillment.cancel(fulfillment_id, "address unreachable")

    assert commerce.fulfillment.get(fulfillment_id).status is S.CANCELLED
    assert [(lv.on_hand, lv.reserved) for lv in commerce.inventory.levels(SHIRT)] == [(10, 0)]


def test_cancelling_after_the_pick_puts_the_goods_back_on_the_shelf() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 3))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)

    commerce.fulfillment.cancel(fulfillment_id)

    assert [(lv.on_hand, lv.reserved) for lv in commerce.inventory.levels(SHIRT)] == [(10, 0)]
    assert [b for b in commerce.inventory.audit() if b.drift] == []


def test_a_package_over_the_carrier_limits_is_refused() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")
    commerce.fulfillment.confirm_picked(fulfillment_id)
    commerce.fulfillment.start_packing(fulfillment_id)

    with pytest.raises(CarrierLimitExceeded):
        commerce.fulfillment.confirm_packed(fulfillment_id, [PackageSpec(250, 120, 20, 10)])
    with pytest.raises(InvalidPackage):
        commerce.fulfillment.confirm_packed(fulfillment_id, [PackageSpec(250, 30, 20, 10, (
            PackageItem(commerce.fulfillment.get(fulfillment_id).items[0].id, 2),))])


def test_ready_to_ship_hands_the_packages_to_shipping_with_the_order() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)

    commerce.fulfillment.mark_ready(fulfillment_id)

    ready = [e for e in events_of(commerce, "fulfillment.package_status_changed")
             if e["status"] == "ready"]
    assert [(e["order_id"], e["fulfillment_id"]) for e in ready] == [(order_id, fulfillment_id)]


def test_without_a_carrier_a_ready_fulfillment_stays_ready() -> None:
    commerce = fulfilment_shop(carrier=False)
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)
    commerce.fulfillment.mark_ready(fulfillment_id)

    with pytest.raises(ShippingUnavailable):
        commerce.fulfillment.ship(fulfillment_id)

    fulfillment = commerce.fulfillment.get(fulfillment_id)
    assert (fulfillment.status, fulfillment.shipment_id) == (S.READY, None)


def test_shipping_asks_the_carrier_once() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    walk_to_packed(commerce, fulfillment_id)
    commerce.fulfillment.mark_ready(fulfillment_id)

    shipments = {commerce.fulfillment.ship(fulfillment_id) for _ in range(3)}

    assert len(shipments) == 1
    assert len(carrier_of(commerce).requests) == 1


def test_a_pick_list_nobody_starts_expires_and_its_orders_wait_for_the_next() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    picklist_id = commerce.fulfillment.generate_picklist("HCM")
    clock_of(commerce).advance(timedelta(hours=25))

    expired = commerce.fulfillment.expire_picklists()

    assert expired == 1
    assert commerce.fulfillment.picklist(picklist_id).status.value == "expired"
    assert fulfillment_in(commerce, order_id, "HCM").status is S.PLANNING


def test_stock_settings_bins_drive_the_pick_walk() -> None:
    commerce = tea_shop()
    commerce.inventory.configure("TEA-GREEN", "HCM", StockSettings(bin_location="A-01-01"))
    paid_order(commerce, ("TEA-GREEN", 1), ("TEA-WHITE", 1))

    picklist = commerce.fulfillment.picklist(commerce.fulfillment.generate_picklist("HCM"))

    assert picklist.bins == ["A-01-01", "A-02-01"]


def test_picking_a_sku_the_fulfillment_lacks_or_more_than_is_left_is_told_apart() -> None:
    commerce = fulfilment_shop()
    order_id = paid_order(commerce, (SHIRT, 1))
    fulfillment_id = fulfillment_in(commerce, order_id, "HCM").id
    commerce.fulfillment.generate_picklist("HCM")

    # Not there at all (a 404 over HTTP), and more than the fulfillment has left (a 409).
    with pytest.raises(ItemNotInFulfillment):
        commerce.fulfillment.confirm_picked(fulfillment_id, {"NO-SUCH-SKU": 1})
    with pytest.raises(MoreThanLeft):
        commerce.fulfillment.confirm_picked(fulfillment_id, {SHIRT: 2})
