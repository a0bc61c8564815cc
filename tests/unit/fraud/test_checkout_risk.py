"""The risk check in checkout (spec payment §6, scenarios 18-20): allow goes on unchanged, review
authorizes and holds the capture until staff decide, block fails before the gateway with the
stock given back; GeoIP fails open; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from adapters.memory import FrozenClock, InMemoryGeoIp, ScriptedPaymentGateway, SequentialIds
from adapters.memory import bundle as memory_bundle
from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.errors import CheckoutFailed
from commerce_core.fraud.errors import (
    AssessmentNotFound,
    CaptureHeld,
    FraudBlocked,
    InvalidRiskInput,
    NotUnderReview,
)
from commerce_core.fraud.model import Decision, ReviewStatus
from commerce_core.fraud.ports import Anonymity
from commerce_core.fraud.services import FraudPolicy
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.model import PaymentStatus
from commerce_core.pricing.ports import TaxDestination
from commerce_core.shared.cards import CardNumberRefused
from tests.shop import (
    MUG,
    SimulatedCrash,
    assert_nothing_leaked,
    cart_with,
    clock_of,
    events_of,
    gateway_of,
    stock_shop,
)

VPN_IN_VN = "198.51.100.7"  # a VPN exit in Vietnam
PLAIN_IN_VN = "198.51.100.200"
GEO = InMemoryGeoIp({"198.51.100.0/24": "VN"},
                    {"198.51.100.0/25": Anonymity(vpn=True, network="198.51.100.0/25")})


def shop(geoip: InMemoryGeoIp | None = GEO, **kwargs: object) -> Commerce:
    ports = memory_bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                          ids=SequentialIds())
    commerce = Commerce(attrs.evolve(ports, geoip=geoip), **kwargs)  # type: ignore[arg-type]
    stock_shop(commerce, mugs=100)
    return commerce


def place(commerce: Commerce, **fields: object) -> str:
    cart_id = cart_with(commerce, (MUG, 1))
    placed = commerce.handle(PlaceOrder(cart_id, **fields))  # type: ignore[arg-type]
    return str(placed.order_id)


def signal(commerce: Commerce, order_id: str, name: str) -> tuple[int, bool, str]:
    (found,) = [s for s in commerce.fraud.assessment(order_id).signals if s.name == name]
    return found.points, found.available, found.explanation


def test_a_vpn_whose_country_differs_from_billing_is_reviewed_and_its_capture_held() -> None:
    commerce = shop()

    order_id = place(commerce, client_ip=VPN_IN_VN, billing_country="GB")

    assessment = commerce.fraud.assessment(order_id)
    assert (assessment.score, assessment.decision) == (50, Decision.REVIEW)  # 30 + 20
    assert signal(commerce, order_id, "anonymous_ip")[0] == 30
    assert signal(commerce, order_id, "ip_country_mismatch") == (
        20, True, "IP country VN differs from billing country GB")
    assert commerce.orders.get(order_id).status is OrderStatus.CONFIRMED
    (payment,) = commerce.payments.for_order(order_id)
    assert payment.status is PaymentStatus.AUTHORIZED
    with pytest.raises(CaptureHeld):
        commerce.payments.capture(order_id)
    assert ("capture", f"payment:{payment.id}:capture") not in gateway_of(commerce).calls
    assert [a.order_id for a in commerce.fraud.reviews()] == [order_id]


def test_approving_a_review_lets_the_capture_proceed() -> None:
    commerce = shop()
    order_id = place(commerce, client_ip=VPN_IN_VN, billing_country="GB")

    commerce.fraud.approve(order_id, reviewed_by="ops", note="called the buyer")
    commerce.fraud.approve(order_id, reviewed_by="ops")  # a repeated request changes nothing
    commerce.payments.capture(order_id)

    assert commerce.orders.get(order_id).status is OrderStatus.PAID
    assert commerce.fraud.assessment(order_id).review is ReviewStatus.APPROVED
    assert commerce.fraud.reviews() == []
    assert [e["reviewed_by"] for e in events_of(commerce, "fraud.review_approved")] == ["ops"]
    with pytest.raises(NotUnderReview):
        commerce.fraud.reject(order_id)


def test_rejecting_a_review_cancels_the_order_voids_and_releases_the_stock() -> None:
    commerce = shop()
    order_id = place(commerce, client_ip=VPN_IN_VN, billing_country="GB")
    (payment,) = commerce.payments.for_order(order_id)

    commerce.fraud.reject(order_id, reviewed_by="ops", note="stolen card")

    order = commerce.orders.get(order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "fraud.rejected")
    assert commerce.payments.for_order(order_id)[0].status is PaymentStatus.VOIDED
    assert ("void", payment.idempotency_key) in gateway_of(commerce).calls
    assert commerce.inventory.available(MUG) == 100
    assert_nothing_leaked(commerce)
    with pytest.raises(NotUnderReview):
        commerce.fraud.approve(order_id)
    with pytest.raises(CaptureHeld):
        commerce.payments.capture(order_id)


def test_a_blocked_order_fails_before_the_gateway_and_gives_everything_back() -> None:
    commerce = shop(fraud_policy=FraudPolicy(high_risk_countries={"GB"}))
    for _ in range(10):
        place(commerce, client_ip=VPN_IN_VN, billing_country="GB")  # 75 each: reviewed
    authorizations = len(gateway_of(commerce).calls)
    cart_id = cart_with(commerce, (MUG, 1))

    with pytest.raises(FraudBlocked) as refused:
        commerce.handle(PlaceOrder(cart_id, client_ip=VPN_IN_VN, billing_country="GB",
                                   idempotency_key="k-blocked"))

    order_id = refused.value.details["order_id"]
    assessment = commerce.fraud.assessment(order_id)
    assert (assessment.score, assessment.decision) == (100, Decision.BLOCK)  # 30+20+25+25
    assert signal(commerce, order_id, "velocity")[2] == "11 by this IP in 24 h (limit 10)"
    assert "score" not in refused.value.message
    assert len(gateway_of(commerce).calls) == authorizations  # no authorize, no void
    order = commerce.orders.get(order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "fraud.blocked")
    (payment,) = commerce.payments.for_order(order_id)
    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, "fraud.blocked")
    assert commerce.cart.get(cart_id).status == "active"
    assert commerce.inventory.available(MUG) == 90
    assert_nothing_leaked(commerce)
    with pytest.raises(CheckoutFailed) as replayed:  # the same request again: its outcome
        commerce.handle(PlaceOrder(cart_id, client_ip=VPN_IN_VN, billing_country="GB",
                                   idempotency_key="k-blocked"))
    assert replayed.value.details["failure_code"] == "fraud.blocked"


def test_an_email_domain_on_the_blocklist_blocks_whatever_else() -> None:
    commerce = shop(geoip=None, fraud_policy=FraudPolicy(
        blocked_email_domains={"fraud.example"}))

    with pytest.raises(FraudBlocked):
        place(commerce, email="Someone@Mail.Fraud.Example")

    (blocked,) = events_of(commerce, "fraud.risk_assessed")
    assert (blocked["score"], blocked["decision"]) == (100, "block")
    assert_nothing_leaked(commerce)


def test_a_checkout_blocked_then_interrupted_is_compensated_by_the_worker() -> None:
    commerce = shop(geoip=None, fraud_policy=FraudPolicy(blocked_networks=("203.0.113.0/24",)))

    def crash(point: str) -> None:
        if point == "order_created":
            raise SimulatedCrash(point)

    commerce.checkout_runner.probe = crash
    with pytest.raises(SimulatedCrash):
        place(commerce, client_ip="203.0.113.5")
    commerce.checkout_runner.probe = lambda point: None
    clock_of(commerce).advance(timedelta(minutes=5))

    outcome = commerce.checkout.recover()

    assert outcome == {"completed": 0, "compensated": 1, "retry_later": 0}
    assert gateway_of(commerce).calls == []
    assert_nothing_leaked(commerce)


def test_a_geoip_that_times_out_adds_nothing_and_the_gap_is_recorded() -> None:
    commerce = shop(geoip=InMemoryGeoIp(failing=TimeoutError("GeoIP took too long")))

    order_id = place(commerce, client_ip=VPN_IN_VN, billing_country="GB")

    assessment = commerce.fraud.assessment(order_id)
    assert assessment.decision is Decision.ALLOW
    assert signal(commerce, order_id, "anonymous_ip") == (
        0, False, "anonymous-IP lookup failed (TimeoutError)")
    assert signal(commerce, order_id, "ip_country_mismatch") == (
        0, False, "GeoIP country lookup failed (TimeoutError)")
    assert commerce.orders.get(order_id).status is OrderStatus.CONFIRMED


def test_the_eleventh_payment_of_one_email_in_a_day_has_the_velocity_factor() -> None:
    commerce = shop(geoip=None)
    for _ in range(10):
        place(commerce, email="a@example.com")
        clock_of(commerce).advance(timedelta(hours=1))

    tenth_again = place(commerce, email="A@example.com")
    clock_of(commerce).advance(timedelta(hours=16))  # the first two left the window
    twelfth = place(commerce, email="a@example.com")

    assert signal(commerce, tenth_again, "velocity") == (
        25, True, "11 by this email in 24 h (limit 10)")
    assert signal(commerce, twelfth, "velocity")[0] == 0


def test_at_defaults_without_geoip_an_order_goes_on_as_before_and_says_what_it_lacked() -> None:
    commerce = shop(geoip=None)

    first = place(commerce, email="new@example.com")
    second = place(commerce, email="new@example.com", client_ip=PLAIN_IN_VN,
                   destination=TaxDestination("VN"), billing_country="US")

    assert commerce.fraud.assessment(first).score == 10  # a first order of this email
    assert signal(commerce, first, "anonymous_ip") == (0, False, "no client IP given")
    assert signal(commerce, second, "anonymous_ip") == (
        0, False, "no anonymous-IP database configured")
    assert signal(commerce, second, "address_mismatch")[0] == 10
    assert signal(commerce, second, "new_customer") == (0, True, "1 earlier order(s) of this "
                                                                 "email")
    assert commerce.fraud.explain(second)[0] == "score 10/100: allow"
    for order_id in (first, second):
        commerce.payments.capture(order_id)
        assert commerce.orders.get(order_id).status is OrderStatus.PAID


def test_an_order_far_above_the_emails_average_is_unusual() -> None:
    commerce = shop(geoip=None)
    place(commerce, email="a@example.com")  # one mug

    cart_id = cart_with(commerce, (MUG, 5))
    placed = commerce.handle(PlaceOrder(cart_id, email="a@example.com"))

    assert signal(commerce, placed.order_id, "unusual_amount")[0] == 15


@pytest.mark.parametrize(("field", "value", "error"), [
    ("client_ip", "not-an-address", InvalidRiskInput),
    # A real card number is refused by the bus before checkout; any long run of digits by the
    # risk check (a fingerprint is never a number).
    ("card_fingerprint", "4111 1111 1111 1111", CardNumberRefused),
    ("card_fingerprint", "4111 1111 1111 1112", InvalidRiskInput),
    ("billing_country", "Vietnam", InvalidRiskInput),
])
def test_bad_risk_input_is_refused_before_anything_is_written(
    field: str, value: str, error: type[Exception],
) -> None:
    commerce = shop()
    cart_id = cart_with(commerce, (MUG, 1))

    with pytest.raises(error):
        commerce.handle(PlaceOrder(cart_id, **{field: value}))  # type: ignore[arg-type]

    assert commerce.orders.list() == []
    assert commerce.cart.get(cart_id).status == "active"
    assert events_of(commerce, "fraud.risk_assessed") == []


def test_a_card_fingerprint_is_kept_only_as_a_digest_and_counts_across_emails() -> None:
    commerce = shop(geoip=None, fraud_policy=FraudPolicy(velocity_limit=1))
    place(commerce, email="a@example.com", card_fingerprint="fp_Abc123")

    second = place(commerce, email="b@example.com", card_fingerprint="fp_Abc123")

    stored = commerce.fraud.assessment(second)
    assert stored.card_hash is not None
    assert "fp_Abc123" not in stored.card_hash
    assert signal(commerce, second, "velocity")[2] == "2 by this card in 24 h (limit 1)"


def test_a_shop_that_turns_the_risk_check_off_stores_nothing() -> None:
    commerce = shop(fraud_policy=FraudPolicy(enabled=False))

    order_id = place(commerce, client_ip=VPN_IN_VN, billing_country="GB")

    with pytest.raises(AssessmentNotFound):
        commerce.fraud.assessment(order_id)
    commerce.payments.capture(order_id)
    assert commerce.orders.get(order_id).status is OrderStatus.PAID
