"""Stripe's webhook signature recipe against Stripe's public vector, and the ways a delivery
is refused: forged, tampered, stale, replayed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from adapters.memory import FrozenClock
from adapters.payments.signatures import hmac_sha256_hex
from adapters.payments.stripe import StripeGateway, form_fields, verify_signature
from commerce_core.payment.errors import InvalidWebhook
from commerce_core.shared.money import Money

SECRET = "whsec_test_secret"
T = 1700000000
BODY = b'{"id":"evt_test_webhook","object":"event","type":"payment_intent.succeeded"}'
V1 = "130dc37d5a27b1b232a61e4f2ff00ed245f498112c11e8b747aff3d0fb754056"
HEADER = f"t={T},v1={V1}"


def test_vector_s1_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    assert hmac_sha256_hex(SECRET, f"{T}.{BODY.decode()}") == V1


@pytest.mark.parametrize("now", [T, T + 1, T + 300])
def test_vector_s1_verifies_within_300_seconds(now: int) -> None:
    assert verify_signature(HEADER, BODY, SECRET, now=now) == T


def test_vector_s1_fails_at_301_seconds() -> None:
    with pytest.raises(InvalidWebhook):
        verify_signature(HEADER, BODY, SECRET, now=T + 301)


def test_a_timestamp_in_the_future_is_accepted() -> None:
    assert verify_signature(HEADER, BODY, SECRET, now=T - 3600) == T


def test_any_v1_may_match_and_v0_is_ignored() -> None:
    header = f"t={T},v0={V1},v1={'0' * 64},v1={V1},x1=unknown"

    assert verify_signature(header, BODY, SECRET, now=T) == T


@pytest.mark.parametrize("header", [
    f"t={T},v1={'0' * 64}",                      # forged
    f"t={T},v0={V1}",                            # only the legacy scheme
    f"v1={V1}",                                  # no timestamp
    f"t=soon,v1={V1}",                           # malformed timestamp
    f"t={T + 1},v1={V1}",                        # timestamp changed after signing
    "",
])
def test_forged_or_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(InvalidWebhook):
        verify_signature(header, BODY, SECRET, now=T)


def test_a_tampered_body_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        verify_signature(HEADER, BODY.replace(b"succeeded", b"canceled"), SECRET, now=T)


def test_another_endpoint_secret_does_not_verify() -> None:
    with pytest.raises(InvalidWebhook):
        verify_signature(HEADER, BODY, "whsec_other", now=T)


def _gateway(now: int) -> StripeGateway:
    clock = FrozenClock(datetime.fromtimestamp(now, UTC))
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    return StripeGateway(client, api_key="sk_test_x", webhook_secret=SECRET, clock=clock)


def _signed(body: bytes, t: int = T) -> dict[str, str]:
    return {"Stripe-Signature": f"t={t},v1={hmac_sha256_hex(SECRET, f'{t}.{body.decode()}')}"}


EVENT = json.dumps({"id": "evt_1", "type": "payment_intent.amount_capturable_updated",
                    "data": {"object": {"id": "pi_1", "amount_capturable": 199000,
                                        "currency": "vnd"}}}).encode()


def test_a_delivery_replayed_within_the_tolerance_names_the_same_event() -> None:
    """A replay inside the window translates to the same event id, which the inbox dedups."""
    gateway = _gateway(T + 10)

    assert gateway.parse_webhook(_signed(EVENT), EVENT) == gateway.parse_webhook(
        _signed(EVENT), EVENT)


def test_a_delivery_replayed_after_the_tolerance_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        _gateway(T + 301).parse_webhook(_signed(EVENT), EVENT)


def test_a_signature_replayed_onto_another_body_is_refused() -> None:
    other = EVENT.replace(b"pi_1", b"pi_2")

    with pytest.raises(InvalidWebhook):
        _gateway(T).parse_webhook(_signed(EVENT), other)


def test_a_verified_event_is_translated() -> None:
    event = _gateway(T).parse_webhook(_signed(EVENT), EVENT)

    assert (event.event_id, event.kind, event.reference, event.amount) == (
        "evt_1", "authorized", "pi_1", Money(199000, "VND"))


def test_a_partial_refund_is_told_apart_from_a_full_one() -> None:
    body = json.dumps({"id": "evt_2", "type": "charge.refunded", "data": {"object": {
        "id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 500, "refunded": False,
        "currency": "usd"}}}).encode()

    event = _gateway(T).parse_webhook(_signed(body), body)

    assert (event.kind, event.reference, event.amount) == (
        "partially_refunded", "pi_1", Money(500, "USD"))


def test_a_verified_event_without_its_object_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        _gateway(T).parse_webhook({"Stripe-Signature": HEADER}, BODY)


def test_form_fields_follow_stripes_bracket_encoding() -> None:
    assert form_fields({"amount": 5, "confirm": True, "metadata": {"order_id": "o1"},
                        "skip": None}) == [
        ("amount", "5"), ("confirm", "true"), ("metadata[order_id]", "o1")]
