"""PayPal: the CRC message vector, the token cache, VND refused before any request, and
webhook verification through PayPal's API (forged, tampered, stale and foreign deliveries)."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.memory import FrozenClock
from adapters.payments import PayPalCredentials, PayPalGateway, UnsupportedCurrency
from adapters.payments.paypal import amount_value, crc_message
from commerce_core.payment.errors import GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest
from commerce_core.shared.money import Money

VECTOR_BODY = (b'{"id":"WH-TEST-1","event_type":"PAYMENT.CAPTURE.COMPLETED",'
               b'"resource_type":"capture","resource":{"id":"2GG279541U471931P",'
               b'"status":"COMPLETED"}}')
NOW = datetime(2016, 2, 18, 20, 1, 40, tzinfo=UTC)


def test_crc_vector() -> None:
    assert zlib.crc32(VECTOR_BODY) & 0xFFFFFFFF == 708185074
    assert crc_message("69cd13f0-d67a-11e5-baa3-778b53f4ae55", "2016-02-18T20:01:35Z",
                       "1JE4291016473214C", VECTOR_BODY) == (
        "69cd13f0-d67a-11e5-baa3-778b53f4ae55|2016-02-18T20:01:35Z|1JE4291016473214C|708185074")


@pytest.mark.parametrize(("money", "value"), [
    (Money(1234, "USD"), {"currency_code": "USD", "value": "12.34"}),
    (Money(500, "JPY"), {"currency_code": "JPY", "value": "500"}),
    (Money(120000, "TWD"), {"currency_code": "TWD", "value": "1200"}),
])
def test_amounts_are_decimal_strings_in_paypals_decimals(money: Money,
                                                        value: dict[str, str]) -> None:
    assert amount_value(money) == value


def test_twd_cents_are_refused() -> None:
    with pytest.raises(UnsupportedCurrency):
        amount_value(Money(12345, "TWD"))


class PayPal:
    """A minimal PayPal: tokens that can be expired, and a verification verdict."""

    def __init__(self, verdict: str = "SUCCESS") -> None:
        self.requests: list[httpx.Request] = []
        self.tokens = 0
        self.valid: set[str] = set()
        self.verdict = verdict

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/v1/oauth2/token":
            self.tokens += 1
            token = f"A21-{self.tokens}"
            self.valid = {token}
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                             "expires_in": 32400})
        if request.headers["authorization"].removeprefix("Bearer ") not in self.valid:
            return httpx.Response(401, json={"name": "AUTHENTICATION_FAILURE",
                                             "message": "Authentication failed"})
        if request.url.path == "/v1/notifications/verify-webhook-signature":
            return httpx.Response(200, json={"verification_status": self.verdict})
        return httpx.Response(404, json={"name": "RESOURCE_NOT_FOUND"})


def _gateway(paypal: PayPal, clock: FrozenClock | None = None,
             max_age: timedelta | None = None) -> PayPalGateway:
    return PayPalGateway(httpx.Client(transport=httpx.MockTransport(paypal)),
                         credentials=PayPalCredentials("client", "s3cr3t", "1JE4291016473214C"),
                         clock=clock or FrozenClock(NOW), base_url="https://paypal.test",
                         return_url="https://shop.test/return", max_age=max_age)


HEADERS = {
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-360caa42",
    "PAYPAL-TRANSMISSION-ID": "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
    "PAYPAL-TRANSMISSION-SIG": "c2lnbmF0dXJl",
    "PAYPAL-TRANSMISSION-TIME": "2016-02-18T20:01:35Z",
}


def test_a_verified_webhook_is_translated() -> None:
    paypal = PayPal()

    event = _gateway(paypal).parse_webhook(HEADERS, VECTOR_BODY)

    assert (event.event_id, event.kind, event.reference) == (
        "WH-TEST-1", "captured", "2GG279541U471931P")
    sent = json.loads(paypal.requests[-1].content)
    assert sent["webhook_id"] == "1JE4291016473214C"
    assert sent["webhook_event"] == json.loads(VECTOR_BODY)


def test_a_webhook_paypal_does_not_verify_is_refused() -> None:
    with pytest.raises(InvalidWebhook):
        _gateway(PayPal(verdict="FAILURE")).parse_webhook(HEADERS, VECTOR_BODY)


@pytest.mark.parametrize("headers", [
    {k: v for k, v in HEADERS.items() if k != "PAYPAL-TRANSMISSION-SIG"},
    {**HEADERS, "PAYPAL-CERT-URL": "https://evil.test/cert.pem"},
    {**HEADERS, "PAYPAL-CERT-URL": "http://api.paypal.com/cert.pem"},
    {**HEADERS, "PAYPAL-TRANSMISSION-TIME": "yesterday"},
])
def test_incomplete_or_foreign_deliveries_are_refused_without_asking(
        headers: dict[str, str]) -> None:
    paypal = PayPal()

    with pytest.raises(InvalidWebhook):
        _gateway(paypal).parse_webhook(headers, VECTOR_BODY)
    assert paypal.requests == []


def test_a_stale_delivery_is_refused_when_an_age_is_set() -> None:
    clock = FrozenClock(NOW + timedelta(hours=2))

    with pytest.raises(InvalidWebhook):
        _gateway(PayPal(), clock, max_age=timedelta(hours=1)).parse_webhook(HEADERS,
                                                                             VECTOR_BODY)


def test_the_token_is_cached_and_fetched_again_once_on_401() -> None:
    paypal = PayPal()
    gateway = _gateway(paypal)
    gateway.parse_webhook(HEADERS, VECTOR_BODY)
    gateway.parse_webhook(HEADERS, VECTOR_BODY)
    assert paypal.tokens == 1

    paypal.valid = set()  # PayPal revoked the token early
    gateway.parse_webhook(HEADERS, VECTOR_BODY)

    assert paypal.tokens == 2


def test_the_token_is_renewed_before_it_expires() -> None:
    paypal, clock = PayPal(), FrozenClock(NOW)
    gateway = _gateway(paypal, clock)
    gateway.parse_webhook(HEADERS, VECTOR_BODY)

    clock.advance(timedelta(seconds=32400 - 30))
    gateway.parse_webhook(HEADERS, VECTOR_BODY)

    assert paypal.tokens == 2


def test_refused_credentials_do_not_leak_the_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    gateway = PayPalGateway(httpx.Client(transport=httpx.MockTransport(refuse)),
                            credentials=PayPalCredentials("client", "s3cr3t", "WH"),
                            clock=FrozenClock(NOW), base_url="https://paypal.test")

    with pytest.raises(GatewayUnavailable) as raised:
        gateway.parse_webhook(HEADERS, VECTOR_BODY)
    assert "s3cr3t" not in f"{raised.value} {raised.value.details} {gateway!r}"


def test_vnd_is_refused_before_any_request() -> None:
    paypal = PayPal()
    request = AuthorizationRequest("pay-1", "order-1", Money(199000, "VND"), "paypal", "k1")

    with pytest.raises(UnsupportedCurrency):
        _gateway(paypal).authorize(request)
    assert paypal.requests == []
