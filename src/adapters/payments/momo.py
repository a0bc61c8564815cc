"""MoMo AIO gateway v2: create (`captureWallet`), IPN and redirect verification, query,
refund, and `/confirm` for holds.

MoMo is a redirect: `authorize` creates the payment and answers `pending` with MoMo's `payUrl`;
the IPN (or `complete`, a `/query`) gives the outcome. MoMo's `orderId` and `requestId` of the
payment are both derived from our idempotency key, so a repeat is recognised by MoMo itself
and `void` finds the payment from the key in any process. With `auto_capture=True` (MoMo's
default) the payment is a sale: `capture` confirms it by query and `void` has nothing to
release. With `auto_capture=False` MoMo holds the money (`resultCode` 9000) and `capture` /
`void` are `/confirm` calls.

Signatures: HMAC-SHA256 hex with the secret key over `key=value` pairs joined with `&`, keys
in MoMo's fixed (alphabetical) order, values raw, `accessKey` always included. MoMo documents
no signature recipe for its answers, so an answer is believed only when it repeats its
request (partner, order and request ids, and the amount of a create) and a created payment's
`payUrl` is https: otherwise a create or query is `GatewayUnavailable` (nothing moved) and a
confirm or refund `GatewayTimeout` (it may have moved).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from attrs import field, frozen

from adapters.payments.errors import UnsupportedCurrency
from adapters.payments.signatures import hmac_sha256_hex, same_hex, short_digest
from adapters.payments.transport import ResultMemo, json_object, send
from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.clock import Clock
from commerce_core.shared.money import Money

PROVIDER = "MoMo"

CREATE_FIELDS = ("accessKey", "amount", "extraData", "ipnUrl", "orderId", "orderInfo",
                 "partnerCode", "redirectUrl", "requestId", "requestType")
RESULT_FIELDS = ("accessKey", "amount", "extraData", "message", "orderId", "orderInfo",
                 "orderType", "partnerCode", "payType", "requestId", "responseTime",
                 "resultCode", "transId")
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
REFUND_FIELDS = ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId",
                 "transId")
CONFIRM_FIELDS = ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId",
                  "requestType")
# What MoMo's answers repeat of their request.
CREATE_ECHO = ("partnerCode", "orderId", "requestId", "amount")
QUERY_ECHO = ("partnerCode", "orderId")
CHANGE_ECHO = ("partnerCode", "orderId", "requestId")

PENDING_CODES = frozenset({1000, 7000, 7002})
# Request or configuration errors: not payment outcomes.
ERROR_CODES = frozenset({10, 11, 12, 13, 20, 21, 22, 40, 41, 42, 43, 45, 47})
KINDS: Mapping[int, str] = {0: "captured", 1003: "voided", 1005: "expired", 1006: "cancelled",
                            1017: "cancelled"}


@frozen
class MomoCredentials:
    partner_code: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)


def signature_input(values: Mapping[str, Any], names: Sequence[str]) -> str:
    def text(value: Any) -> str:
        return "" if value is None else str(value)
    return "&".join(f"{name}={text(values.get(name))}" for name in names)


def sign(values: Mapping[str, Any], names: Sequence[str], secret_key: str) -> str:
    return hmac_sha256_hex(secret_key, signature_input(values, names))


def momo_id(idempotency_key: str, purpose: str = "") -> str:
    """A MoMo `orderId`/`requestId` (letters and digits, ≤50) stable for the key."""
    return "CC" + short_digest(f"{idempotency_key}{purpose}", 30)


class MomoGateway:
    """`RedirectGateway` over MoMo; VND only."""

    name = "momo"
    multiple_captures = False

    def __init__(self, client: httpx.Client, *, credentials: MomoCredentials, clock: Clock,
                 ipn_url: str, redirect_url: str | None = None,
                 base_url: str = "https://payment.momo.vn/v2/gateway/api",
                 auto_capture: bool = True, lang: str = "vi",
                 max_age: timedelta | None = None) -> None:
        self._client, self._clock, self._credentials = client, clock, credentials
        self._base = base_url.rstrip("/")
        self._ipn_url, self._redirect_url = ipn_url, redirect_url
        self._auto_capture, self._lang, self._max_age = auto_capture, lang, max_age
        # A sale has no hold to lapse; a two-step payment's hold is confirmed within 7 days.
        self.authorization_window: timedelta | None = (None if auto_capture
                                                       else timedelta(days=7))
        self._memo = ResultMemo()

    def __repr__(self) -> str:
        return f"MomoGateway(partner_code={self._credentials.partner_code!r})"

    def _post(self, path: str, body: dict[str, Any], names: Sequence[str],
              echoed: Sequence[str] = ()) -> dict[str, Any]:
        """Send a signed request; the answer, which must repeat the request's `echoed` fields
        (MoMo documents no signature on its answers, so this is what ties an answer to its
        request: one for another payment, partner or amount is not believed)."""
        signed = {"accessKey": self._credentials.access_key, **body}
        body["signature"] = sign(signed, names, self._credentials.secret_key)
        response = send(PROVIDER, lambda: self._client.post(self._base + path, json=body))
        answer = json_object(PROVIDER, response)
        code = answer.get("resultCode")
        if not isinstance(code, int) or code in ERROR_CODES:
            raise GatewayUnavailable(f"{PROVIDER} refused the request (resultCode {code})",
                                     status=response.status_code, provider_code=code)
        if any(str(answer.get(name)) != str(body[name]) for name in echoed):
            if path in ("/refund", "/confirm"):
                # Money may have moved: the outcome is unknown, as after a lost answer.
                raise GatewayTimeout(f"{PROVIDER} answer does not match its request")
            raise GatewayUnavailable(f"{PROVIDER} answer does not match its request",
                                     status=response.status_code)
        return answer

    def _outcome(self, reference: str, code: int) -> GatewayResult:
        if code == 0 or code == 9000:
            return GatewayResult(approved=True, reference=reference)
        if code in PENDING_CODES:
            return GatewayResult(approved=False, reference=reference, pending=True)
        return GatewayResult(approved=False, reference=reference, decline_code=str(code))

    def _query(self, order_id: str) -> dict[str, Any]:
        now_ms = int(self._clock.now().timestamp() * 1000)
        return self._post("/query", {
            "partnerCode": self._credentials.partner_code,
            "requestId": momo_id(order_id, f":query:{now_ms}"),
            "orderId": order_id, "lang": self._lang,
        }, QUERY_FIELDS, QUERY_ECHO)

    # -- the port ---------------------------------------------------------------------------

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        if (known := self._memo.get(request.idempotency_key)) is not None:
            return known
        if request.amount.currency != "VND":
            raise UnsupportedCurrency(f"MoMo takes VND, not {request.amount.currency}",
                                      currency=request.amount.currency)
        order_id = momo_id(request.idempotency_key)
        body = {
            "partnerCode": self._credentials.partner_code, "requestId": order_id,
            "amount": request.amount.amount, "orderId": order_id,
            "orderInfo": f"Thanh toan don hang {request.order_id}",
            "redirectUrl": request.return_url or self._redirect_url or "",
            "ipnUrl": self._ipn_url, "requestType": "captureWallet", "extraData": "",
            "lang": self._lang, "autoCapture": self._auto_capture,
        }
        try:
            answer = self._post("/create", body, CREATE_FIELDS, CREATE_ECHO)
        except GatewayUnavailable as exc:
            if exc.details.get("provider_code") not in (40, 41):
                raise
            # Created already under this key (by another process): ask MoMo where it stands.
            return self.complete(order_id, request.idempotency_key)
        code = int(answer["resultCode"])
        if code == 0:
            pay_url = str(answer.get("payUrl") or "")
            if urlsplit(pay_url).scheme != "https":
                raise GatewayUnavailable(f"{PROVIDER} answered without an https payment page")
            result = GatewayResult(approved=False, reference=order_id, pending=True,
                                   redirect_url=pay_url)
        else:
            result = self._outcome(order_id, code)
        return self._memo.put(request.idempotency_key, result, keep_pending=True)

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        result = self._outcome(reference, int(self._query(reference)["resultCode"]))
        return self._memo.put(idempotency_key, result)

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        state = self._query(reference)
        code = int(state["resultCode"])
        if self._auto_capture or code != 9000:
            result = self._outcome(reference, code)
            if result.approved and int(state.get("amount", 0)) != amount.amount:
                result = GatewayResult(approved=False, reference=reference,
                                       decline_code="partial_capture_unsupported")
        else:
            result = self._confirm(reference, amount.amount, "capture", idempotency_key)
        return self._memo.put(idempotency_key, result)

    def _confirm(self, order_id: str, amount: int, kind: str, key: str) -> GatewayResult:
        answer = self._post("/confirm", {
            "partnerCode": self._credentials.partner_code, "requestId": momo_id(key, kind),
            "orderId": order_id, "requestType": kind, "amount": amount, "lang": self._lang,
            "description": "",
        }, CONFIRM_FIELDS, CHANGE_ECHO)
        return self._outcome(order_id, int(answer["resultCode"]))

    def void(self, authorization_key: str) -> None:
        """Cancels a hold (auto_capture=False); a sale holds nothing to release."""
        if self._auto_capture:
            return
        order_id = momo_id(authorization_key)
        try:
            state = self._query(order_id)
        except GatewayUnavailable as exc:
            if exc.details.get("provider_code") == 42:
                return  # MoMo knows no payment under this key: nothing was authorized
            raise
        if state.get("resultCode") == 9000:
            self._confirm(order_id, int(state["amount"]), "cancel", authorization_key)

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        paid = self._query(reference)
        if paid.get("resultCode") != 0 or not paid.get("transId"):
            return self._memo.put(idempotency_key, GatewayResult(
                approved=False, reference=reference, decline_code="nothing_to_refund"))
        refund_id = momo_id(idempotency_key, ":refund")
        answer = self._post("/refund", {
            "partnerCode": self._credentials.partner_code, "orderId": refund_id,
            "requestId": refund_id, "amount": amount.amount, "transId": paid["transId"],
            "lang": self._lang, "description": "",
        }, REFUND_FIELDS, CHANGE_ECHO)
        code = int(answer["resultCode"])
        if code == 1080:  # failed in processing, retried later under a new request id
            result = GatewayResult(approved=False, reference=reference, pending=True)
        else:
            result = self._outcome(reference, code)
        return self._memo.put(idempotency_key, result)

    # -- IPN and redirect -------------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The IPN (a JSON POST). Answer it with HTTP 204 and no body."""
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise InvalidWebhook("malformed MoMo notification") from exc
        if not isinstance(data, dict):
            raise InvalidWebhook("malformed MoMo notification")
        return self._result(data)

    def read_redirect(self, query: str) -> WebhookEvent:
        """The buyer's return to `redirectUrl`, verified, to display only."""
        return self._result(dict(parse_qsl(query, keep_blank_values=True)))

    def _result(self, data: Mapping[str, Any]) -> WebhookEvent:
        signed = {**data, "accessKey": self._credentials.access_key}
        expected = sign(signed, RESULT_FIELDS, self._credentials.secret_key)
        if not same_hex(expected, str(data.get("signature", ""))):
            raise InvalidWebhook("MoMo signature does not verify")
        if data.get("partnerCode") != self._credentials.partner_code:
            raise InvalidWebhook("MoMo notification for another partner")
        try:
            code, amount = int(data["resultCode"]), int(data["amount"])
            sent = datetime.fromtimestamp(int(data["responseTime"]) / 1000, UTC)
            order_id = str(data["orderId"])
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidWebhook("malformed MoMo notification") from exc
        if self._max_age is not None and sent < self._clock.now() - self._max_age:
            raise InvalidWebhook("MoMo notification is older than the accepted age")
        if code == 9000:
            kind = "captured" if self._auto_capture else "authorized"
        elif code in PENDING_CODES:
            kind = "pending"
        else:
            kind = KINDS.get(code, "failed")
        return WebhookEvent(gateway=self.name, kind=kind, reference=order_id,
                            event_id=f"{order_id}:{data.get('transId', '')}:{code}",
                            amount=Money(amount, "VND"))
