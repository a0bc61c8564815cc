"""Provider answers altered on their way (at the HTTP boundary, against the sandboxes): VNPay's
`querydr` and refund answers are believed only when their signature verifies; nothing is
assumed to have moved on an answer that does not."""

from __future__ import annotations

import pytest

from commerce_core.payment.errors import GatewayUnavailable
from commerce_core.shared.money import Money
from tests.contract.payment_doubles import VnpayHarness


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
