"""Redirect payments with the real VNPay, MoMo, PayPal and Stripe (3-D Secure) adapters over
HTTP, each talking to its provider double: for every ordering of {the shopper's return, the
provider's notification twice, a status query, the deadline} the order ends in one state, with
one sale or authorization at the provider and nothing leaked."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from itertools import permutations
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.memory import FrozenClock, SequentialIds, bundle
from adapters.payments import PayPalCredentials, PayPalGateway, VnpayCredentials, VnpayGateway
from adapters.payments.signatures import hmac_sha256_hex
from commerce_core import Commerce, Money, VariantSpec
from entrypoints.http import create_app
from tests.contract.payment_doubles import (
    MomoHarness,
    PayPalHarness,
    StripeHarness,
    VnpayHarness,
)
from tests.e2e.conftest import settings
from tests.e2e.tokens import shopper_client
from tests.shop import clock_of

SKU = "SILK-SCARF"
SIGNALS = ("return", "notify", "notify", "poll", "deadline")


class Provider:
    """A provider's page and its signals, as the shopper and the provider send them."""

    name: str
    currency = "VND"
    order_fields: ClassVar[Mapping[str, str]] = {}

    def __init__(self) -> None:
        self.reference = ""
        self.paid: dict[str, Any] = {}

    @property
    def gateway(self) -> Any:
        raise NotImplementedError

    def pay(self, url: str, *, approve: bool) -> None:
        raise NotImplementedError

    def notify(self, client: TestClient) -> httpx.Response:
        raise NotImplementedError

    def back(self, client: TestClient) -> httpx.Response:
        raise NotImplementedError

    def money_taken(self) -> int:
        """Sales or authorizations the provider holds for the shopper."""
        raise NotImplementedError


class Vnpay(Provider):
    name = "vnpay"

    def __init__(self) -> None:
        super().__init__()
        self.harness = VnpayHarness()
        self._gateway = VnpayGateway(
            self.harness.client(), credentials=VnpayCredentials("CCTEST01", "CONTRACTSECRET"),
            clock=self.harness.clock, payment_url="https://vnpay.test/paymentv2/vpcpay.html",
            api_url="https://vnpay.test/merchant_webapi/api/transaction",
            return_url="https://shop.test/payments/vnpay/return", max_age=timedelta(days=1))

    @property
    def gateway(self) -> Any:
        return self._gateway

    def pay(self, url: str, *, approve: bool) -> None:
        self.paid = self.harness.vnpay.pay(url, "00" if approve else "24")  # 24: cancelled

    def notify(self, client: TestClient) -> httpx.Response:
        answer: httpx.Response = client.get(
            f"/webhooks/payments/vnpay/ipn?{urlencode(self.paid)}")
        assert answer.json()["RspCode"] in ("00", "02"), answer.text  # recorded, or settled
        return answer

    def back(self, client: TestClient) -> httpx.Response:
        answer: httpx.Response = client.get(f"/payments/vnpay/return?{urlencode(self.paid)}")
        return answer

    def money_taken(self) -> int:
        return sum(1 for p in self.harness.vnpay.payments.values()
                   if p["vnp_TransactionStatus"] == "00")


class Momo(Provider):
    name = "momo"

    def __init__(self) -> None:
        super().__init__()
        self.harness = MomoHarness()

    @property
    def gateway(self) -> Any:
        return self.harness.gateway

    def pay(self, url: str, *, approve: bool) -> None:
        self.harness.momo.pay(self.reference, None if approve else 1006)  # 1006: refused
        self.paid = self.harness.momo.notification(
            self.reference, None, int(self.harness.clock.now().timestamp() * 1000))

    def notify(self, client: TestClient) -> httpx.Response:
        answer: httpx.Response = client.post(
            "/webhooks/payments/momo", content=json.dumps(self.paid),
            headers={"Content-Type": "application/json"})
        assert answer.status_code == 204, answer.text
        return answer

    def back(self, client: TestClient) -> httpx.Response:
        query = {k: str(v) for k, v in self.paid.items()}
        answer: httpx.Response = client.get(f"/payments/momo/return?{urlencode(query)}")
        return answer

    def money_taken(self) -> int:
        return self.harness.momo.held()


class Stripe(Provider):
    """A card that asks for 3-D Secure: the shopper authenticates in Stripe.js (the intent's
    `use_stripe_sdk` action), Stripe tells the shop by webhook, the shop may retrieve it."""

    name = "stripe"
    order_fields: ClassVar[Mapping[str, str]] = {
        "payment_token": "pm_card_threeDSecure2Required"}

    def __init__(self) -> None:
        super().__init__()
        self.harness = StripeHarness()
        self.harness.stripe.require_action_next = True
        self.outcome: bool | None = None

    @property
    def gateway(self) -> Any:
        return self.harness.gateway

    def pay(self, url: str, *, approve: bool) -> None:
        self.harness.stripe.authenticate(self.reference, approve=approve)
        self.outcome = approve

    def notify(self, client: TestClient) -> httpx.Response:
        if self.outcome is None:
            return httpx.Response(200)
        kind = ("payment_intent.amount_capturable_updated" if self.outcome
                else "payment_intent.payment_failed")
        intent = self.harness.stripe.intents[self.reference]
        body = json.dumps({"id": "evt_3ds_1", "object": "event", "type": kind,
                           "data": {"object": {"id": self.reference, "status": intent["status"],
                                               "amount_capturable": intent["amount_capturable"],
                                               "currency": "vnd"}}}).encode()
        t = int(self.harness.clock.now().timestamp())
        signature = hmac_sha256_hex(self.harness.secret, f"{t}.{body.decode()}")
        answer: httpx.Response = client.post(
            "/webhooks/payments/stripe", content=body,
            headers={"Stripe-Signature": f"t={t},v1={signature}"})
        assert answer.status_code == 200, answer.text
        return answer

    def back(self, client: TestClient) -> httpx.Response:
        answer: httpx.Response = client.get("/payments/stripe/return",
                                            params={"payment_intent": self.reference})
        return answer

    def money_taken(self) -> int:
        return self.harness.stripe.held()


class PayPal(Provider):
    name = "paypal"
    currency = "USD"

    def __init__(self) -> None:
        super().__init__()
        self.harness = PayPalHarness()
        self.approved = False
        self._gateway = PayPalGateway(
            self.harness.client(),
            credentials=PayPalCredentials("client-id", "client-secret", "WH-1"),
            clock=self.harness.clock, base_url="https://paypal.test",
            return_url="https://shop.test/payments/paypal/return", max_age=timedelta(hours=1))

    @property
    def gateway(self) -> Any:
        return self._gateway

    def pay(self, url: str, *, approve: bool) -> None:
        if approve:  # a shopper who does not approve just leaves PayPal's page
            self.harness.paypal.approve(self.reference)
            self.approved = True

    def notify(self, client: TestClient) -> httpx.Response:
        if not self.approved:
            return httpx.Response(200)  # PayPal tells nothing of an order left unapproved
        body = json.dumps({"id": "WH-APPROVED-1", "event_type": "CHECKOUT.ORDER.APPROVED",
                           "resource_type": "checkout-order",
                           "resource": {"id": self.reference, "status": "APPROVED"}},
                          separators=(",", ":")).encode()
        sent = self.harness.clock.now() - timedelta(seconds=5)
        answer: httpx.Response = client.post(
            "/webhooks/payments/paypal", content=body,
            headers=self.harness.paypal.sign_delivery(body, sent))
        assert answer.status_code == 200, answer.text
        return answer

    def back(self, client: TestClient) -> httpx.Response:
        answer: httpx.Response = client.get(
            "/payments/paypal/return", params={"token": self.reference, "PayerID": "BUYER1"})
        return answer

    def money_taken(self) -> int:
        return self.harness.paypal.held()


PROVIDERS: dict[str, Callable[[], Provider]] = {"vnpay": Vnpay, "momo": Momo, "paypal": PayPal,
                                                "stripe": Stripe}


def _shop(provider: Provider) -> tuple[Commerce, TestClient]:
    commerce = Commerce(bundle(gateway=provider.gateway, clock=FrozenClock(),
                               ids=SequentialIds()))
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    price = Money(199_000, "VND") if provider.currency == "VND" else Money(1_990, "USD")
    commerce.catalog.create_product("Silk scarf", "silk-scarf", [VariantSpec(SKU, price)],
                                    publish=True)
    commerce.inventory.set_stock(SKU, "HCM", 3)
    # The shopper's address is the connection's: VNPay requires it.
    return commerce, shopper_client(create_app(commerce, settings()), client=("203.0.113.7", 50123))


def _place(provider: Provider, commerce: Commerce, client: TestClient) -> dict[str, Any]:
    cart = client.post("/carts", json={"currency": provider.currency}).json()["id"]
    added = client.post(f"/carts/{cart}/items", json={"sku": SKU, "quantity": 1})
    assert added.status_code in (200, 201), added.text
    placed = client.post("/orders", json={"cart_id": cart, "payment_method": "e_wallet",
                                          **provider.order_fields},
                         headers={"Idempotency-Key": f"{provider.name}-1"})
    assert placed.status_code == 201, placed.text
    body: dict[str, Any] = placed.json()
    assert body["status"] == "pending"
    [payment] = commerce.payments.for_order(body["order_id"])
    assert payment.reference is not None
    provider.reference = payment.reference
    return body


@pytest.mark.parametrize("name", list(PROVIDERS))
@pytest.mark.parametrize("approve", [True, False], ids=["pays", "does-not-pay"])
def test_every_ordering_of_a_providers_signals_ends_in_one_outcome(
    name: str, approve: bool,
) -> None:
    outcomes = set()
    for ordering in sorted(set(permutations(SIGNALS))):
        provider = PROVIDERS[name]()
        commerce, client = _shop(provider)
        body = _place(provider, commerce, client)
        # Stripe's 3-D Secure runs in Stripe.js on the shop's page: no URL to send them to.
        assert body["payment_url"] or name == "stripe"
        provider.pay(body["payment_url"], approve=approve)

        for signal in ordering:
            if signal == "notify":
                provider.notify(client)
            elif signal == "return":
                assert provider.back(client).status_code == 200
            elif signal == "poll":
                commerce.checkout.settle_payment(name, provider.reference)
            else:
                clock_of(commerce).advance(timedelta(minutes=13))  # e-wallets: 15 min of stock
                commerce.checkout.recover()

        order = client.get(f"/orders/{body['order_id']}").json()
        outcomes.add(order["status"])
        assert provider.money_taken() == (1 if approve else 0), ordering
        assert commerce.inventory.levels(SKU)[0].reserved == (1 if approve else 0), ordering
        [payment] = commerce.payments.for_order(body["order_id"])
        assert payment.status in (("authorized",) if approve else ("failed", "expired")), ordering

    assert outcomes == {"confirmed" if approve else "cancelled"}


def test_a_vnpay_sale_made_after_the_deadline_is_refunded_in_full() -> None:
    provider = Vnpay()
    commerce, client = _shop(provider)
    body = _place(provider, commerce, client)
    clock_of(commerce).advance(timedelta(minutes=16))  # e-wallets: 15 min of stock
    commerce.checkout.recover()
    assert client.get(f"/orders/{body['order_id']}").json()["status"] == "cancelled"

    provider.pay(body["payment_url"], approve=True)  # the shopper pays anyway, late
    first = provider.notify(client)
    again = provider.notify(client)

    [payment] = commerce.payments.for_order(body["order_id"])
    assert first.json()["RspCode"] == "00"
    assert again.json()["RspCode"] == "02"  # settled: VNPay stops retrying
    assert payment.status.value == "refunded"
    assert [(t.kind.value, t.status.value) for t in payment.transactions] == [
        ("expire", "succeeded"), ("capture", "succeeded"), ("refund", "succeeded")]
    assert len(provider.harness.vnpay.applied("refund")) == 1
    assert client.get(f"/orders/{body['order_id']}").json()["status"] == "cancelled"
    assert commerce.inventory.levels(SKU)[0].reserved == 0
