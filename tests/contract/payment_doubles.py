"""Harnesses for the gateway contract suite: each builds the adapter under test against its
provider sandbox (`adapters.payments.sandbox`), plays the shopper (approving on PayPal, paying on
VNPay or MoMo) and the provider's webhooks, and tells what the provider holds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from adapters.memory import FrozenClock, Outcome, ScriptedPaymentGateway
from adapters.payments import (
    MomoCredentials,
    MomoGateway,
    PayPalCredentials,
    PayPalGateway,
    StripeGateway,
    VnpayCredentials,
    VnpayGateway,
)
from adapters.payments.momo import (
    momo_id,
)
from adapters.payments.sandbox import (
    NOW,
    Headers,
    MomoDouble,
    PayPalDouble,
    PayPalPki,
    ProviderDouble,
    StripeDouble,
    VnpayDouble,
)
from adapters.payments.signatures import hmac_sha256_hex, short_digest
from adapters.payments.vnpay import (
    VIETNAM,
)
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, PaymentGateway
from commerce_core.shared.money import Money


class Harness:
    """One gateway under contract: how to reach an outcome, script the provider, and read
    what it recorded."""

    name: str
    gateway: PaymentGateway
    currency = "VND"
    holds = True  # whether an authorization holds funds that `void` releases
    stale_webhooks = True  # whether the protocol carries a signed delivery time
    authorize_reaches_provider = True  # VNPay signs its payment URL locally
    mutating: frozenset[str] = frozenset({"capture", "refund"})
    void_across_processes = True
    unsupported: str | None = None  # a currency the provider refuses
    wire: object = None  # how 199,000 (minor units) of `currency` goes on the wire
    secrets: tuple[str, ...] = ()

    def twin(self) -> PaymentGateway:
        """Another instance of the gateway on the same provider (another process)."""
        raise NotImplementedError

    def request(self, key: str, amount: int = 199_000,
                currency: str | None = None) -> AuthorizationRequest:
        return AuthorizationRequest(
            payment_id=f"pay-{key}", order_id=f"order-{key}",
            amount=Money(amount, currency or self.currency), method="card",
            idempotency_key=key, payment_token="pm_card_visa",
            return_url="https://shop.test/return", client_ip="203.0.113.7")

    def obtain(self, request: AuthorizationRequest) -> GatewayResult:
        """Authorize through to an outcome: the shopper acts on the provider's page when the
        gateway is a redirect, then the gateway is asked for the result."""
        return self.gateway.authorize(request)

    def fail_next(self, failure: str, *, mutation: bool = False) -> None:
        raise NotImplementedError

    def decline_next(self) -> None:
        raise NotImplementedError

    def applied(self, operation: str) -> list[str]:
        raise NotImplementedError

    def provider_key(self, key: str, operation: str) -> str:
        """The idempotency key the provider sees for our `key`."""
        return key

    def held(self) -> int:
        raise NotImplementedError

    def wire_amount(self) -> object:
        """The amount the provider received for the last authorization."""
        raise NotImplementedError

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        """A delivery telling that `reference` was captured (199,000 in minor units)."""
        raise NotImplementedError

    def unsigned(self, headers: Headers, body: bytes) -> tuple[Headers, bytes]:
        """The delivery with its signature taken away."""
        return {}, body


class FakeHarness(Harness):
    name = "fake"
    stale_webhooks = False
    wire = 199_000

    def __init__(self) -> None:
        self.fake = ScriptedPaymentGateway()
        self.gateway = self.fake
        self._last: AuthorizationRequest | None = None

    def obtain(self, request: AuthorizationRequest) -> GatewayResult:
        self._last = request
        return self.fake.authorize(request)

    def fail_next(self, failure: str, *, mutation: bool = False) -> None:
        self.fake.script({"timeout": Outcome.TIMEOUT, "lost": Outcome.TIMEOUT_AFTER_AUTHORIZE}
                         .get(failure, Outcome.ERROR))

    def twin(self) -> PaymentGateway:
        return self.fake

    def decline_next(self) -> None:
        self.fake.script(Outcome.DECLINE)

    def applied(self, operation: str) -> list[str]:
        states = {"authorize": ("held", "captured", "voided", "refunded"),
                  "capture": ("captured", "refunded"), "refund": ("refunded",),
                  "void": ("voided",)}[operation]
        keys = [a.key for a in self.fake.authorizations.values() if a.state in states]
        if operation == "authorize":
            return keys
        calls = {key for op, key in self.fake.calls if op == operation}
        return sorted(calls) if keys else []

    def held(self) -> int:
        return len(self.fake.held())

    def wire_amount(self) -> object:
        return next(iter(self.fake.authorizations.values())).amount.amount

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        body = json.dumps({"id": "evt-1", "kind": "captured", "reference": reference,
                           "amount": {"amount": 199_000, "currency": "VND"}}).encode()
        signature = "0" * 64 if forged else self.fake.sign(body)
        return {"X-Fake-Signature": signature}, body


class HttpHarness(Harness):
    double: ProviderDouble

    def fail_next(self, failure: str, *, mutation: bool = False) -> None:
        self.double.failures.append((failure, mutation))

    def decline_next(self) -> None:
        self.double.decline_next = True

    def applied(self, operation: str) -> list[str]:
        return self.double.applied(operation)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.double.transport(), timeout=5)


class StripeHarness(HttpHarness):
    name = "stripe"
    secret = "whsec_contract"
    wire = ("199000", "vnd")
    secrets = ("sk_test_contract", "whsec_contract")

    def __init__(self) -> None:
        self.double = self.stripe = StripeDouble()
        self.clock = FrozenClock(NOW)
        self.gateway = self.twin()

    def twin(self) -> PaymentGateway:
        return StripeGateway(self.client(), api_key="sk_test_contract",
                             webhook_secret=self.secret, clock=self.clock,
                             base_url="https://stripe.test")

    def held(self) -> int:
        return self.stripe.held()

    def wire_amount(self) -> object:
        form = [f for f in self.stripe.form if "capture_method" in f][-1]
        return (form["amount"], form["currency"])

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        body = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                           "data": {"object": {"id": reference, "amount_received": 199_000,
                                               "currency": "vnd"}}}).encode()
        t = int(self.clock.now().timestamp()) - (301 if stale else 0)
        secret = "whsec_forged" if forged else self.secret
        return {"Stripe-Signature": f"t={t},v1={hmac_sha256_hex(secret, f'{t}.{body.decode()}')}"
                }, body


class PayPalHarness(HttpHarness):
    name = "paypal"
    currency = "USD"
    unsupported = "VND"
    void_across_processes = False  # documented gap: PayPal has no lookup by request id
    wire: object = ("USD", "1990.00")
    secrets = ("client-secret",)

    def __init__(self) -> None:
        self.double = self.paypal = PayPalDouble("client-id", "client-secret", "WH-1")
        self.clock = FrozenClock(NOW)
        self.gateway = self.redirect = self.twin()

    def twin(self) -> PayPalGateway:
        return PayPalGateway(
            self.client(), credentials=PayPalCredentials("client-id", "client-secret", "WH-1"),
            clock=self.clock, base_url="https://paypal.test", max_age=timedelta(hours=1))

    def obtain(self, request: AuthorizationRequest) -> GatewayResult:
        started = self.redirect.authorize(request)
        assert started.pending
        assert started.reference
        assert started.redirect_url
        self.paypal.approve(started.reference)
        return self.redirect.complete(started.reference, f"{request.idempotency_key}:complete")

    def held(self) -> int:
        return self.paypal.held()

    def wire_amount(self) -> object:
        amount = list(self.paypal.orders.values())[-1]["purchase_units"][0]["amount"]
        return (amount["currency_code"], amount["value"])

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        body = json.dumps({"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED",
                           "resource_type": "capture", "resource": {
                               "id": "2GG1", "status": "COMPLETED",
                               "amount": {"currency_code": "VND", "value": "199000"},
                               "supplementary_data": {"related_ids": {"order_id": reference}}}},
                          separators=(",", ":")).encode()
        sent = self.clock.now() - (timedelta(hours=2) if stale else timedelta(seconds=5))
        return self.paypal.sign_delivery(body, sent, forged=forged), body


class PayPalOfflineHarness(PayPalHarness):
    """PayPal verifying webhooks offline: deliveries signed SHA256withRSA by a leaf chained
    to a root the gateway trusts (made in memory by the sandbox)."""

    def __init__(self) -> None:
        pki = PayPalPki.make(NOW)
        self.trusted = [pki.root]
        self.double = self.paypal = PayPalDouble("client-id", "client-secret", "WH-1", pki=pki)
        self.clock = FrozenClock(NOW)
        self.gateway = self.redirect = self.twin()

    def twin(self) -> PayPalGateway:
        return PayPalGateway(
            self.client(), credentials=PayPalCredentials("client-id", "client-secret", "WH-1"),
            clock=self.clock, base_url="https://paypal.test", max_age=timedelta(hours=1),
            trust_roots=self.trusted)


class VnpayHarness(HttpHarness):
    name = "vnpay"
    holds = False
    authorize_reaches_provider = False
    mutating = frozenset({"refund"})
    unsupported = "USD"
    wire = "19900000"
    secrets = ("CONTRACTSECRET",)

    def __init__(self) -> None:
        self.double = self.vnpay = VnpayDouble("CCTEST01", "CONTRACTSECRET")
        self.clock = FrozenClock(NOW)
        self.gateway = self.redirect = self.twin()
        self._urls: list[str] = []

    def twin(self) -> VnpayGateway:
        return VnpayGateway(
            self.client(), credentials=VnpayCredentials("CCTEST01", "CONTRACTSECRET"),
            clock=self.clock, payment_url="https://vnpay.test/paymentv2/vpcpay.html",
            api_url="https://vnpay.test/merchant_webapi/api/transaction",
            max_age=timedelta(days=1))

    def obtain(self, request: AuthorizationRequest) -> GatewayResult:
        started = self.redirect.authorize(request)
        assert started.pending
        assert started.reference
        assert started.redirect_url
        self._urls.append(started.redirect_url)
        declined = self.vnpay.decline_next
        self.vnpay.decline_next = False
        self.vnpay.pay(started.redirect_url, "51" if declined else "00")
        return self.redirect.complete(started.reference, f"{request.idempotency_key}:complete")

    def provider_key(self, key: str, operation: str) -> str:
        return short_digest(key, 32)

    def applied(self, operation: str) -> list[str]:
        if operation == "capture":  # a VNPay sale moves the money when the shopper pays
            return []
        return self.vnpay.applied(operation)

    def held(self) -> int:
        return 0

    def wire_amount(self) -> object:
        return dict(parse_qsl(urlsplit(self._urls[-1]).query))["vnp_Amount"]

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        paid = (self.clock.now() - timedelta(days=2 if stale else 0)).astimezone(VIETNAM)
        payment = {"vnp_TxnRef": reference, "vnp_Amount": "19900000", "vnp_BankCode": "NCB",
                   "vnp_PayDate": paid.strftime("%Y%m%d%H%M%S"), "vnp_TransactionNo": "1401",
                   "vnp_TransactionStatus": "00", "vnp_ResponseCode": "00",
                   "vnp_OrderInfo": "Thanh toan don hang 1"}
        params = self.vnpay.notification(payment, "FORGED" if forged else None)
        return {}, urlencode(params).encode()

    def unsigned(self, headers: Headers, body: bytes) -> tuple[Headers, bytes]:
        return {}, body.split(b"&vnp_SecureHash=")[0]


class MomoHarness(HttpHarness):
    name = "momo"
    unsupported = "USD"
    wire = 199_000
    secrets = ("ACCESSCC", "SECRETCC")

    def __init__(self) -> None:
        self.double = self.momo = MomoDouble("MOMOCC", "ACCESSCC", "SECRETCC")
        self.clock = FrozenClock(NOW)
        self.gateway = self.redirect = self.twin()

    def twin(self) -> MomoGateway:
        return MomoGateway(
            self.client(), credentials=MomoCredentials("MOMOCC", "ACCESSCC", "SECRETCC"),
            clock=self.clock, ipn_url="https://shop.test/ipn/momo",
            base_url="https://momo.test/v2/gateway/api", auto_capture=False,
            max_age=timedelta(hours=1))

    def obtain(self, request: AuthorizationRequest) -> GatewayResult:
        started = self.redirect.authorize(request)
        assert started.pending
        assert started.reference
        assert started.redirect_url
        declined = self.momo.decline_next
        self.momo.decline_next = False
        self.momo.pay(started.reference, 1006 if declined else None)
        return self.redirect.complete(started.reference, f"{request.idempotency_key}:complete")

    def provider_key(self, key: str, operation: str) -> str:
        return momo_id(key, {"authorize": "", "capture": "capture", "void": "cancel",
                             "refund": ":refund"}[operation])

    def held(self) -> int:
        return self.momo.held()

    def wire_amount(self) -> object:
        return self.momo.created[-1]["amount"]

    def webhook(self, reference: str, *, stale: bool = False,
                forged: bool = False) -> tuple[Headers, bytes]:
        self.momo.payments.setdefault(reference, {"amount": 199_000, "resultCode": 0,
                                                  "transId": 2588, "refunds": []})
        now_ms = int(self.clock.now().timestamp() * 1000)
        data = self.momo.notification(reference, "FORGED" if forged else None,
                                      now_ms - (2 * 3600_000 if stale else 0))
        return {"Content-Type": "application/json"}, json.dumps(data).encode()

    def unsigned(self, headers: Headers, body: bytes) -> tuple[Headers, bytes]:
        data = json.loads(body)
        del data["signature"]
        return headers, json.dumps(data).encode()


HARNESSES: dict[str, Callable[[], Harness]] = {
    "fake": FakeHarness, "stripe": StripeHarness, "paypal": PayPalHarness,
    "paypal-offline": PayPalOfflineHarness,
    "vnpay": VnpayHarness, "momo": MomoHarness,
}
