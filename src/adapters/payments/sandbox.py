"""Provider sandboxes: small stateful stand-ins for Stripe, PayPal, VNPay and MoMo behind
`httpx.MockTransport`, answering with bodies shaped as each provider documents them (errors
included), checking the shop's signatures and signing their own answers, keeping their own
idempotency stores, and recording every request.

The real adapters talk to them exactly as to the provider: the gateway contract suite runs every
adapter against its sandbox, and `commerce demo` pays through each of them without a network.
A sandbox also plays the shopper on the provider's page (`approve` on PayPal, `pay` on VNPay or
MoMo, `authenticate` for a 3-D Secure card on Stripe) and scripts failures (`failures`,
`decline_next`).
"""

import base64
import hashlib
import hmac
import itertools
import json
from collections import deque
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from attrs import frozen
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adapters.payments.momo import (
    CONFIRM_FIELDS,
    CREATE_FIELDS,
    QUERY_FIELDS,
    REFUND_FIELDS,
    RESULT_FIELDS,
    sign,
)
from adapters.payments.paypal import SIGNING_CERT_NAME, crc_message
from adapters.payments.vnpay import (
    QUERYDR_ANSWER_FIELDS,
    QUERYDR_FIELDS,
    REFUND_ANSWER_FIELDS,
    sign_fields,
    sign_query,
    verify_query,
)
from adapters.payments.vnpay import REFUND_FIELDS as VNPAY_REFUND_FIELDS

Headers = dict[str, str]


NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _json(answer: tuple[int, dict[str, Any]]) -> httpx.Response:
    return httpx.Response(answer[0], json=answer[1])


class ProviderDouble:
    """Records requests, plays scripted failures, and remembers applied mutations."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        # (failure, only on a mutating request): timeout, lost (acted, answer lost),
        # unreachable, 5xx, 429
        self.failures: deque[tuple[str, bool]] = deque()
        self.mutations: list[tuple[str, str]] = []  # (operation, provider idempotency key)
        self.decline_next = False
        # By operation, fields its next answer carries in place of the ones the provider
        # signed (an answer altered on its way: the adapter must not believe it).
        self.tamper: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def is_mutation(self, request: httpx.Request) -> bool:
        return request.method == "POST"

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures and (not self.failures[0][1] or self.is_mutation(request)):
            failure, _ = self.failures.popleft()
            if failure == "lost":
                self.route(request)
                raise httpx.ReadTimeout("read timed out", request=request)
            if failure == "timeout":
                raise httpx.ReadTimeout("read timed out", request=request)
            if failure == "unreachable":
                raise httpx.ConnectError("connection refused", request=request)
            return self.error(503 if failure == "5xx" else 429)
        return self.route(request)

    def route(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def error(self, status: int) -> httpx.Response:
        raise NotImplementedError

    def applied(self, operation: str) -> list[str]:
        return [key for op, key in self.mutations if op == operation]

    def tampered(self, operation: str, answer: dict[str, Any]) -> dict[str, Any]:
        """`answer` to `operation` as it arrives: altered once if `tamper` says so."""
        return {**answer, **self.tamper.pop(operation, {})}


# -- Stripe ---------------------------------------------------------------------------------


class StripeDouble(ProviderDouble):
    """PaymentIntents with manual capture, refunds, search; Stripe's idempotency: the first
    answer under a key is saved and replayed."""

    def __init__(self) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.saved: dict[str, tuple[int, dict[str, Any]]] = {}
        self.form: list[dict[str, str]] = []
        self.require_action_next = False  # the next card asks for 3-D Secure

    def authenticate(self, intent_id: str, *, approve: bool) -> None:
        """The shopper passes (or fails) 3-D Secure on the intent's challenge."""
        intent = self.intents[intent_id]
        if intent["status"] != "requires_action":
            return
        intent.pop("next_action", None)
        if approve:
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
        else:
            intent.update(status="requires_payment_method", last_payment_error={
                "type": "card_error", "code": "payment_intent_authentication_failure",
                "message": "The provided PaymentMethod has failed authentication."})

    def error(self, status: int) -> httpx.Response:
        if status == 429:
            return httpx.Response(429, json={"error": {
                "type": "invalid_request_error", "code": "rate_limit",
                "message": "Too many requests hit the API too quickly."}})
        return httpx.Response(status, json={"error": {
            "type": "api_error", "message": "An unknown error occurred."}})

    @staticmethod
    def _refusal(status: int, code: str, message: str, **more: Any) -> tuple[int, dict[str, Any]]:
        return status, {"error": {"type": "invalid_request_error", "code": code,
                                  "message": message, **more}}

    def route(self, request: httpx.Request) -> httpx.Response:
        if not request.headers.get("authorization", "").startswith("Bearer sk_test_"):
            return httpx.Response(401, json={"error": {
                "type": "invalid_request_error", "message": "Invalid API Key provided."}})
        path = request.url.path
        if request.method == "GET":
            if path == "/v1/payment_intents/search":
                query = request.url.params["query"]
                found = [i for i in self.intents.values()
                         if f"'{i['metadata'].get('idempotency_key')}'" in query]
                return httpx.Response(200, json={"object": "search_result", "data": found})
            intent = self.intents.get(path.rsplit("/", 1)[-1])
            if intent is None:
                return _json(self._refusal(404, "resource_missing", "No such intent"))
            return httpx.Response(200, json=intent)
        form = dict(parse_qsl(request.content.decode()))
        self.form.append(form)
        key = request.headers.get("idempotency-key")
        if key is None:
            return httpx.Response(400, json={"error": {"type": "invalid_request_error",
                                                       "message": "no key in this double"}})
        if key in self.saved:
            return httpx.Response(self.saved[key][0], json=self.saved[key][1],
                                  headers={"Idempotent-Replayed": "true"})
        status, body = self._mutate(path, form, key)
        self.saved[key] = (status, body)
        return httpx.Response(status, json=body)

    def _mutate(self, path: str, form: dict[str, str],
                key: str) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if path == "/v1/payment_intents":
            intent: dict[str, Any] = {
                "id": self.new_id("pi_"), "object": "payment_intent",
                "amount": int(form["amount"]), "currency": form["currency"],
                "capture_method": form["capture_method"], "amount_capturable": 0,
                "amount_received": 0, "status": "requires_capture",
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            }
            self.intents[intent["id"]] = intent
            if self.decline_next:
                self.decline_next = False
                intent.update(status="requires_payment_method", last_payment_error={
                    "type": "card_error", "code": "card_declined",
                    "decline_code": "generic_decline"})
                return 402, {"error": {"type": "card_error", "code": "card_declined",
                                       "decline_code": "generic_decline",
                                       "message": "Your card was declined.",
                                       "payment_intent": intent}}
            if self.require_action_next:
                self.require_action_next = False
                # With a return URL Stripe redirects; without one Stripe.js handles it.
                intent.update(status="requires_action", next_action={
                    "type": "redirect_to_url", "redirect_to_url": {
                        "url": f"https://hooks.stripe.test/3d_secure_2/{intent['id']}",
                        "return_url": form["return_url"]}} if "return_url" in form else {
                    "type": "use_stripe_sdk",
                    "use_stripe_sdk": {"type": "three_d_secure_redirect"}})
                self.mutations.append(("authorize", key))
                return 200, intent
            intent["amount_capturable"] = intent["amount"]
            self.mutations.append(("authorize", key))
            return 200, intent
        if path == "/v1/refunds":
            intent = self.intents[form["payment_intent"]]
            amount = int(form.get("amount", intent["amount_received"]))
            if intent["status"] != "succeeded" or amount > intent["amount_received"]:
                return self._refusal(400, "charge_already_refunded", "Cannot refund")
            intent["amount_received"] -= amount
            self.mutations.append(("refund", key))
            return 200, {"id": self.new_id("re_"), "object": "refund", "amount": amount,
                         "payment_intent": intent["id"], "status": "succeeded"}
        found = self.intents.get(parts[2])
        if found is None:
            return self._refusal(404, "resource_missing", f"No such payment_intent: {parts[2]}")
        intent = found
        if parts[3] == "capture":
            amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
            if intent["status"] != "requires_capture" or amount > intent["amount_capturable"]:
                return self._refusal(400, "payment_intent_unexpected_state",
                                     "This PaymentIntent could not be captured.")
            intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
            self.mutations.append(("capture", key))
            return 200, intent
        if intent["status"] in ("succeeded", "canceled"):
            return self._refusal(400, "payment_intent_unexpected_state",
                                 "This PaymentIntent could not be canceled.")
        intent.update(status="canceled", amount_capturable=0,
                      cancellation_reason=form.get("cancellation_reason"))
        self.mutations.append(("void", key))
        return 200, intent

    def held(self) -> int:
        return sum(1 for i in self.intents.values() if i["status"] == "requires_capture")


# -- PayPal ---------------------------------------------------------------------------------


@cache
def _rsa_key(slot: int) -> rsa.RSAPrivateKey:
    """A throw-away key, made once per process and slot (key generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject: str, key: rsa.RSAPrivateKey, issuer: str,
                 issuer_key: rsa.RSAPrivateKey, *, ca: bool, not_before: datetime,
                 not_after: datetime, dns_name: str | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (x509.CertificateBuilder()
               .subject_name(name)
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                   crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if dns_name is not None:
        builder = (builder
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]),
                                  critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                         ExtendedKeyUsageOID.CLIENT_AUTH]),
                                  critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


@frozen
class PayPalPki:
    """A made-up certificate hierarchy in the shape of PayPal's: a root (which the shop
    configures as trusted), an intermediate, and the leaf whose key signs deliveries. Made
    in memory; nothing here is PayPal's."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    @classmethod
    def make(cls, now: datetime, *, name: str = SIGNING_CERT_NAME, root_slot: int = 0,
             valid: timedelta = timedelta(days=365),
             expired: bool = False) -> "PayPalPki":
        """A hierarchy valid around `now` (the leaf `expired` an hour before it). Another
        `root_slot` gives a root of another key and name: one the shop does not trust."""
        root_key, intermediate_key, leaf_key = _rsa_key(root_slot * 3), _rsa_key(
            root_slot * 3 + 1), _rsa_key(root_slot * 3 + 2)
        start, end = now - valid, now + valid
        root_name = f"Sandbox Root CA {root_slot}"
        root = _certificate(root_name, root_key, root_name, root_key, ca=True,
                            not_before=start, not_after=end)
        intermediate = _certificate(f"Sandbox Intermediate CA {root_slot}", intermediate_key,
                                    root_name, root_key, ca=True, not_before=start,
                                    not_after=end)
        leaf = _certificate(name, leaf_key, f"Sandbox Intermediate CA {root_slot}",
                            intermediate_key, ca=False, not_before=start,
                            not_after=now - timedelta(hours=1) if expired else end,
                            dns_name=name)
        return cls(root, intermediate, leaf, leaf_key)

    def chain_pem(self) -> bytes:
        """What PayPal serves at the certificate URL: the leaf, then the intermediate."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM)
                        for c in (self.leaf, self.intermediate))

    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)



class PayPalDouble(ProviderDouble):
    """Orders v2 and Payments v2 with `PayPal-Request-Id` replays, OAuth2 tokens, and a
    verify-webhook-signature endpoint. Without a `pki` deliveries are signed with an HMAC of
    the CRC message in place of PayPal's RSA key (only the API can verify them); with one,
    they are signed SHA256withRSA by its leaf key, whose chain is served at the certificate
    URL, so they verify either way."""

    CERT_PATH = "/v1/notifications/certs/CERT-1"

    def __init__(self, client_id: str, secret: str, webhook_id: str, *,
                 pki: PayPalPki | None = None) -> None:
        super().__init__()
        self.pki = pki
        self._basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        self.webhook_id = webhook_id
        self.signing_key = b"paypal-double-signing-key"
        self.tokens: set[str] = set()
        self.orders: dict[str, dict[str, Any]] = {}
        self.authorizations: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self.saved: dict[str, tuple[int, dict[str, Any]]] = {}

    def error(self, status: int) -> httpx.Response:
        if status == 429:
            return httpx.Response(429, json={"name": "RATE_LIMIT_REACHED", "message":
                                             "Too many requests.", "debug_id": "d429"})
        return httpx.Response(status, json={"name": "INTERNAL_SERVER_ERROR", "message":
                                            "An internal server error occurred.",
                                            "debug_id": "d500"})

    def is_mutation(self, request: httpx.Request) -> bool:
        return "paypal-request-id" in request.headers

    @staticmethod
    def _issue(status: int, issue: str) -> tuple[int, dict[str, Any]]:
        name = {404: "RESOURCE_NOT_FOUND", 422: "UNPROCESSABLE_ENTITY"}.get(status,
                                                                            "INVALID_REQUEST")
        return status, {"name": name, "message": "The requested action could not be performed.",
                        "debug_id": "d4xx", "details": [{"issue": issue,
                                                         "description": issue.lower()}]}

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/v1/notifications/certs/") and request.method == "GET":
            if self.pki is None or path != self.CERT_PATH:
                return _json(self._issue(404, "INVALID_RESOURCE_ID"))
            return httpx.Response(200, content=self.pki.chain_pem(),
                                  headers={"Content-Type": "application/x-pem-file"})
        if path == "/v1/oauth2/token":
            if request.headers.get("authorization") != self._basic:
                return httpx.Response(401, json={
                    "error": "invalid_client", "error_description": "Client Authentication failed"})
            token = self.new_id("A21AA")
            self.tokens.add(token)
            return httpx.Response(200, json={"scope": "https://uri.paypal.com/services/payments",
                                             "access_token": token, "token_type": "Bearer",
                                             "app_id": "APP-80W284485P519543T",
                                             "expires_in": 32400, "nonce": "n"})
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return httpx.Response(401, json={"name": "AUTHENTICATION_FAILURE", "message":
                                             "Authentication failed due to invalid token."})
        if request.method == "GET":
            order = self.orders.get(path.rsplit("/", 1)[-1])
            return (httpx.Response(200, json=order) if order is not None
                    else _json(self._issue(404, "INVALID_RESOURCE_ID")))
        body = json.loads(request.content) if request.content else {}
        if path == "/v1/notifications/verify-webhook-signature":
            return httpx.Response(200, json={"verification_status": self._verify(body)})
        key = request.headers.get("paypal-request-id")
        if key is None:
            return _json(self._issue(400, "MISSING_REQUEST_ID"))
        if key in self.saved:
            status, saved = self.saved[key]
            return httpx.Response(200 if status == 201 else status, json=saved)
        status, answer = self._mutate(path, body, key)
        if status < 500:
            self.saved[key] = (status, answer)
        return httpx.Response(status, json=answer) if answer else httpx.Response(status)

    def _mutate(self, path: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if path == "/v2/checkout/orders":
            order_id = self.new_id("5O190127TN36")
            unit = body["purchase_units"][0]
            self.orders[order_id] = {
                "id": order_id, "intent": body["intent"], "status": "PAYER_ACTION_REQUIRED",
                "purchase_units": [{"reference_id": unit["reference_id"],
                                    "amount": unit["amount"], "payments": {}}],
                "links": [
                    {"href": f"https://api-m.paypal.test/v2/checkout/orders/{order_id}",
                     "rel": "self", "method": "GET"},
                    {"href": f"https://www.paypal.test/checkoutnow?token={order_id}",
                     "rel": "payer-action", "method": "GET"}],
            }
            self.mutations.append(("authorize", key))
            return 201, self.orders[order_id]
        if parts[:3] == ["v2", "checkout", "orders"] and parts[4] == "authorize":
            order = self.orders[parts[3]]
            if order["status"] != "APPROVED":
                return self._issue(422, "ORDER_NOT_APPROVED")
            if self.decline_next:
                self.decline_next = False
                return self._issue(422, "INSTRUMENT_DECLINED")
            authorization = {"id": self.new_id("0AW2184448"), "status": "CREATED",
                             "amount": order["purchase_units"][0]["amount"],
                             "order_id": order["id"]}
            self.authorizations[authorization["id"]] = authorization
            order["status"] = "COMPLETED"
            order["purchase_units"][0]["payments"]["authorizations"] = [authorization]
            self.mutations.append(("complete", key))
            return 201, order
        if parts[:3] == ["v2", "payments", "authorizations"]:
            authorization = self.authorizations[parts[3]]
            if authorization["status"] != "CREATED":
                return self._issue(422, "AUTHORIZATION_ALREADY_CAPTURED"
                                   if authorization["status"] == "CAPTURED"
                                   else "AUTHORIZATION_VOIDED")
            if parts[4] == "void":
                authorization["status"] = "VOIDED"
                self.mutations.append(("void", key))
                return 200, authorization
            capture = {"id": self.new_id("2GG27954"), "status": "COMPLETED",
                       "amount": body.get("amount", authorization["amount"])}
            self.captures[capture["id"]] = capture
            authorization["status"] = "CAPTURED"
            payments = self.orders[authorization["order_id"]]["purchase_units"][0]["payments"]
            payments.setdefault("captures", []).append(capture)
            self.mutations.append(("capture", key))
            return 201, capture
        capture = self.captures[parts[3]]
        if capture["status"] == "REFUNDED":
            return self._issue(422, "CAPTURE_FULLY_REFUNDED")
        capture["status"] = "REFUNDED"
        self.mutations.append(("refund", key))
        return 201, {"id": self.new_id("1JU08902"), "status": "COMPLETED",
                     "amount": body.get("amount", capture["amount"])}

    def _signature(self, transmission_id: str, time: str, body: bytes,
                   webhook_id: str | None = None) -> str:
        message = crc_message(transmission_id, time, webhook_id or self.webhook_id, body)
        if self.pki is not None:
            return base64.b64encode(self.pki.leaf_key.sign(
                message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
        return base64.b64encode(hmac.new(self.signing_key, message.encode(),
                                         hashlib.sha256).digest()).decode()

    def _verify(self, body: dict[str, Any]) -> str:
        raw = json.dumps(body["webhook_event"], separators=(",", ":")).encode()
        if body["webhook_id"] != self.webhook_id:
            return "FAILURE"
        if self.pki is None:
            expected = self._signature(body["transmission_id"], body["transmission_time"], raw)
            ok = hmac.compare_digest(expected, body["transmission_sig"])
            return "SUCCESS" if ok else "FAILURE"
        message = crc_message(body["transmission_id"], body["transmission_time"],
                              self.webhook_id, raw)
        try:
            self.pki.leaf_key.public_key().verify(
                base64.b64decode(body["transmission_sig"]), message.encode(),
                padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return "FAILURE"
        return "SUCCESS"

    def sign_delivery(self, body: bytes, time: datetime, *, forged: bool = False,
                      webhook_id: str | None = None,
                      cert_url: str = "https://api.paypal.com" + CERT_PATH) -> Headers:
        """Headers of a delivery of `body` sent at `time`; `webhook_id` signs it for another
        webhook than the double's."""
        transmission_id = self.new_id("tx-")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ")
        signature = self._signature(transmission_id, stamp, body, webhook_id)
        return {
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(b"x" * 32).decode() if forged
            else signature,
            "PAYPAL-TRANSMISSION-TIME": stamp,
        }

    def approve(self, order_id: str) -> None:
        self.orders[order_id]["status"] = "APPROVED"

    def held(self) -> int:
        return sum(1 for a in self.authorizations.values() if a["status"] == "CREATED")


# -- VNPay ----------------------------------------------------------------------------------


class VnpayDouble(ProviderDouble):
    """VNPay's payment page (the shopper pays a signed URL), `querydr` and refund, each
    checking our signatures and signing its answers."""

    def __init__(self, tmn_code: str, secret: str) -> None:
        super().__init__()
        self.tmn_code, self.secret = tmn_code, secret
        self.payments: dict[str, dict[str, str]] = {}
        self.refund_ids: dict[str, dict[str, Any]] = {}

    def error(self, status: int) -> httpx.Response:
        return httpx.Response(status, text="Service Unavailable" if status == 503
                              else "Too Many Requests")

    def is_mutation(self, request: httpx.Request) -> bool:
        return b'"refund"' in request.content

    def pay(self, url: str, response_code: str = "00") -> dict[str, str]:
        """The shopper pays on VNPay's page; returns the IPN parameters VNPay would send."""
        params = dict(parse_qsl(urlsplit(url).query))
        assert verify_query(params, self.secret), "payment URL signature"
        assert params["vnp_TmnCode"] == self.tmn_code
        status = "00" if response_code == "00" else "02"
        payment = {
            "vnp_TxnRef": params["vnp_TxnRef"], "vnp_Amount": params["vnp_Amount"],
            "vnp_BankCode": "NCB", "vnp_PayDate": params["vnp_CreateDate"],
            "vnp_TransactionNo": self.new_id("14"), "vnp_TransactionType": "01",
            "vnp_TransactionStatus": status, "vnp_ResponseCode": response_code,
            "vnp_OrderInfo": params["vnp_OrderInfo"], "vnp_CreateDate": params["vnp_CreateDate"],
        }
        self.payments[params["vnp_TxnRef"]] = payment
        self.mutations.append(("authorize", params["vnp_TxnRef"]))
        return self.notification(payment)

    def notification(self, payment: dict[str, str], secret: str | None = None) -> dict[str, str]:
        params = {k: payment[k] for k in (
            "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
            "vnp_TransactionStatus", "vnp_ResponseCode", "vnp_OrderInfo")}
        params.update(vnp_TmnCode=self.tmn_code, vnp_CardType="ATM", vnp_BankTranNo="VNP1")
        params["vnp_SecureHash"] = sign_query(params, secret or self.secret)
        return params

    def _answer(self, values: dict[str, Any], names: tuple[str, ...]) -> httpx.Response:
        values = {"vnp_ResponseId": self.new_id("R"), "vnp_TmnCode": self.tmn_code, **values}
        values["vnp_SecureHash"] = sign_fields(values, names, self.secret)
        return httpx.Response(200, json=self.tampered(str(values.get("vnp_Command")), values))

    def route(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        command = body.get("vnp_Command")
        names = QUERYDR_FIELDS if command == "querydr" else VNPAY_REFUND_FIELDS
        answer_names = QUERYDR_ANSWER_FIELDS if command == "querydr" else REFUND_ANSWER_FIELDS
        base = {"vnp_Command": command, "vnp_TxnRef": body.get("vnp_TxnRef", "")}
        if sign_fields(body, names, self.secret) != body.get("vnp_SecureHash"):
            return self._answer({**base, "vnp_ResponseCode": "97",
                                 "vnp_Message": "Checksum failed"}, answer_names)
        payment = self.payments.get(body["vnp_TxnRef"])
        if payment is None or payment["vnp_CreateDate"] != body["vnp_TransactionDate"]:
            return self._answer({**base, "vnp_ResponseCode": "91",
                                 "vnp_Message": "Transaction not found"}, answer_names)
        fields = {k: payment[k] for k in ("vnp_Amount", "vnp_BankCode", "vnp_PayDate",
                                          "vnp_TransactionNo", "vnp_OrderInfo")}
        if command == "querydr":
            return self._answer({**base, **fields, "vnp_ResponseCode": "00",
                                 "vnp_Message": "QueryDR Success",
                                 "vnp_TransactionType": payment["vnp_TransactionType"],
                                 "vnp_TransactionStatus": payment["vnp_TransactionStatus"]},
                                answer_names)
        if body["vnp_RequestId"] in self.refund_ids:
            return self._answer({**base, "vnp_ResponseCode": "94",
                                 "vnp_Message": "Duplicate request"}, answer_names)
        if payment["vnp_TransactionStatus"] != "00":
            return self._answer({**base, "vnp_ResponseCode": "95",
                                 "vnp_Message": "Transaction not successful"}, answer_names)
        self.refund_ids[body["vnp_RequestId"]] = body
        self.mutations.append(("refund", body["vnp_RequestId"]))
        payment.update(vnp_TransactionType=body["vnp_TransactionType"])
        return self._answer({**base, **fields, "vnp_Amount": body["vnp_Amount"],
                             "vnp_ResponseCode": "00", "vnp_Message": "Refund success",
                             "vnp_TransactionType": body["vnp_TransactionType"],
                             "vnp_TransactionStatus": "00"}, answer_names)


# -- MoMo -----------------------------------------------------------------------------------


class MomoDouble(ProviderDouble):
    """MoMo's create, query, confirm and refund, checking our signatures; the shopper pays
    with `pay`. Duplicate `orderId`/`requestId` answer 41/40 as MoMo does."""

    def __init__(self, partner_code: str, access_key: str, secret_key: str) -> None:
        super().__init__()
        self.partner_code, self.access_key, self.secret_key = (partner_code, access_key,
                                                               secret_key)
        self.payments: dict[str, dict[str, Any]] = {}
        self.request_ids: set[str] = set()
        self.created: list[dict[str, Any]] = []
        self._operation = ""  # the path of the request being answered

    def error(self, status: int) -> httpx.Response:
        return httpx.Response(status, json={"resultCode": 99 if status == 503 else 47,
                                            "message": "System is busy"})

    def is_mutation(self, request: httpx.Request) -> bool:
        return not request.url.path.endswith("/query")

    def _signed(self, body: dict[str, Any], names: tuple[str, ...]) -> bool:
        expected = sign({**body, "accessKey": self.access_key}, names, self.secret_key)
        return hmac.compare_digest(expected, str(body.get("signature", "")))

    def _answer(self, body: dict[str, Any], code: int, **more: Any) -> httpx.Response:
        return httpx.Response(200, json=self.tampered(self._operation, {
            "partnerCode": self.partner_code, "orderId": body.get("orderId"),
            "requestId": body.get("requestId"), "resultCode": code,
            "message": "Successful." if code == 0 else f"result {code}",
            "responseTime": 1768469400000, **more}))

    def route(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        path = self._operation = request.url.path.rsplit("/", 1)[-1]
        names = {"create": CREATE_FIELDS, "query": QUERY_FIELDS, "refund": REFUND_FIELDS,
                 "confirm": CONFIRM_FIELDS}[path]
        if not self._signed(body, names):
            return self._answer(body, 13)
        if path == "query":
            payment = self.payments.get(body["orderId"])
            if payment is None:
                return self._answer(body, 42)
            return self._answer(body, payment["resultCode"], amount=payment["amount"],
                                transId=payment.get("transId", 0), payType="qr",
                                refundTrans=payment["refunds"])
        if body["requestId"] in self.request_ids:
            return self._answer(body, 40)
        if path == "create" and body["orderId"] in self.payments:
            return self._answer(body, 41)
        self.request_ids.add(body["requestId"])
        if path == "create":
            self.created.append(body)
            self.payments[body["orderId"]] = {"amount": body["amount"], "resultCode": 1000,
                                              "autoCapture": body["autoCapture"],
                                              "refunds": []}
            self.mutations.append(("authorize", body["requestId"]))
            return self._answer(body, 0, amount=body["amount"],
                                payUrl=f"https://test-payment.momo.test/pay?t={body['orderId']}")
        if path == "confirm":
            payment = self.payments[body["orderId"]]
            if payment["resultCode"] != 9000:
                return self._answer(body, 1003)
            payment["resultCode"] = 0 if body["requestType"] == "capture" else 1003
            self.mutations.append(("capture" if body["requestType"] == "capture" else "void",
                                   body["requestId"]))
            return self._answer(body, 0, amount=body["amount"])
        payment = next(p for p in self.payments.values() if p.get("transId") == body["transId"])
        payment["refunds"].append({"orderId": body["orderId"], "amount": body["amount"]})
        self.mutations.append(("refund", body["requestId"]))
        return self._answer(body, 0, amount=body["amount"], transId=self.new_id("3"))

    def pay(self, order_id: str, result_code: int | None = None) -> dict[str, Any]:
        """The shopper pays on MoMo's page; returns the IPN body MoMo would POST."""
        payment = self.payments[order_id]
        if result_code is None:
            result_code = 0 if payment["autoCapture"] else 9000
        payment.update(resultCode=result_code, transId=int(self.new_id("25")))
        return self.notification(order_id)

    def notification(self, order_id: str, secret_key: str | None = None,
                     response_time: int = 1768469400000) -> dict[str, Any]:
        payment = self.payments[order_id]
        data: dict[str, Any] = {
            "partnerCode": self.partner_code, "orderId": order_id, "requestId": order_id,
            "amount": payment["amount"], "orderInfo": "pay", "orderType": "momo_wallet",
            "transId": payment.get("transId", 0), "resultCode": payment["resultCode"],
            "message": "Successful.", "payType": "qr", "responseTime": response_time,
            "extraData": ""}
        data["signature"] = sign({**data, "accessKey": self.access_key}, RESULT_FIELDS,
                                 secret_key or self.secret_key)
        return data

    def held(self) -> int:
        return sum(1 for p in self.payments.values() if p["resultCode"] == 9000)


# -- harnesses ------------------------------------------------------------------------------
