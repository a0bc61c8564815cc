"""Provider answers altered on their way (at the HTTP boundary, against the sandboxes): VNPay's
`querydr` and refund answers are believed only when their signature verifies, MoMo's only when
they repeat their request (MoMo documents no signature on its answers); nothing is assumed to
have moved on an answer that does not."""

from __future__ import annotations

import pytest

from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable
from commerce_core.shared.money import Money
from tests.contract.payment_doubles import MomoHarness, VnpayHarness


def _paid(harness: VnpayHarness) -> tuple[str, Money]:
    request = harness.request("order-1:authorize")
    started = harness.redirect.authorize(request)
    assert started.redirect_url
    assert started.reference
    harness.vnpay.pay(started.redirect_url)
    return started.reference, request.amount


@pytest.mark.parametrize("altered", [
    {"vnp_TransactionStatus": "00"},          # an unpaid sale shown as paid
    {"vnp_SecureHash": "0" * 128},            # a forged signature
    {"vnp_Amount": "1"},                      # another amount under the genuine signature
])
def test_a_querydr_answer_that_does_not_verify_is_no_answer(altered: dict[str, str]) -> None:
    harness = VnpayHarness()
    request = harness.request("order-1:authorize")
    started = harness.redirect.authorize(request)
    assert started.redirect_url
    assert started.reference
    harness.vnpay.pay(started.redirect_url, "51")  # declined at VNPay
    harness.vnpay.tamper["querydr"] = altered

    with pytest.raises(GatewayUnavailable, match="does not verify"):
        harness.redirect.complete(started.reference, "order-1:complete")

    # Nothing was remembered from it: asking again reads VNPay's genuine answer.
    again = harness.redirect.complete(started.reference, "order-1:complete")
    assert not again.approved
    assert not again.pending


def test_a_capture_on_an_altered_querydr_answer_raises() -> None:
    harness = VnpayHarness()
    reference, amount = _paid(harness)
    harness.vnpay.tamper["querydr"] = {"vnp_Amount": str(amount.amount * 100 + 100)}

    with pytest.raises(GatewayUnavailable, match="does not verify"):
        harness.gateway.capture(reference, amount, "order-1:capture")


@pytest.mark.parametrize("altered", [
    {"vnp_ResponseCode": "95"},               # a made refund shown as refused
    {"vnp_SecureHash": "f" * 128},
])
def test_a_refund_answer_that_does_not_verify_leaves_the_refund_pending(
        altered: dict[str, str]) -> None:
    harness = VnpayHarness()
    reference, amount = _paid(harness)
    harness.vnpay.tamper["refund"] = altered

    result = harness.gateway.refund(reference, amount, "refund-1")

    assert (result.approved, result.pending, result.decline_code) == (False, True, None)
    assert result.message == "refund answer did not verify"
    assert len(harness.vnpay.applied("refund")) == 1  # made at VNPay; unknown here
    retried = harness.gateway.refund(reference, amount, "refund-1")
    assert retried.pending  # the same request id: VNPay says it is in progress
    assert len(harness.vnpay.applied("refund")) == 1


def test_a_genuine_refund_answer_completes_the_refund() -> None:
    harness = VnpayHarness()
    reference, amount = _paid(harness)

    assert harness.gateway.refund(reference, amount, "refund-1").approved


# -- MoMo -----------------------------------------------------------------------------------


@pytest.mark.parametrize("altered", [
    {"orderId": "CCsomeoneelse"},
    {"requestId": "CCsomeoneelse"},
    {"partnerCode": "OTHERPARTNER"},
    {"amount": 1_000},
    {"payUrl": "http://test-payment.momo.test/pay"},
    {"payUrl": None},
])
def test_a_create_answer_that_does_not_match_is_the_provider_unavailable(
        altered: dict[str, object]) -> None:
    harness = MomoHarness()
    harness.momo.tamper["create"] = altered

    with pytest.raises(GatewayUnavailable, match="MoMo"):
        harness.redirect.authorize(harness.request("order-1:authorize"))


def test_after_an_altered_create_answer_nothing_is_remembered() -> None:
    harness = MomoHarness()
    harness.momo.tamper["create"] = {"orderId": "CCsomeoneelse"}
    request = harness.request("order-1:authorize")
    with pytest.raises(GatewayUnavailable):
        harness.redirect.authorize(request)

    # Asked again, MoMo knows the payment (41) and the query tells where it stands.
    again = harness.redirect.authorize(request)
    assert again.pending
    assert again.redirect_url is None  # no payment page was ever shown from the forged answer


def test_a_genuine_create_answer_sends_the_shopper_to_momo() -> None:
    harness = MomoHarness()

    started = harness.redirect.authorize(harness.request("order-1:authorize"))

    assert started.pending
    assert started.redirect_url == f"https://test-payment.momo.test/pay?t={started.reference}"


def test_a_query_answer_for_another_payment_is_no_answer() -> None:
    harness = MomoHarness()
    started = harness.redirect.authorize(harness.request("order-1:authorize"))
    assert started.reference
    harness.momo.pay(started.reference)
    harness.momo.tamper["query"] = {"orderId": "CCsomeoneelse"}

    with pytest.raises(GatewayUnavailable, match="does not match"):
        harness.redirect.complete(started.reference, "order-1:complete")


@pytest.mark.parametrize("operation", ["confirm", "refund"])
def test_a_capture_or_refund_answer_that_does_not_match_leaves_the_outcome_unknown(
        operation: str) -> None:
    harness = MomoHarness()
    request = harness.request("order-1:authorize")
    authorized = harness.obtain(request)
    assert authorized.approved
    assert authorized.reference
    if operation == "refund":
        assert harness.gateway.capture(authorized.reference, request.amount,
                                       "order-1:capture").approved
    harness.momo.tamper[operation] = {"requestId": "CCsomeoneelse"}
    call = harness.gateway.capture if operation == "confirm" else harness.gateway.refund

    with pytest.raises(GatewayTimeout, match="does not match"):
        call(authorized.reference, request.amount, f"order-1:{operation}")
    assert len(harness.momo.applied("capture" if operation == "confirm" else "refund")) == 1
