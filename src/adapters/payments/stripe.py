"""Stripe PaymentIntents with manual capture, over Stripe's REST API.

Why not the `stripe` SDK: its `HTTPXClient` builds its own `httpx.Client` (no injected client or
transport without touching private attributes), retries with its own sleeps and random keys,
and keeps configuration in module globals. The four calls we need are plain form-encoded
POSTs, so this adapter sends them over the injected `httpx.Client` exactly as Stripe documents
(bracketed form keys, `Authorization: Bearer`, `Idempotency-Key` on every mutation) and
verifies webhooks with Stripe's `Stripe-Signature` recipe (tested against Stripe's vector).

References are PaymentIntent ids: capture and refund take them, webhooks carry them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from adapters.payments.errors import MissingPaymentDetail
from adapters.payments.signatures import hmac_sha256_hex, same_hex
from adapters.payments.transport import ResultMemo, json_object, send
from commerce_core.payment.errors import GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.money import Money

PROVIDER = "Stripe"
DEFAULT_TOLERANCE = 300

# Webhook event type → our kind. Anything else verifies but is `ignored`.
EVENT_KINDS: Mapping[str, str] = {
    "payment_intent.amount_capturable_updated": "authorized",
    "payment_intent.succeeded": "captured",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "voided",
    "payment_intent.requires_action": "pending",
    "payment_intent.processing": "pending",
    "charge.refunded": "refunded",
    "charge.dispute.created": "disputed",
}


def verify_signature(header: str, body: bytes, secret: str, *, now: int,
                     tolerance: int = DEFAULT_TOLERANCE) -> int:
    """Check a `Stripe-Signature` header against the raw body; the signed timestamp, or
    `InvalidWebhook`. Any `v1` may match; `v0` and unknown schemes are ignored; a timestamp
    older than `tolerance` seconds is refused, a future one accepted (as Stripe's SDK does)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise InvalidWebhook("Stripe-Signature has a malformed timestamp") from None
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidWebhook("Stripe-Signature lacks a timestamp or a v1 signature")
    try:
        payload = f"{timestamp}.{body.decode()}"
    except UnicodeDecodeError:
        raise InvalidWebhook("webhook body is not UTF-8") from None
    expected = hmac_sha256_hex(secret, payload)
    if not any(same_hex(expected, candidate) for candidate in candidates):
        raise InvalidWebhook("Stripe-Signature does not verify")
    if timestamp < now - tolerance:
        raise InvalidWebhook("Stripe webhook is older than the tolerance", timestamp=timestamp)
    return timestamp


def form_fields(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested mappings become `a[b]=c`, booleans `true`/`false`."""
    fields: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if value is None:
            continue
        if isinstance(value, Mapping):
            fields.extend(form_fields(value, name))
        elif isinstance(value, bool):
            fields.append((name, "true" if value else "false"))
        else:
            fields.append((name, str(value)))
    return fields


def _money(amount: object, currency: object) -> Money | None:
    if not isinstance(amount, int) or not isinstance(currency, str):
        return None
    return Money(amount, currency.upper())


class StripeGateway:
    """`PaymentGateway` over Stripe: authorize = a confirmed PaymentIntent with
    `capture_method=manual`; capture (partial with `amount_to_capture`); void = cancel; refund.

    `void` gets only the authorization's idempotency key: it uses the intent this process
    created under that key, or else finds it by the `idempotency_key` metadata every intent
    carries (Stripe's search is eventually consistent, up to about a minute behind).
    """

    name = "stripe"
    # One capture per PaymentIntent (capturing less releases the rest); card holds last 7 days.
    multiple_captures = False
    authorization_window = timedelta(days=7)

    def __init__(self, client: httpx.Client, *, api_key: str, webhook_secret: str, clock: Clock,
                 base_url: str = "https://api.stripe.com", tolerance: int = DEFAULT_TOLERANCE,
                 api_version: str | None = None) -> None:
        self._client, self._clock = client, clock
        self._base = base_url.rstrip("/")
        self._api_key, self._webhook_secret = api_key, webhook_secret
        self._tolerance, self._api_version = tolerance, api_version
        self._memo = ResultMemo()
        self._intents: dict[str, str] = {}  # authorization key → PaymentIntent id
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # keeps the keys out of logs and tracebacks
        return f"StripeGateway(base_url={self._base!r})"

    # -- HTTP -------------------------------------------------------------------------------

    def _headers(self, idempotency_key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._api_key}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if self._api_version:
            headers["Stripe-Version"] = self._api_version
        return headers

    def _post(self, path: str, data: Mapping[str, Any], key: str) -> tuple[int, dict[str, Any]]:
        response = send(PROVIDER, lambda: self._client.post(
            self._base + path, data=dict(form_fields(data)), headers=self._headers(key)))
        return response.status_code, json_object(PROVIDER, response)

    def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        response = send(PROVIDER, lambda: self._client.get(
            self._base + path, params=dict(params), headers=self._headers(None)))
        body = json_object(PROVIDER, response)
        if response.status_code != 200:
            raise self._unavailable(response.status_code, body)
        return body

    @staticmethod
    def _unavailable(status: int, body: Mapping[str, Any]) -> GatewayUnavailable:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        assert isinstance(error, dict)
        return GatewayUnavailable(
            f"{PROVIDER} refused the request ({status} {error.get('type', 'error')})",
            status=status, provider_code=error.get("code"))

    @staticmethod
    def _refusal(status: int, body: Mapping[str, Any]) -> GatewayResult | None:
        """A decline or a refused capture/refund (400/402/404 with an error code) as a result;
        None for errors that are ours or the provider's (auth, idempotency misuse)."""
        error = body.get("error")
        if status not in (400, 402, 404) or not isinstance(error, dict):
            return None
        if error.get("type") == "idempotency_error" or not error.get("code"):
            return None
        intent = error.get("payment_intent")
        return GatewayResult(
            approved=False,
            reference=intent.get("id") if isinstance(intent, dict) else None,
            decline_code=str(error.get("decline_code") or error["code"]),
            message=str(error.get("message", "")),
        )

    # -- the port ---------------------------------------------------------------------------

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        if (known := self._memo.get(request.idempotency_key)) is not None:
            return known
        if not request.payment_token:
            raise MissingPaymentDetail("Stripe needs a payment method token to authorize")
        data: dict[str, Any] = {
            "amount": request.amount.amount,
            "currency": request.amount.currency.lower(),
            "capture_method": "manual",
            "confirm": True,
            "payment_method": request.payment_token,
            "metadata": {"order_id": request.order_id, "payment_id": request.payment_id,
                         "idempotency_key": request.idempotency_key},
        }
        if request.return_url:
            data["return_url"] = request.return_url
        else:
            data["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
        if request.customer_email:
            data["receipt_email"] = request.customer_email
        status, body = self._post("/v1/payment_intents", data, request.idempotency_key)
        if status == 200:
            with self._lock:
                self._intents[request.idempotency_key] = str(body["id"])
            result = self._intent_result(body)
        elif (refusal := self._refusal(status, body)) is not None:
            if refusal.reference:
                with self._lock:
                    self._intents[request.idempotency_key] = refusal.reference
            result = refusal
        else:
            raise self._unavailable(status, body)
        return self._memo.put(request.idempotency_key, result, keep_pending=True)

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult:
        """The intent's outcome after 3-D Secure or a redirect (a read; the key is unused)."""
        return self._intent_result(self._get(f"/v1/payment_intents/{reference}", {}))

    @staticmethod
    def _intent_result(intent: Mapping[str, Any]) -> GatewayResult:
        status, reference = intent.get("status"), str(intent.get("id"))
        if status in ("requires_capture", "succeeded"):
            return GatewayResult(approved=True, reference=reference)
        if status in ("requires_action", "requires_confirmation", "processing"):
            next_action = intent.get("next_action") or {}
            redirect = (next_action.get("redirect_to_url") or {}).get("url")
            return GatewayResult(approved=False, reference=reference, pending=True,
                                 redirect_url=redirect, message=str(status))
        error = intent.get("last_payment_error")
        if status == "requires_payment_method" and isinstance(error, dict):
            return GatewayResult(approved=False, reference=reference,
                                 decline_code=str(error.get("decline_code")
                                                  or error.get("code") or "declined"),
                                 message=str(error.get("message", "")))
        if status == "requires_payment_method":
            return GatewayResult(approved=False, reference=reference, pending=True,
                                 message=str(status))
        return GatewayResult(approved=False, reference=reference, decline_code=str(status))

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        status, body = self._post(f"/v1/payment_intents/{reference}/capture",
                                  {"amount_to_capture": amount.amount}, idempotency_key)
        if status == 200:
            result = (GatewayResult(approved=True, reference=reference)
                      if body.get("status") == "succeeded" else self._intent_result(body))
        elif (refusal := self._refusal(status, body)) is not None:
            result = refusal
        else:
            raise self._unavailable(status, body)
        return self._memo.put(idempotency_key, result)

    def void(self, authorization_key: str) -> None:
        with self._lock:
            intent_id = self._intents.get(authorization_key)
        if intent_id is None:
            quoted = authorization_key.replace("\\", "\\\\").replace("'", "\\'")
            found = self._get("/v1/payment_intents/search",
                              {"query": f"metadata['idempotency_key']:'{quoted}'"})
            data = found.get("data") or []
            if not data:
                return  # nothing was authorized under this key
            intent_id = str(data[0]["id"])
        status, body = self._post(f"/v1/payment_intents/{intent_id}/cancel",
                                  {"cancellation_reason": "abandoned"},
                                  f"{authorization_key}:void")
        if status == 200 or self._refusal(status, body) is not None:
            return  # cancelled now, or already cancelled/captured: nothing left to release
        raise self._unavailable(status, body)

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        status, body = self._post("/v1/refunds",
                                  {"payment_intent": reference, "amount": amount.amount},
                                  idempotency_key)
        if status == 200:
            refund_status = body.get("status")
            if refund_status == "succeeded":
                result = GatewayResult(approved=True, reference=str(body.get("id")))
            elif refund_status in ("pending", "requires_action"):
                result = GatewayResult(approved=False, reference=str(body.get("id")),
                                       pending=True, message=str(refund_status))
            else:
                result = GatewayResult(approved=False, reference=str(body.get("id")),
                                       decline_code=f"refund_{refund_status}")
        elif (refusal := self._refusal(status, body)) is not None:
            result = refusal
        else:
            raise self._unavailable(status, body)
        return self._memo.put(idempotency_key, result)

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        header = {k.lower(): v for k, v in headers.items()}.get("stripe-signature", "")
        verify_signature(header, body, self._webhook_secret,
                         now=int(self._clock.now().timestamp()), tolerance=self._tolerance)
        try:
            event = json.loads(body)
            obj = event["data"]["object"]
            event_type = str(event["type"])
            kind = EVENT_KINDS.get(event_type, "ignored")
            if kind == "disputed":  # a dispute object: its charge's intent names the payment
                return WebhookEvent(
                    gateway=self.name, event_id=str(event["id"]), kind=kind,
                    reference=str(obj.get("payment_intent") or obj["charge"]),
                    amount=_money(obj.get("amount"), obj.get("currency")),
                    dispute_id=str(obj["id"]), reason=str(obj.get("reason") or "unknown"))
            if event_type.startswith("charge."):
                reference = str(obj.get("payment_intent") or obj["id"])
                amount = _money(obj.get("amount_refunded") if kind == "refunded"
                                else obj.get("amount"), obj.get("currency"))
                if kind == "refunded" and not obj.get("refunded", False):
                    kind = "partially_refunded"
            else:
                reference = str(obj["id"])
                field = {"authorized": "amount_capturable",
                         "captured": "amount_received"}.get(kind, "amount")
                amount = _money(obj.get(field), obj.get("currency"))
            return WebhookEvent(gateway=self.name, event_id=str(event["id"]), kind=kind,
                                reference=reference, amount=amount)
        except (ValueError, KeyError, TypeError, AttributeError, CommerceError) as exc:
            raise InvalidWebhook(f"malformed Stripe webhook: {type(exc).__name__}") from exc
