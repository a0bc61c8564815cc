"""PayPal webhooks verified offline, over HTTP: a delivery signed by PayPal's certificate (made
in memory by the sandbox, chained to a root the shop trusts) moves the order on, the
certificate is fetched once; a forged delivery, or one whose certificate the shop does not
trust, answers 400 and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient

from adapters.payments import PayPalCredentials, PayPalGateway
from adapters.payments.sandbox import NOW, PayPalDouble, PayPalPki
from commerce_core import Commerce
from tests.contract.payment_doubles import PayPalOfflineHarness
from tests.e2e.test_http_redirect_providers import PayPal, Provider, _place, _shop


class PayPalOffline(PayPal):
    def __init__(self, *, trusted: PayPalPki | None = None) -> None:
        Provider.__init__(self)
        self.harness = PayPalOfflineHarness()
        self.approved = False
        roots = [trusted.root] if trusted is not None else self.harness.trusted
        self._gateway = PayPalGateway(
            self.harness.client(),
            credentials=PayPalCredentials("client-id", "client-secret", "WH-1"),
            clock=self.harness.clock, base_url="https://paypal.test",
            return_url="https://shop.test/payments/paypal/return", max_age=timedelta(hours=1),
            trust_roots=roots)

    def delivery(self, *, forged: bool = False) -> tuple[bytes, dict[str, str]]:
        body = json.dumps({"id": "WH-APPROVED-1", "event_type": "CHECKOUT.ORDER.APPROVED",
                           "resource_type": "checkout-order",
                           "resource": {"id": self.reference, "status": "APPROVED"}},
                          separators=(",", ":")).encode()
        sent = self.harness.clock.now() - timedelta(seconds=5)
        return body, self.harness.paypal.sign_delivery(body, sent, forged=forged)

    def certificate_fetches(self) -> int:
        return sum(1 for r in self.harness.paypal.requests
                   if r.url.path == PayPalDouble.CERT_PATH)


def _ordered(provider: PayPalOffline) -> tuple[Commerce, TestClient, str]:
    commerce, client = _shop(provider)
    order_id = str(_place(provider, commerce, client)["order_id"])
    provider.pay("", approve=True)
    return commerce, client, order_id


def test_a_delivery_signed_by_paypals_certificate_confirms_the_order() -> None:
    provider = PayPalOffline()
    _, client, order_id = _ordered(provider)

    for _ in range(2):
        body, headers = provider.delivery()
        answer = client.post("/webhooks/payments/paypal", content=body, headers=headers)
        assert answer.status_code == 200, answer.text

    assert client.get(f"/orders/{order_id}").json()["status"] == "confirmed"
    assert provider.money_taken() == 1
    assert provider.certificate_fetches() == 1
    assert not any(r.url.path == "/v1/notifications/verify-webhook-signature"
                   for r in provider.harness.paypal.requests)


def _refused(provider: PayPalOffline, *, forged: bool) -> None:
    commerce, client, order_id = _ordered(provider)
    body, headers = provider.delivery(forged=forged)

    answer: httpx.Response = client.post("/webhooks/payments/paypal", content=body,
                                         headers=headers)

    assert answer.status_code == 400
    assert answer.json()["code"] == "payment.invalid_webhook"
    assert client.get(f"/orders/{order_id}").json()["status"] == "pending"
    [payment] = commerce.payments.for_order(order_id)
    assert payment.status not in ("authorized", "captured")
    assert provider.money_taken() == 0  # PayPal holds nothing: the order was never authorized


def test_a_forged_delivery_answers_400_and_changes_nothing() -> None:
    _refused(PayPalOffline(), forged=True)


def test_a_delivery_whose_certificate_the_shop_does_not_trust_answers_400() -> None:
    _refused(PayPalOffline(trusted=PayPalPki.make(NOW, root_slot=1)), forged=False)
