"""The carrier contract: what every `Carrier` adapter does, run against the fake carrier, GHN and
GrabExpress (the latter two over the stateful doubles of `tests/carrier_doubles.py`)."""

from __future__ import annotations

import pytest

from adapters.memory import FrozenClock
from commerce_core.shipping.ports import CarrierError, CarrierUnavailable, ShipmentStatus
from tests.carrier_doubles import HARNESSES, Harness, booking_request, rate_request

_S = ShipmentStatus


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param](FrozenClock())


def test_a_quote_prices_the_carriers_services_in_the_request_currency(harness: Harness) -> None:
    quotes = harness.carrier.quote(rate_request())

    assert quotes
    assert {q.carrier for q in quotes} == {harness.carrier.code}
    for quote in quotes:
        assert quote.amount.currency == "VND"
        assert quote.amount.amount > 0
        assert quote.service in harness.carrier.capabilities.services
    assert harness.service in {q.service for q in quotes}


def test_a_quote_for_one_service_prices_only_that_one(harness: Harness) -> None:
    quotes = harness.carrier.quote(rate_request(service=harness.service))

    assert [q.service for q in quotes] == [harness.service]


def test_booking_gives_a_tracking_number_found_again_by_reference(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-1", harness.service))

    assert booking.tracking_number
    found = harness.carrier.find_booking("shp-1")
    assert found is not None
    assert found.tracking_number == booking.tracking_number
    assert harness.carrier.find_booking("shp-never") is None


def test_booking_the_same_reference_twice_books_once(harness: Harness) -> None:
    first = harness.carrier.book(booking_request("shp-2", harness.service))
    second = harness.carrier.book(booking_request("shp-2", harness.service))

    assert second.tracking_number == first.tracking_number
    assert harness.live_bookings("shp-2") == 1


def test_a_booking_whose_answer_was_lost_is_never_made_twice(harness: Harness) -> None:
    harness.fail_next("timeout_after", "book")
    with pytest.raises(CarrierUnavailable):
        harness.carrier.book(booking_request("shp-3", harness.service))

    found = harness.carrier.find_booking("shp-3")
    assert (found is not None) is harness.finds_after_timeout
    booking = found or harness.carrier.book(booking_request("shp-3", harness.service))

    assert booking.tracking_number
    assert harness.live_bookings("shp-3") == 1
    assert harness.carrier.book(booking_request("shp-3", harness.service)) == booking


@pytest.mark.parametrize("kind", ["timeout", "500"])
def test_a_carrier_that_does_not_answer_is_unavailable(harness: Harness, kind: str) -> None:
    harness.fail_next(kind, "quote")
    with pytest.raises(CarrierUnavailable):
        harness.carrier.quote(rate_request())

    harness.fail_next(kind, "book")
    with pytest.raises(CarrierUnavailable):
        harness.carrier.book(booking_request("shp-4", harness.service))
    assert harness.live_bookings("shp-4") == 0
    # The carrier is back: the booking goes through, once.
    assert harness.carrier.book(booking_request("shp-4", harness.service)).tracking_number
    assert harness.live_bookings("shp-4") == 1


def test_tracking_reports_what_happened_to_the_parcel(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-5", harness.service))
    harness.move(booking.tracking_number, _S.ASSIGNED)
    harness.move(booking.tracking_number, _S.IN_TRANSIT)

    updates = harness.carrier.track(booking.tracking_number)

    assert updates
    assert updates[-1].status is _S.IN_TRANSIT
    assert {u.tracking_number for u in updates} == {booking.tracking_number}
    assert {u.status for u in updates} <= {_S.ASSIGNED, _S.IN_TRANSIT}
    assert [u.occurred_at for u in updates] == sorted(u.occurred_at for u in updates)


def test_a_parcel_is_cancelled_before_pickup(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-6", harness.service))
    harness.move(booking.tracking_number, _S.ASSIGNED)

    harness.carrier.cancel(booking.tracking_number)

    assert harness.carrier.track(booking.tracking_number)[-1].status is _S.CANCELLED
    assert harness.live_bookings("shp-6") == 0


def test_a_parcel_picked_up_cannot_be_cancelled(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-7", harness.service))
    harness.move(booking.tracking_number, _S.PICKED_UP)

    with pytest.raises(CarrierError):
        harness.carrier.cancel(booking.tracking_number)
    assert harness.live_bookings("shp-7") == 1


@pytest.mark.parametrize("status", [_S.ASSIGNED, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY,
                                    _S.DELIVERED, _S.RETURNING, _S.RETURNED_TO_SENDER])
def test_a_webhook_the_carrier_sends_verifies_and_parses_to_our_status(
        harness: Harness, status: ShipmentStatus) -> None:
    booking = harness.carrier.book(booking_request("shp-8", harness.service))
    headers, body, token = harness.move(booking.tracking_number, status)

    assert harness.carrier.verify_webhook(headers, body, token)
    [update] = harness.carrier.parse_webhook(body)
    assert update.tracking_number == booking.tracking_number
    assert update.status is status
    assert update.carrier_status
    assert update.occurred_at.tzinfo is not None


def test_the_same_webhook_twice_has_one_dedupe_key_and_a_later_one_another(
        harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-9", harness.service))
    _, body, _ = harness.move(booking.tracking_number, _S.ASSIGNED)
    _, later, _ = harness.move(booking.tracking_number, _S.OUT_FOR_DELIVERY)

    [first] = harness.carrier.parse_webhook(body)
    [again] = harness.carrier.parse_webhook(body)
    [other] = harness.carrier.parse_webhook(later)
    assert first.dedupe_key == again.dedupe_key != other.dedupe_key


def test_a_forged_webhook_does_not_verify(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-10", harness.service))
    webhook = harness.move(booking.tracking_number, _S.DELIVERED)
    headers, body, token = harness.forge(webhook)

    assert not harness.carrier.verify_webhook(headers, body, token)
    assert not harness.carrier.verify_webhook({}, webhook[1], None)


def test_a_label_is_a_pdf(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-11", harness.service))

    label = harness.carrier.label(booking.tracking_number)

    assert label.tracking_number == booking.tracking_number
    assert label.format == "pdf"
    if label.content is not None:
        assert label.content.startswith(b"%PDF")
        assert booking.tracking_number.encode() in label.content
    else:
        assert label.url is not None
        assert label.url.startswith("https://")


def test_a_cancelled_booking_is_never_handed_back_as_live(harness: Harness) -> None:
    booking = harness.carrier.book(booking_request("shp-12", harness.service))
    harness.carrier.cancel(booking.tracking_number)

    try:
        again = harness.carrier.book(booking_request("shp-12", harness.service))
    except CarrierError:
        # GHN keeps a client order code for good: a new booking needs a new reference.
        assert harness.live_bookings("shp-12") == 0
    else:
        assert again.tracking_number != booking.tracking_number
        assert harness.live_bookings("shp-12") == 1
