"""Provider doubles for the gateway contract suite: small stateful stand-ins for Stripe, PayPal,
VNPay and MoMo behind `httpx.MockTransport`, answering with bodies shaped as each provider
documents them (errors included), keeping their own idempotency stores, and recording every
request so a test can see what went over the wire and which mutations took effect.

Each double is paired with a harness that builds the adapter under test and plays the shopper
(approving on PayPal, paying on VNPay or MoMo) and the provider's webhooks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
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
    CONFIRM_FIELDS,
    CREATE_FIELDS,
    QUERY_FIELDS,
    REFUND_FIELDS,
    RESULT_FIELDS,
    momo_id,
    sign,
)
from adapters.payments.paypal import crc_message
from adapters.payments.signatures import hmac_sha256_hex, short_digest
from adapters.payments.vnpay import (
    QUERYDR_ANSWER_FIELDS,
    QUERYDR_FIELDS,
    REFUND_ANSWER_FIELDS,
    VIETNAM,
    sign_fields,
    sign_query,
    verify_query,
)
from adapters.payments.vnpay import REFUND_FIELDS as VNPAY_REFUND_FIELDS
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, PaymentGateway
from commerce_core.shared.money import Money

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


class PayPalDouble(ProviderDouble):
    """Orders v2 and Payments v2 with `PayPal-Request-Id` replays, OAuth2 tokens, and a
    verify-webhook-signature endpoint (signatures simulated with an HMAC of the CRC message
    in place of PayPal's RSA key)."""

    def __init__(self, client_id: str, secret: str, webhook_id: str) -> None:
        super().__init__()
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

    def _signature(self, transmission_id: str, time: str, body: bytes) -> str:
        message = crc_message(transmission_id, time, self.webhook_id, body)
        return base64.b64encode(hmac.new(self.signing_key, message.encode(),
                                         hashlib.sha256).digest()).decode()

    def _verify(self, body: dict[str, Any]) -> str:
        raw = json.dumps(body["webhook_event"], separators=(",", ":")).encode()
        expected = self._signature(body["transmission_id"], body["transmission_time"], raw)
        ok = (body["webhook_id"] == self.webhook_id
              and hmac.compare_digest(expected, body["transmission_sig"]))
        return "SUCCESS" if ok else "FAILURE"

    def sign_delivery(self, body: bytes, time: datetime, *, forged: bool = False) -> Headers:
        transmission_id = self.new_id("tx-")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ")
        signature = self._signature(transmission_id, stamp, body)
        return {
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": "https://api.paypal.com/v1/notifications/certs/CERT-1",
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
        return httpx.Response(200, json=values)

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

    def error(self, status: int) -> httpx.Response:
        return httpx.Response(status, json={"resultCode": 99 if status == 503 else 47,
                                            "message": "System is busy"})

    def is_mutation(self, request: httpx.Request) -> bool:
        return not request.url.path.endswith("/query")

    def _signed(self, body: dict[str, Any], names: tuple[str, ...]) -> bool:
        expected = sign({**body, "accessKey": self.access_key}, names, self.secret_key)
        return hmac.compare_digest(expected, str(body.get("signature", "")))

    def _answer(self, body: dict[str, Any], code: int, **more: Any) -> httpx.Response:
        return httpx.Response(200, json={
            "partnerCode": self.partner_code, "orderId": body.get("orderId"),
            "requestId": body.get("requestId"), "resultCode": code,
            "message": "Successful." if code == 0 else f"result {code}",
            "responseTime": 1768469400000, **more})

    def route(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        path = request.url.path.rsplit("/", 1)[-1]
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
    "vnpay": VnpayHarness, "momo": MomoHarness,
}
