"""GrabExpress: the status table row by row (FAILED before and after pickup), webhook
authentication and dedupe fields, the OAuth2 token's life, amounts with the currency's exponent,
what goes on the wire, and how Grab's answers map onto the port's errors."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.carriers.grab import CARRIER_FAILED, GrabCarrier, digits, map_status, to_money
from adapters.memory import FrozenClock
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import CarrierError, CarrierUnavailable, ShipmentStatus
from tests.carrier_doubles import GrabDouble, GrabHarness, booking_request, rate_request

_S = ShipmentStatus

# external-apis §6, every row but FAILED (below).
TABLE = [
    ("QUEUEING", _S.BOOKED), ("ALLOCATING", _S.BOOKED),
    ("PENDING_PICKUP", _S.ASSIGNED), ("PICKING_UP", _S.ASSIGNED),
    ("PENDING_DROP_OFF", _S.IN_TRANSIT),
    ("IN_DELIVERY", _S.OUT_FOR_DELIVERY),
    ("COMPLETED", _S.DELIVERED),
    ("IN_RETURN", _S.RETURNING),
    ("RETURNED", _S.RETURNED_TO_SENDER),
    ("CANCELED", _S.CANCELLED), ("CANCELLED", _S.CANCELLED),
]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def harness(clock: FrozenClock) -> GrabHarness:
    return GrabHarness(clock)


def _hook(**fields: object) -> bytes:
    body = {"deliveryID": "IN-2-000001", "merchantOrderID": "shp-1", "timestamp": 1768471500,
            "status": "ALLOCATING", "trackURL": "https://express.grab.com/track/IN-2-000001",
            **fields}
    return json.dumps(body).encode()


DRIVER = {"name": "Tran Van B", "phone": "84909000111", "licensePlate": "59X1-12345"}


@pytest.mark.parametrize(("grab", "ours"), TABLE)
def test_every_grab_status_maps_as_the_table_says(harness: GrabHarness, grab: str,
                                                  ours: ShipmentStatus) -> None:
    assert map_status(grab) == (ours, None)
    [update] = harness.carrier.parse_webhook(_hook(status=grab))
    assert update.status is ours
    assert update.carrier_status == grab
    assert not update.is_exception


def test_failed_before_pickup_is_cancelled_for_rebooking(harness: GrabHarness) -> None:
    [no_driver] = harness.carrier.parse_webhook(_hook(status="FAILED",
                                                      failedReason="2|Merchant issue"))
    [not_found] = harness.carrier.parse_webhook(_hook(
        deliveryID="IN-2-000002", status="FAILED", failedReason="6|Could not find driver",
        driver=DRIVER))

    for update in (no_driver, not_found):
        assert update.status is _S.CANCELLED
        assert update.reason == CARRIER_FAILED
        assert not update.is_exception
    assert not_found.description == "6|Could not find driver"


def test_failed_after_pickup_is_a_failed_delivery(harness: GrabHarness) -> None:
    harness.carrier.parse_webhook(_hook(status="PENDING_DROP_OFF", driver=DRIVER))
    [update] = harness.carrier.parse_webhook(_hook(
        status="FAILED", timestamp=1768472000, failedReason="9|Recipient unreachable",
        driver=DRIVER))

    assert update.status is _S.DELIVERY_FAILED
    assert update.reason == "9|Recipient unreachable"


def test_failed_with_a_driver_and_no_known_pickup_is_flagged_for_a_person(
        harness: GrabHarness) -> None:
    [update] = harness.carrier.parse_webhook(_hook(
        status="FAILED", failedReason="9|Recipient unreachable", driver=DRIVER))

    assert update.status is None
    assert update.is_exception


def test_the_dedupe_key_is_delivery_status_and_timestamp(harness: GrabHarness) -> None:
    [update] = harness.carrier.parse_webhook(_hook(status="COMPLETED"))
    [same] = harness.carrier.parse_webhook(_hook(status="COMPLETED"))
    [later] = harness.carrier.parse_webhook(_hook(status="COMPLETED", timestamp=1768471501))

    assert update.occurred_at == datetime.fromtimestamp(1768471500, UTC)
    assert update.dedupe_key == f"IN-2-000001:COMPLETED:{update.occurred_at.isoformat()}"
    assert update.dedupe_key == same.dedupe_key != later.dedupe_key


def test_a_webhook_learns_the_booking_of_a_lost_create(harness: GrabHarness) -> None:
    harness.carrier.parse_webhook(_hook(merchantOrderID="shp-lost", status="ALLOCATING"))

    found = harness.carrier.find_booking("shp-lost")
    assert found is not None
    assert found.tracking_number == "IN-2-000001"


def test_the_authorization_header_is_compared_whole(harness: GrabHarness) -> None:
    secret = GrabHarness.webhook_secret
    carrier = harness.carrier
    assert carrier.verify_webhook({"authorization": secret}, b"{}")
    assert carrier.verify_webhook({"AUTHORIZATION": secret}, b"{}")
    assert not carrier.verify_webhook({"Authorization": secret[:-1]}, b"{}")
    assert not carrier.verify_webhook({"Authorization": f"Bearer {secret}"}, b"{}")
    assert not carrier.verify_webhook({}, b"{}", secret)


def test_the_token_is_fetched_once_and_again_after_it_expires(
        harness: GrabHarness, clock: FrozenClock) -> None:
    harness.carrier.quote(rate_request())
    harness.carrier.quote(rate_request())
    assert harness.double.tokens_issued == 1
    token_call = harness.double.requests[0]
    assert str(token_call.url) == "https://partner-api.grab.com/grabid/v1/oauth2/token"
    assert token_call.headers["Cache-Control"] == "no-cache"
    assert json.loads(token_call.content)["scope"] == "grab_express.partner_deliveries"

    clock.advance(timedelta(days=7))
    harness.carrier.quote(rate_request())
    assert harness.double.tokens_issued == 2


def test_a_401_fetches_a_new_token_once(harness: GrabHarness) -> None:
    harness.carrier.quote(rate_request())
    harness.double.revoke_tokens()

    assert harness.carrier.quote(rate_request())
    assert harness.double.tokens_issued == 2


def test_a_401_after_a_fresh_token_is_refused_not_retried_forever() -> None:
    double = GrabDouble(FrozenClock())
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path.endswith("/token"):
            return double.handle(request)
        return httpx.Response(401, json={"message": "unauthorized"})

    carrier = GrabCarrier(GrabDouble.client_id, GrabDouble.client_secret,
                          http=httpx.Client(transport=httpx.MockTransport(answer)))
    with pytest.raises(CarrierError, match="401"):
        carrier.quote(rate_request())
    assert len(sent) == 4  # token, quote, fresh token, quote


def test_wrong_client_credentials_are_refused(harness: GrabHarness) -> None:
    carrier = GrabCarrier("someone", "else", http=harness.double.client())

    with pytest.raises(CarrierError, match="client credentials"):
        carrier.quote(rate_request())
    assert not carrier.health()
    assert harness.carrier.health()


def test_quotes_map_services_and_amounts_with_the_currency_exponent(clock: FrozenClock) -> None:
    double = GrabDouble(clock, currency=("SGD", "S$", 2),
                        amounts={"INSTANT": 12.5, "SAME_DAY": 8})
    carrier = GrabCarrier(GrabDouble.client_id, GrabDouble.client_secret,
                          http=double.client())

    quotes = carrier.quote(rate_request(currency="SGD"))

    assert [(q.service, q.amount) for q in quotes] == [
        ("instant", Money(1250, "SGD")), ("same_day", Money(800, "SGD"))]
    with pytest.raises(CarrierError, match="SGD"):
        carrier.quote(rate_request(currency="VND"))
    assert to_money(22000, {"code": "VND", "exponent": 0}) == Money(22000, "VND")
    with pytest.raises(CarrierError):
        to_money("1.234", {"code": "SGD", "exponent": 2})


def test_a_quote_for_one_service_sends_its_service_type(harness: GrabHarness) -> None:
    [quote] = harness.carrier.quote(rate_request(service="same_day"))

    assert quote.service == "same_day"
    body = json.loads(harness.double.requests[-1].content)
    assert body["serviceType"] == "SAME_DAY"
    assert body["vehicleType"] == "BIKE"
    assert body["packages"][0]["dimensions"] == {"height": 10, "width": 20, "depth": 30,
                                                 "weight": 1200}
    assert harness.carrier.quote(rate_request(service="express")) == []


def test_a_booking_sends_our_reference_people_and_cash_on_delivery(
        harness: GrabHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-30", "instant", cod=450_000))

    create = next(r for r in harness.double.requests
                  if r.method == "POST" and r.url.path.endswith("/v1/deliveries"))
    body = json.loads(create.content)
    assert body["merchantOrderID"] == "shp-30"
    assert (body["serviceType"], body["paymentMethod"], body["payer"]) == (
        "INSTANT", "CASHLESS", "SENDER")
    assert body["sender"]["phone"] == "84241234567"
    assert body["recipient"]["phone"] == "84912345678"
    assert body["recipient"]["email"] == "lan@example.test"
    assert body["recipient"]["instruction"] == "Goi truoc khi giao"
    assert body["cashOnDelivery"] == {"amount": 450_000}
    assert body["packages"][0]["price"] == 450_000
    assert booking.tracking_number == "IN-2-000001"
    assert booking.fee == Money(32_000, "VND")
    assert booking.tracking_url == "https://express.grab.com/track/IN-2-000001"
    assert "coordinates" not in body["origin"]


def test_without_cash_on_delivery_none_is_sent(harness: GrabHarness) -> None:
    harness.carrier.book(booking_request("shp-31", "instant"))
    create = json.loads(harness.double.requests[-1].content)
    assert "cashOnDelivery" not in create


def test_a_geocoder_adds_coordinates(harness: GrabHarness) -> None:
    carrier = GrabCarrier(GrabDouble.client_id, GrabDouble.client_secret,
                          http=harness.double.client(),
                          geocode=lambda address: (21.0285111, 105.8542222))
    carrier.quote(rate_request())

    body = json.loads(harness.double.requests[-1].content)
    assert body["origin"]["coordinates"] == {"latitude": 21.0285111, "longitude": 105.8542222}


@pytest.mark.parametrize(("phone", "wire"), [("+84 912 345 678", "84912345678"),
                                             ("0912345678", "84912345678"),
                                             ("+6591234567", "6591234567")])
def test_phones_go_as_e164_digits(phone: str, wire: str) -> None:
    assert digits(phone) == wire


def test_cancelling_after_pickup_or_an_unknown_delivery_is_refused(
        harness: GrabHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-32", "instant"))
    harness.double.advance(booking.tracking_number, "PENDING_DROP_OFF")

    with pytest.raises(CarrierError, match="already picked up"):
        harness.carrier.cancel(booking.tracking_number)
    with pytest.raises(CarrierError, match="no delivery"):
        harness.carrier.cancel("IN-2-999999")


def test_no_second_booking_over_a_delivery_already_under_way(clock: FrozenClock) -> None:
    first = GrabHarness(clock)
    booking = first.carrier.book(booking_request("shp-33", "instant"))
    first.double.advance(booking.tracking_number, "PENDING_DROP_OFF")
    other_process = GrabCarrier(GrabDouble.client_id, GrabDouble.client_secret,
                                http=first.double.client(), clock=clock)

    with pytest.raises(CarrierError, match="already picked up"):
        other_process.book(booking_request("shp-33", "instant"))
    assert len(first.double.deliveries) == 1


def test_tracking_reports_the_delivery_status_at_its_last_move(harness: GrabHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-34", "instant"))
    harness.double.advance(booking.tracking_number, "PENDING_PICKUP")

    [update] = harness.carrier.track(booking.tracking_number)

    assert (update.carrier_status, update.status) == ("PENDING_PICKUP", _S.ASSIGNED)
    assert update.occurred_at == harness.double.clock.now()


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_timeouts_and_server_errors_are_unavailable(harness: GrabHarness, failure: str) -> None:
    harness.double.fail_next(failure)
    with pytest.raises(CarrierUnavailable):
        harness.carrier.quote(rate_request())


def test_the_request_id_is_logged_and_secrets_are_not(harness: GrabHarness,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="adapters.carriers")
    harness.carrier.book(booking_request("shp-35", "instant"))

    assert re.search(r"Grab POST /v1/deliveries -> 200 \(request id [0-9a-f-]{36}\)",
                     caplog.text)
    assert GrabDouble.client_secret not in caplog.text
    assert not any(token in caplog.text for token in harness.double.tokens)
    assert GrabDouble.client_secret not in repr(harness.carrier)


def test_a_delivery_failed_before_pickup_is_booked_again_anew(harness: GrabHarness) -> None:
    booking = harness.carrier.book(booking_request("shp-36", "instant"))
    body = harness.double.advance(booking.tracking_number, "FAILED")

    [update] = harness.carrier.parse_webhook(json.dumps(body).encode())
    assert (update.status, update.reason) == (_S.CANCELLED, CARRIER_FAILED)
    assert harness.carrier.find_booking("shp-36") is None

    again = harness.carrier.book(booking_request("shp-36", "instant"))
    assert again.tracking_number != booking.tracking_number
    assert [d["deliveryID"] for d in harness.double.live("shp-36")] == [again.tracking_number]
