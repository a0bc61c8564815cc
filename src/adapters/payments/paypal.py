"""PayPal Orders v2 (create with intent AUTHORIZE, authorize after approval) and Payments v2
(capture, void, refund), over the injected `httpx.Client`.

The flow is a redirect: `authorize` creates the order and answers `pending` with the buyer's
approval link; once the buyer is back (or `CHECKOUT.ORDER.APPROVED` arrives), `complete`
authorizes the approved order. The reference is the PayPal order id throughout: capture,
refund and webhooks find the authorization and the capture from it, so any process holding
the reference can act. Every mutation carries `PayPal-Request-Id` (our idempotency key), and
the OAuth2 token is cached until shortly before it expires and fetched again once on a 401.

Webhooks are verified by asking PayPal (`/v1/notifications/verify-webhook-signature`), or,
given the roots the shop trusts (`trust_roots`), offline: the certificate named by
`PAYPAL-CERT-URL` is downloaded once per URL, its chain checked against those roots at the
clock's time for `messageverificationcerts.paypal.com`, and its RSA key must have signed
`crc_message` (SHA256withRSA).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
from attrs import field, frozen
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from adapters.payments.errors import MissingPaymentDetail, UnsupportedCurrency
from adapters.payments.transport import ResultMemo, json_object, send
from commerce_core.payment.errors import GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.money import Money

PROVIDER = "PayPal"

# Currencies PayPal takes, with the decimals PayPal wants (which differ from ISO for TWD).
CURRENCY_DECIMALS: Mapping[str, int] = {
    "AUD": 2, "BRL": 2, "CAD": 2, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "HKD": 2, "HUF": 0,
    "ILS": 2, "JPY": 0, "MYR": 2, "MXN": 2, "TWD": 0, "NZD": 2, "NOK": 2, "PHP": 2, "PLN": 2,
    "GBP": 2, "SGD": 2, "SEK": 2, "CHF": 2, "THB": 2, "USD": 2,
}

# 422 issues that are outcomes, not errors.
DECLINES = frozenset({
    "INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY", "AUTHORIZATION_EXPIRED",
    "AUTHORIZATION_VOIDED", "AUTHORIZATION_ALREADY_CAPTURED", "CAPTURE_FULLY_REFUNDED",
    "REFUND_AMOUNT_EXCEEDED", "REFUND_TIME_LIMIT_EXCEEDED", "REFUND_NOT_ALLOWED",
    "PREVIOUSLY_CAPTURED", "PREVIOUSLY_VOIDED", "CANNOT_BE_VOIDED",
})
WAITING_FOR_BUYER = frozenset({"ORDER_NOT_APPROVED", "PAYER_ACTION_REQUIRED"})

EVENT_KINDS: Mapping[str, str] = {
    "CHECKOUT.ORDER.APPROVED": "approved",
    "PAYMENT.AUTHORIZATION.CREATED": "authorized",
    "PAYMENT.AUTHORIZATION.VOIDED": "voided",
    "PAYMENT.CAPTURE.COMPLETED": "captured",
    "PAYMENT.CAPTURE.PENDING": "pending",
    "PAYMENT.CAPTURE.DECLINED": "failed",
    "PAYMENT.CAPTURE.DENIED": "failed",
    "PAYMENT.CAPTURE.REFUNDED": "refunded",
    "PAYMENT.CAPTURE.REVERSED": "disputed",
}
# The name on the certificate PayPal signs webhook deliveries with.
SIGNING_CERT_NAME = "messageverificationcerts.paypal.com"
SIGNATURE_HEADERS = ("paypal-auth-algo", "paypal-cert-url", "paypal-transmission-id",
                     "paypal-transmission-sig", "paypal-transmission-time")


@frozen
class PayPalCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    webhook_id: str


def amount_value(money: Money) -> dict[str, str]:
    """PayPal's amount object; `UnsupportedCurrency` for a currency PayPal does not take."""
    decimals = CURRENCY_DECIMALS.get(money.currency)
    if decimals is None:
        raise UnsupportedCurrency(f"PayPal does not take {money.currency}",
                                  currency=money.currency)
    value = money.to_decimal()
    quantum = Decimal(1).scaleb(-decimals)
    if value != value.quantize(quantum):
        raise UnsupportedCurrency(f"PayPal takes {money.currency} without decimals",
                                  currency=money.currency)
    return {"currency_code": money.currency, "value": f"{value.quantize(quantum)}"}


def crc_message(transmission_id: str, transmission_time: str, webhook_id: str,
                body: bytes) -> str:
    """The message PayPal signs for a webhook delivery (for offline verification)."""
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{zlib.crc32(body) & 0xFFFFFFFF}"


def load_trust_roots(pem: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM bundle, the roots offline verification trusts; `ValueError`
    when it holds none."""
    roots = x509.load_pem_x509_certificates(pem)  # raises ValueError when there is none
    return list(roots)


def _issue(body: Mapping[str, Any]) -> str:
    details = body.get("details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        return str(details[0].get("issue", ""))
    return str(body.get("name", ""))


class PayPalGateway:
    """`RedirectGateway` over PayPal. `void` finds the order this process created under the
    authorization key; an order created by another process cannot be found from the key
    alone (PayPal has no search by request id), so it is left to expire (a gap)."""

    name = "paypal"
    # One capture per authorization here (a refund goes to that capture); a hold stays
    # capturable for 29 days (its first 3 the honor period).
    multiple_captures = False
    authorization_window = timedelta(days=29)

    def __init__(self, client: httpx.Client, *, credentials: PayPalCredentials, clock: Clock,
                 base_url: str = "https://api-m.paypal.com", return_url: str | None = None,
                 cancel_url: str | None = None, max_age: timedelta | None = None,
                 trust_roots: Sequence[x509.Certificate] | None = None,
                 signing_cert_name: str = SIGNING_CERT_NAME) -> None:
        self._client, self._clock, self._credentials = client, clock, credentials
        # Offline verification when the shop names the roots it trusts; else PayPal's API.
        self._store = Store(list(trust_roots)) if trust_roots is not None else None
        self.verification = "api" if self._store is None else "offline"
        self._signing_cert_name = signing_cert_name
        # Downloaded certificate chains by URL; PayPal rotates them rarely, so a few suffice.
        self._certificates: OrderedDict[str, list[x509.Certificate]] = OrderedDict()
        self._base = base_url.rstrip("/")
        self._return_url, self._cancel_url, self._max_age = return_url, cancel_url, max_age
        self._memo = ResultMemo()
        self._lock = threading.Lock()
        self._token: tuple[str, datetime] | None = None
        self._orders: dict[str, str] = {}  # authorization key → order id

    def __repr__(self) -> str:
        return f"PayPalGateway(base_url={self._base!r})"

    # -- HTTP -------------------------------------------------------------------------------

    def _access_token(self, *, fresh: bool = False) -> str:
        with self._lock:
            now = self._clock.now()
            if not fresh and self._token is not None and self._token[1] > now:
                return self._token[0]
            response = send(PROVIDER, lambda: self._client.post(
                self._base + "/v1/oauth2/token", data={"grant_type": "client_credentials"},
                auth=(self._credentials.client_id, self._credentials.client_secret)))
            body = json_object(PROVIDER, response)
            if response.status_code != 200 or "access_token" not in body:
                raise GatewayUnavailable(
                    f"{PROVIDER} refused the client credentials ({response.status_code})",
                    status=response.status_code)
            lifetime = int(body.get("expires_in", 0))
            # Renew a minute early so a token never expires in flight.
            self._token = (str(body["access_token"]),
                           now + timedelta(seconds=max(lifetime - 60, 0)))
            return self._token[0]

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None,
              request_id: str | None = None) -> tuple[int, dict[str, Any]]:
        def attempt(token: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                       "Prefer": "return=representation"}
            if request_id is not None:
                headers["PayPal-Request-Id"] = request_id
            return send(PROVIDER, lambda: self._client.request(
                method, self._base + path, headers=headers,
                content=json.dumps(body).encode() if body is not None else None))

        response = attempt(self._access_token())
        if response.status_code == 401:
            response = attempt(self._access_token(fresh=True))
        if response.status_code == 204 or not response.content:
            return response.status_code, {}
        return response.status_code, json_object(PROVIDER, response)

    @staticmethod
    def _unavailable(status: int, body: Mapping[str, Any]) -> GatewayUnavailable:
        return GatewayUnavailable(f"{PROVIDER} refused the request ({status} {_issue(body)})",
                                  status=status, provider_code=_issue(body),
                                  debug_id=body.get("debug_id"))

    def _order(self, order_id: str) -> dict[str, Any]:
        status, body = self._call("GET", f"/v2/checkout/orders/{order_id}")
        if status != 200:
            raise self._unavailable(status, body)
        return body

    @staticmethod
    def _payments(order: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
        units = order.get("purchase_units") or [{}]
        found = (units[0].get("payments") or {}).get(kind) or []
        return [p for p in found if isinstance(p, dict)]

    # -- the port ---------------------------------------------------------------------------

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        if (known := self._memo.get(request.idempotency_key)) is not None:
            return known
        amount = amount_value(request.amount)  # refuses VND before any request
        return_url = request.return_url or self._return_url
        if not return_url:
            raise MissingPaymentDetail("PayPal needs a return URL for the buyer's approval")
        order = {
            "intent": "AUTHORIZE",
            "purchase_units": [{"reference_id": request.order_id,
                                "custom_id": request.payment_id, "amount": amount}],
            "payment_source": {"paypal": {"experience_context": {
                "return_url": return_url, "cancel_url": self._cancel_url or return_url}}},
        }
        status, body = self._call("POST", "/v2/checkout/orders", order,
                                  request.idempotency_key)
        if status not in (200, 201):
            raise self._unavailable(status, body)
        order_id = str(body["id"])
        with self._lock:
            self._orders[request.idempotency_key] = order_id
        link = next((str(link["href"]) for link in body.get("links", [])
                     if link.get("rel") in ("approve", "payer-action")), None)
        result = GatewayResult(approved=False, reference=order_id, pending=True,
                               redirect_url=link, message=str(body.get("status", "")))
        return self._memo.put(request.idempotency_key, result, keep_pending=True)

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        status, body = self._call("POST", f"/v2/checkout/orders/{reference}/authorize", {},
                                  idempotency_key)
        if status == 422 and _issue(body) == "ORDER_ALREADY_AUTHORIZED":
            status, body = 200, self._order(reference)
        if status in (200, 201):
            authorizations = self._payments(body, "authorizations")
            state = authorizations[0].get("status") if authorizations else None
            if state in ("CREATED", "CAPTURED", "PARTIALLY_CAPTURED"):
                result = GatewayResult(approved=True, reference=reference)
            elif state == "PENDING":
                result = GatewayResult(approved=False, reference=reference, pending=True)
            else:
                result = GatewayResult(approved=False, reference=reference,
                                       decline_code=f"authorization_{state or 'missing'}")
        elif status == 422 and _issue(body) in WAITING_FOR_BUYER:
            result = GatewayResult(approved=False, reference=reference, pending=True,
                                   message=_issue(body))
        elif status == 422 and _issue(body) in DECLINES:
            result = GatewayResult(approved=False, reference=reference,
                                   decline_code=_issue(body), message=str(body.get("message")))
        else:
            raise self._unavailable(status, body)
        return self._memo.put(idempotency_key, result)

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        value = amount_value(amount)
        authorizations = self._payments(self._order(reference), "authorizations")
        if not authorizations:
            return self._memo.put(idempotency_key, GatewayResult(
                approved=False, reference=reference, decline_code="not_authorized"))
        status, body = self._call(
            "POST", f"/v2/payments/authorizations/{authorizations[0]['id']}/capture",
            {"amount": value, "final_capture": True}, idempotency_key)
        result = self._settlement(reference, status, body)
        return self._memo.put(idempotency_key, result)

    def _settlement(self, reference: str, status: int, body: Mapping[str, Any]) -> GatewayResult:
        """A capture or refund answer: COMPLETED approves, PENDING waits, others decline."""
        if status in (200, 201):
            state = body.get("status")
            if state == "COMPLETED":
                return GatewayResult(approved=True, reference=reference)
            if state == "PENDING":
                return GatewayResult(approved=False, reference=reference, pending=True)
            return GatewayResult(approved=False, reference=reference,
                                 decline_code=str(state).lower())
        if status == 422 and _issue(body) in DECLINES:
            return GatewayResult(approved=False, reference=reference,
                                 decline_code=_issue(body), message=str(body.get("message")))
        raise self._unavailable(status, body)

    def void(self, authorization_key: str) -> None:
        with self._lock:
            order_id = self._orders.get(authorization_key)
        if order_id is None:
            return
        authorizations = [a for a in self._payments(self._order(order_id), "authorizations")
                          if a.get("status") in ("CREATED", "PENDING")]
        if not authorizations:
            return  # never approved, or captured or voided already: nothing held
        status, body = self._call(
            "POST", f"/v2/payments/authorizations/{authorizations[0]['id']}/void", None,
            f"{authorization_key}:void")
        if status in (200, 204) or (status == 422 and _issue(body) in DECLINES):
            return
        raise self._unavailable(status, body)

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        value = amount_value(amount)
        captures = self._payments(self._order(reference), "captures")
        if not captures:
            return self._memo.put(idempotency_key, GatewayResult(
                approved=False, reference=reference, decline_code="nothing_to_refund"))
        status, body = self._call("POST", f"/v2/payments/captures/{captures[0]['id']}/refund",
                                  {"amount": value}, idempotency_key)
        return self._memo.put(idempotency_key, self._settlement(reference, status, body))

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        lowered = {k.lower(): v for k, v in headers.items()}
        if any(not lowered.get(name) for name in SIGNATURE_HEADERS):
            raise InvalidWebhook("PayPal webhook lacks its transmission headers")
        cert = urlsplit(lowered["paypal-cert-url"])
        if cert.scheme != "https" or not (cert.hostname or "").endswith(".paypal.com"):
            raise InvalidWebhook("PayPal webhook names a certificate outside paypal.com")
        try:
            sent = datetime.fromisoformat(lowered["paypal-transmission-time"]
                                          .replace("Z", "+00:00"))
            event = json.loads(body)
        except ValueError as exc:
            raise InvalidWebhook(f"malformed PayPal webhook: {type(exc).__name__}") from exc
        if self._max_age is not None and sent < self._clock.now() - self._max_age:
            raise InvalidWebhook("PayPal webhook is older than the accepted age")
        if self._store is not None:
            self._verify_offline(lowered, body)
        else:
            self._verify_by_api(lowered, event)
        return self._event(event)

    def _verify_by_api(self, lowered: Mapping[str, str], event: Any) -> None:
        status, answer = self._call("POST", "/v1/notifications/verify-webhook-signature", {
            "auth_algo": lowered["paypal-auth-algo"],
            "cert_url": lowered["paypal-cert-url"],
            "transmission_id": lowered["paypal-transmission-id"],
            "transmission_sig": lowered["paypal-transmission-sig"],
            "transmission_time": lowered["paypal-transmission-time"],
            "webhook_id": self._credentials.webhook_id,
            "webhook_event": event,
        })
        if status != 200:
            raise self._unavailable(status, answer)
        if answer.get("verification_status") != "SUCCESS":
            raise InvalidWebhook("PayPal did not verify the webhook signature")

    def _verify_offline(self, lowered: Mapping[str, str], body: bytes) -> None:
        if lowered["paypal-auth-algo"] != "SHA256withRSA":
            raise InvalidWebhook("PayPal webhook signed with an unexpected algorithm")
        try:
            signature = base64.b64decode(lowered["paypal-transmission-sig"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidWebhook("PayPal webhook signature is not base64") from exc
        leaf = self._signing_certificate(lowered["paypal-cert-url"])
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidWebhook("PayPal signing certificate does not hold an RSA key")
        message = crc_message(lowered["paypal-transmission-id"],
                              lowered["paypal-transmission-time"],
                              self._credentials.webhook_id, body)
        try:
            key.verify(signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise InvalidWebhook("PayPal webhook signature does not verify") from exc

    def _signing_certificate(self, url: str) -> x509.Certificate:
        """The leaf certificate at `url`, its chain checked against the trusted roots at the
        clock's time (every delivery: a cached certificate still expires)."""
        assert self._store is not None
        with self._lock:
            chain = self._certificates.get(url)
        if chain is None:
            response = send(PROVIDER, lambda: self._client.get(url))
            if response.status_code != 200:
                raise InvalidWebhook(
                    f"PayPal signing certificate could not be fetched ({response.status_code})")
            try:
                chain = list(x509.load_pem_x509_certificates(response.content))
            except ValueError as exc:
                raise InvalidWebhook("PayPal signing certificate is not PEM") from exc
            with self._lock:
                self._certificates[url] = chain
                while len(self._certificates) > 16:
                    self._certificates.popitem(last=False)
        verifier = (PolicyBuilder().store(self._store).time(self._clock.now())
                    .build_server_verifier(x509.DNSName(self._signing_cert_name)))
        try:
            verifier.verify(chain[0], chain[1:])
        except VerificationError as exc:
            raise InvalidWebhook("PayPal signing certificate is not trusted") from exc
        return chain[0]

    def _event(self, event: Any) -> WebhookEvent:
        try:
            resource = event["resource"]
            kind = EVENT_KINDS.get(str(event["event_type"]), "ignored")
            related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
            reference = str(related.get("order_id") or resource["id"])
            money = resource.get("amount")
            amount = (Money.of(str(money["value"]), str(money["currency_code"]))
                      if isinstance(money, dict) else None)
            return WebhookEvent(gateway=self.name, event_id=str(event["id"]), kind=kind,
                                reference=reference, amount=amount)
        except (KeyError, TypeError, AttributeError, ArithmeticError, CommerceError) as exc:
            raise InvalidWebhook(f"malformed PayPal webhook: {type(exc).__name__}") from exc
