"""GHN: the status table row by row, webhook fields, what goes on the wire, and how GHN's answers
map onto the port's errors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest

from adapters.carriers.ghn import PROD_URL, GhnCarrier, map_status
from adapters.memory import FrozenClock
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import (
    CarrierError,
    CarrierUnavailable,
    ShipmentStatus,
)
from tests.carrier_doubles import (
    SHOPPER,
    WAREHOUSE,
    GhnDouble,
    GhnHarness,
    booking_request,
    rate_request,
)

_S = ShipmentStatus

# external-apis §5, every row.
TABLE = [
    ("ready_to_pick", _S.BOOKED),
    ("picking", _S.ASSIGNED), ("money_collect_picking", _S.ASSIGNED),
    ("picked", _S.PICKED_UP),
    ("storing", _S.IN_TRANSIT), ("transporting", _S.IN_TRANSIT), ("sorting", _S.IN_TRANSIT),
    ("delivering", _S.OUT_FOR_DELIVERY), ("money_collect_delivering", _S.OUT_FOR_DELIVERY),
    ("delivered", _S.DELIVERED),
    ("delivery_fail", _S.DELIVERY_FAILED),
    ("waiting_to_return", _S.RETURNING), ("return", _S.RETURNING),
    ("return_transporting", _S.RETURNING), ("return_sorting", _S.RETURNING),
    ("returning", _S.RETURNING), ("return_fail", _S.RETURNING),
    ("returned", _S.RETURNED_TO_SENDER),
    ("cancel", _S.CANCELLED),
]


@pytest.fixture
def harness() -> GhnHarness:
    return GhnHarness(FrozenClock())


def _hook(harness: GhnHarness, **fields: object) -> bytes:
    body = {"Type": "switch_status", "OrderCode": "LB0001VN", "ClientOrderCode": "shp-1",
            "Status": "picked", "Time": "2026-01-15T10:05:00.000Z", "Reason": "",
            "Description": "", "CODAmount": 0, "ShopID": GhnDouble.shop_id, **fields}
    return json.dumps(body).encode()


@pytest.mark.parametrize(("ghn", "ours"), TABLE)
def test_every_ghn_status_maps_as_the_table_says(harness: GhnHarness, ghn: str,
                                                 ours: ShipmentStatus) -> None:
    assert map_status(ghn) == (ours, False)
    [update] = harness.carrier.parse_webhook(_hook(harness, Status=ghn))
    assert update.status is ours
    assert update.carrier_status == ghn
    assert not update.is_exception


@pytest.mark.parametrize("ghn", ["lost", "damage", "exception"])
def test_lost_damaged_and_exceptions_move_nothing_and_are_flagged(
        harness: GhnHarness, ghn: str) -> None:
    [update] = harness.carrier.parse_webhook(_hook(harness, Status=ghn, Reason="Hu hong"))

    assert update.status is None
    assert update.is_exception
    assert update.reason == ghn
    assert update.description == "Hu hong"


def test_an_unknown_status_moves_nothing_and_is_kept(harness: GhnHarness) -> None:
    [update] = harness.carrier.parse_webhook(_hook(harness, Status="relabelled"))

    assert (update.status, update.is_exception, update.carrier_status) == (
        None, False, "relabelled")


def test_a_webhook_carries_time_place_and_the_cod_collected_on_delivery(
        harness: GhnHarness) -> None:
    [delivered] = harness.carrier.parse_webhook(_hook(
        harness, Status="delivered", CODAmount=450_000, Warehouse="Buu cuc Hoan Kiem",
        Description="Giao thanh cong"))
    [picked] = harness.carrier.parse_webhook(_hook(harness, Status="picked", CODAmount=450_000))

    assert delivered.cod_collected == Money(450_000, "VND")
    assert delivered.occurred_at == datetime(2026, 1, 15, 10, 5, tzinfo=UTC)
    assert delivered.location == "Buu cuc Hoan Kiem"
    assert delivered.description == "Giao thanh cong"
    assert delivered.dedupe_key == "LB0001VN:delivered:2026-01-15T10:05:00+00:00"
    assert picked.cod_collected is None


def test_weight_cod_and_fee_updates_are_history_only(harness: GhnHarness) -> None:
    for kind in ("update_weight", "update_cod", "update_fee"):
        [update] = harness.carrier.parse_webhook(_hook(harness, Type=kind, Status="picked"))
        assert update.status is None
        assert update.carrier_status == "picked"


def test_the_webhook_token_is_compared_whole(harness: GhnHarness) -> None:
    carrier = harness.carrier
    assert carrier.verify_webhook({}, b"{}", GhnHarness.webhook_token)
    assert not carrier.verify_webhook({}, b"{}", GhnHarness.webhook_token[:-1])
    assert not carrier.verify_webhook({}, b"{}", GhnHarness.webhook_token + "x")
    assert not carrier.verify_webhook({"Token": GhnHarness.webhook_token}, b"{}", None)
    unconfigured = GhnCarrier("t", 1, webhook_token="", http=harness.double.client())
    assert not unconfigured.verify_webhook({}, b"{}", "")


def test_quotes_ask_for_the_routes_services_then_price_each(harness: GhnHarness) -> None:
    quotes = harness.carrier.quote(rate_request())

    assert [(q.service, q.carrier_service_id) for q in quotes] == [
        ("standard", "53320"), ("heavy", "100039")]
    assert quotes[0].amount == Money(16_500 + 5_000 + 450_000 // 200, "VND")
    first, *fees = harness.double.requests
    assert first.url.path.endswith("/v2/shipping-order/available-services")
    assert json.loads(first.content) == {"shop_id": GhnDouble.shop_id, "from_district": 1485,
                                         "to_district": 1489}
    fee = json.loads(fees[0].content)
    assert fee["to_ward_code"] == "1A0101"
    assert fee["from_ward_code"] == "1A0807"
    assert (fee["weight"], fee["length"], fee["width"], fee["height"]) == (1200, 30, 20, 10)
    assert all(r.headers["Token"] == GhnDouble.token for r in harness.double.requests)
    assert all(r.headers["ShopId"] == str(GhnDouble.shop_id) for r in fees)


def test_the_shops_pickup_district_serves_origins_without_codes(harness: GhnHarness) -> None:
    origin = WAREHOUSE.__class__(name="Kho", phone="0241234567", line1="18 Duy Tan",
                                 province="Ha Noi", country_code="VN")
    request = rate_request().__class__(origin, SHOPPER, rate_request().parcels, "VND")

    assert harness.carrier.quote(request)
    assert json.loads(harness.double.requests[0].content)["from_district"] == 1485


def test_a_destination_without_ghn_codes_is_refused_before_any_call(
        harness: GhnHarness) -> None:
    request = rate_request().__class__(
        WAREHOUSE, SHOPPER.__class__(name="A", phone="0912345678", line1="1 Pho Hue",
                                     province="Ha Noi", country_code="VN"),
        rate_request().parcels, "VND")

    with pytest.raises(CarrierError, match="district id and ward code"):
        harness.carrier.quote(request)
    with pytest.raises(CarrierError, match="VND"):
        harness.carrier.quote(rate_request(currency="USD"))
    assert harness.double.requests == []


def test_a_booking_sends_every_required_field_and_our_reference(harness: GhnHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-20", "standard"))

    create = next(r for r in harness.double.requests if r.url.path.endswith("/create"))
    body = json.loads(create.content)
    assert body["client_order_code"] == "shp-20"
    assert body["cod_amount"] == 0
    assert (body["payment_type_id"], body["required_note"], body["service_type_id"]) == (
        1, "KHONGCHOXEMHANG", 2)
    assert (body["to_name"], body["to_phone"], body["to_ward_code"],
            body["to_district_id"]) == ("Nguyễn Thị Lan", "0912345678", "1A0101", 1489)
    assert body["to_address"].startswith("25 Hàng Bài, Hàng Bài, Hoàn Kiếm")
    assert body["items"][0] == {"name": "Áo thun", "code": "TEE-M", "quantity": 2,
                                "price": 150_000, "weight": 400}
    assert body["insurance_value"] == 450_000
    assert (body["from_name"], body["from_phone"]) == ("Kho Cau Giay", "0241234567")
    assert create.headers["ShopId"] == str(GhnDouble.shop_id)
    assert booking.fee == Money(harness.double.orders[booking.tracking_number]["total_fee"],
                                "VND")
    assert booking.expected_delivery is not None


def test_cash_on_delivery_is_sent_and_capped(harness: GhnHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-21", "standard", cod=450_000))
    assert harness.double.orders[booking.tracking_number]["cod_amount"] == 450_000

    with pytest.raises(CarrierError, match="at most"):
        harness.carrier.book(booking_request("shp-22", "standard", cod=50_000_001))
    assert harness.double.orders_for("shp-22") == []


def test_an_order_booked_elsewhere_under_the_reference_is_found_not_duplicated(
        harness: GhnHarness) -> None:
    first = harness.carrier.book(booking_request("shp-23", "standard"))
    twin = GhnCarrier(GhnDouble.token, GhnDouble.shop_id, from_district_id=1485,
                      from_ward_code="1A0807", http=harness.double.client())

    again = twin.book(booking_request("shp-23", "standard"))

    assert again.tracking_number == first.tracking_number
    assert len(harness.double.orders_for("shp-23")) == 1


def test_the_label_is_a_print_url_on_the_bare_host(harness: GhnHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-24", "standard"))

    label = harness.carrier.label(booking.tracking_number)

    [token] = harness.double.label_tokens
    assert label.url == f"https://dev-online-gateway.ghn.vn/a5/public-api/printA5?token={token}"
    assert label.format == "pdf"
    assert harness.carrier.label(booking.tracking_number, "80x80").url.startswith(  # type: ignore[union-attr]
        "https://dev-online-gateway.ghn.vn/a5/public-api/print80x80?token=")
    with pytest.raises(CarrierError):
        harness.carrier.label(booking.tracking_number, "zpl")


def test_labels_print_on_the_production_host_in_production() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == PROD_URL + "/v2/a5/gen-token"
        return httpx.Response(200, json={"code": 200, "message": "Success",
                                         "data": {"token": "tok-1"}})

    carrier = GhnCarrier("t", 1, base_url=PROD_URL,
                         http=httpx.Client(transport=httpx.MockTransport(answer)))
    assert carrier.label("LB1").url == "https://online-gateway.ghn.vn/a5/public-api/printA5?token=tok-1"


def test_a_cancel_ghn_refuses_is_a_carrier_error_with_its_message(harness: GhnHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-25", "standard"))
    harness.double.advance(booking.tracking_number, "storing")

    with pytest.raises(CarrierError, match="Don hang khong the huy"):
        harness.carrier.cancel(booking.tracking_number)


def test_tracking_reads_the_orders_log(harness: GhnHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-26", "standard"))
    for status in ("picking", "picked", "lost"):
        harness.double.advance(booking.tracking_number, status)

    updates = harness.carrier.track(booking.tracking_number)

    assert [(u.carrier_status, u.status, u.is_exception) for u in updates] == [
        ("picking", _S.ASSIGNED, False), ("picked", _S.PICKED_UP, False), ("lost", None, True)]


def test_a_refusal_code_in_a_200_answer_is_an_error(harness: GhnHarness) -> None:
    harness.double.fail_next("code_error")

    with pytest.raises(CarrierError, match="SYSTEM_ERR") as raised:
        harness.carrier.quote(rate_request())
    assert raised.value.details["code"] == 400


def test_a_4xx_carries_ghns_code_message(harness: GhnHarness) -> None:
    bad = GhnCarrier("wrong-token", GhnDouble.shop_id, http=harness.double.client())

    with pytest.raises(CarrierError, match="USER_ERR_TOKEN") as raised:
        bad.cancel("LB0001VN")
    assert raised.value.details["status"] == 401
    # A refused token is not "no such order": a booking would otherwise be made twice.
    with pytest.raises(CarrierError):
        bad.find_booking("shp-1")


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_timeouts_and_server_errors_are_unavailable(harness: GhnHarness, failure: str) -> None:
    harness.double.fail_next(failure)
    with pytest.raises(CarrierUnavailable):
        harness.carrier.track("LB0001VN")


def test_an_answer_without_json_is_unavailable() -> None:
    carrier = GhnCarrier("t", 1, http=httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, text="<html>maintenance</html>"))))
    with pytest.raises(CarrierUnavailable):
        carrier.track("LB1")
    assert not carrier.health()


def test_the_token_never_reaches_logs_or_errors(harness: GhnHarness,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    harness.carrier.quote(rate_request())
    harness.double.fail_next("code_error", "/v2/shipping-order/create")
    with pytest.raises(CarrierError) as raised:
        harness.carrier.book(booking_request("shp-27", "standard"))

    assert GhnDouble.token not in caplog.text
    assert GhnDouble.token not in str(raised.value) + repr(raised.value.details)
    assert GhnDouble.token not in repr(harness.carrier)
    assert "/v2/shipping-order/fee -> 200" in caplog.text
