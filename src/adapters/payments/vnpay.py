"""VNPay (API 2.1.0): the payment URL, Return URL and IPN verification, `querydr` and refund.

VNPay is a redirect sale: `authorize` builds the signed payment URL locally (no request) and
answers `pending`; the shopper pays on VNPay's page; the IPN (or `complete`, a `querydr`) says
whether the money was taken. There is no hold, so `void` is always a no-op and releasing a
paid order is a refund. `capture` confirms the sale with `querydr` (no partial capture).

The reference is `vnp_TxnRef`: the payment's create date (`yyyyMMddHHmmss`, Vietnam time)
followed by 18 hex digits derived from the idempotency key. `querydr` and refund must name the
original create date, and the reference is all they are given.

Signatures (HMAC-SHA512 hex with the hash secret): the payment URL, Return URL and IPN sign the
sorted, form-encoded `vnp_*` fields (`canonical_query`); `querydr` and refund sign their values
joined with `|` in a fixed order, and so do their answers. Every answer is verified before
it is read: a `querydr` answer that does not verify raises `GatewayUnavailable` (a query moves
nothing), a refund answer that does not verify leaves the refund pending (it may or may not
have been made).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import httpx
from attrs import field, frozen

from adapters.payments.errors import MissingPaymentDetail, UnsupportedCurrency
from adapters.payments.signatures import hmac_sha512_hex, same_hex, short_digest
from adapters.payments.transport import ResultMemo, json_object, send
from commerce_core.payment.errors import GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.clock import Clock
from commerce_core.shared.money import Money

log = logging.getLogger(__name__)

PROVIDER = "VNPay"
VERSION = "2.1.0"
VIETNAM = timezone(timedelta(hours=7))
DATE_FORMAT = "%Y%m%d%H%M%S"

QUERYDR_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                  "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
REFUND_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode",
                 "vnp_TransactionType", "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo",
                 "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr",
                 "vnp_OrderInfo")
QUERYDR_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
    "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
    "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
    "vnp_PromotionAmount")
REFUND_ANSWER_FIELDS = QUERYDR_ANSWER_FIELDS[:13]

# IPN replies (HTTP 200, this JSON body), as VNPay specifies them.
IPN_REPLIES: Mapping[str, str] = {
    "00": "Confirm Success", "01": "Order not found", "02": "Order already confirmed",
    "04": "Invalid amount", "97": "Invalid signature", "99": "Unknown error",
}
_UNSAFE_TEXT = re.compile(r"[^A-Za-z0-9 :_.\-]")


@frozen
class VnpayCredentials:
    tmn_code: str
    hash_secret: str = field(repr=False)


def canonical_query(params: Mapping[str, str]) -> str:
    """The string VNPay signs and sends: `vnp_*` fields without the hash fields and empty
    values, sorted by name, values form-encoded (space as `+`, uppercase `%XX`)."""
    kept = sorted((k, v) for k, v in params.items()
                  if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
                  and v != "")
    return "&".join(f"{k}={quote_plus(v)}" for k, v in kept)


def sign_query(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512_hex(secret, canonical_query(params))


def verify_query(params: Mapping[str, str], secret: str) -> bool:
    received = params.get("vnp_SecureHash", "")
    return bool(received) and same_hex(sign_query(params, secret), received)


def sign_fields(values: Mapping[str, Any], names: Sequence[str], secret: str) -> str:
    """HMAC-SHA512 hex of the named values joined with `|` (absent ones as "")."""
    return hmac_sha512_hex(secret, "|".join(str(values.get(name, "") or "") for name in names))


def order_info(text: str) -> str:
    """VNPay wants unaccented ASCII without special characters, at most 255 of them: accents
    are dropped (đ becomes d), anything else unsafe becomes a space."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = plain.encode("ascii", "ignore").decode()
    return " ".join(_UNSAFE_TEXT.sub(" ", ascii_only).split())[:255]


@frozen
class IpnOrder:
    """What an IPN answer needs to know about our order: its amount and whether it still
    awaits the payment."""

    amount: Money
    pending: bool


def payment_kind(response_code: str, transaction_status: str) -> str:
    if (response_code, transaction_status) == ("00", "00") or "07" in (
            response_code, transaction_status):
        return "captured"  # 07: debited but flagged, captured with a fraud review
    return {"24": "cancelled", "11": "expired"}.get(response_code, "failed")


class VnpayGateway:
    """`RedirectGateway` over VNPay; VND only."""

    name = "vnpay"
    # A sale: the money is taken when the shopper pays, so there is no hold to lapse.
    authorization_window = None

    def __init__(self, client: httpx.Client, *, credentials: VnpayCredentials, clock: Clock,
                 payment_url: str = "https://pay.vnpay.vn/vpcpay.html",
                 api_url: str = "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
                 return_url: str | None = None, server_ip: str = "127.0.0.1",
                 locale: str = "vn", expires_after: timedelta = timedelta(minutes=15),
                 operator: str = "system", max_age: timedelta | None = None) -> None:
        self._client, self._clock, self._credentials = client, clock, credentials
        self._payment_url, self._api_url = payment_url, api_url
        self._return_url, self._server_ip, self._locale = return_url, server_ip, locale
        self._expires_after, self._operator, self._max_age = expires_after, operator, max_age
        self._memo = ResultMemo()

    def __repr__(self) -> str:
        return f"VnpayGateway(tmn_code={self._credentials.tmn_code!r})"

    def _now(self) -> datetime:
        return self._clock.now().astimezone(VIETNAM)

    # -- payment URL ------------------------------------------------------------------------

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        if (known := self._memo.get(request.idempotency_key)) is not None:
            return known
        if request.amount.currency != "VND":
            raise UnsupportedCurrency(f"VNPay takes VND, not {request.amount.currency}",
                                      currency=request.amount.currency)
        return_url = request.return_url or self._return_url
        if not return_url or not request.client_ip:
            raise MissingPaymentDetail("VNPay needs a return URL and the shopper's IP address")
        now = self._now()
        created = now.strftime(DATE_FORMAT)
        reference = created + short_digest(request.idempotency_key, 18)
        params = {
            "vnp_Version": VERSION, "vnp_Command": "pay",
            "vnp_TmnCode": self._credentials.tmn_code,
            "vnp_Amount": str(request.amount.amount * 100),
            "vnp_CreateDate": created,
            "vnp_ExpireDate": (now + self._expires_after).strftime(DATE_FORMAT),
            "vnp_CurrCode": "VND", "vnp_IpAddr": request.client_ip, "vnp_Locale": self._locale,
            "vnp_OrderInfo": order_info(f"Thanh toan don hang {request.order_id}"),
            "vnp_OrderType": "other", "vnp_ReturnUrl": return_url, "vnp_TxnRef": reference,
        }
        query = canonical_query(params)
        url = (f"{self._payment_url}?{query}&vnp_SecureHash="
               f"{hmac_sha512_hex(self._credentials.hash_secret, query)}")
        result = GatewayResult(approved=False, reference=reference, pending=True,
                               redirect_url=url)
        return self._memo.put(request.idempotency_key, result, keep_pending=True)

    # -- querydr and refund -----------------------------------------------------------------

    def _api(self, body: dict[str, str], names: Sequence[str],
             answer_names: Sequence[str]) -> tuple[dict[str, Any], bool]:
        """Send a signed `querydr` or refund; the answer, and whether its signature verifies."""
        body["vnp_SecureHash"] = sign_fields(body, names, self._credentials.hash_secret)
        response = send(PROVIDER, lambda: self._client.post(self._api_url, json=body))
        answer = json_object(PROVIDER, response)
        if response.status_code != 200:
            raise GatewayUnavailable(f"{PROVIDER} answered {response.status_code}",
                                     status=response.status_code)
        expected = sign_fields(answer, answer_names, self._credentials.hash_secret)
        return answer, same_hex(expected, str(answer.get("vnp_SecureHash", "")))

    def _querydr(self, reference: str, idempotency_key: str) -> dict[str, Any]:
        now = self._now().strftime(DATE_FORMAT)
        body = {
            "vnp_RequestId": short_digest(f"{idempotency_key}:{now}:query", 32),
            "vnp_Version": VERSION, "vnp_Command": "querydr",
            "vnp_TmnCode": self._credentials.tmn_code, "vnp_TxnRef": reference,
            "vnp_OrderInfo": order_info(f"Truy van GD ma {reference}"),
            "vnp_TransactionDate": reference[:14], "vnp_CreateDate": now,
            "vnp_IpAddr": self._server_ip,
        }
        answer, verified = self._api(body, QUERYDR_FIELDS, QUERYDR_ANSWER_FIELDS)
        if not verified:
            # Nothing moved on a query: an answer we cannot trust is no answer.
            raise GatewayUnavailable(f"{PROVIDER} querydr answer does not verify")
        code = str(answer.get("vnp_ResponseCode"))
        if code not in ("00", "91"):
            raise GatewayUnavailable(f"{PROVIDER} querydr answered {code}", provider_code=code)
        return answer

    @staticmethod
    def _sale(reference: str, answer: Mapping[str, Any]) -> GatewayResult:
        """A querydr answer as an authorization outcome (a VNPay sale is captured at once)."""
        if answer.get("vnp_ResponseCode") == "91":
            return GatewayResult(approved=False, reference=reference, pending=True,
                                 message="not paid yet")
        status = str(answer.get("vnp_TransactionStatus"))
        if status in ("00", "07"):
            return GatewayResult(approved=True, reference=reference,
                                 message="fraud review" if status == "07" else "")
        if status == "01":
            return GatewayResult(approved=False, reference=reference, pending=True)
        return GatewayResult(approved=False, reference=reference, decline_code=status)

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        result = self._sale(reference, self._querydr(reference, idempotency_key))
        return self._memo.put(idempotency_key, result)

    def capture(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        """Confirms the sale: approved when VNPay took exactly `amount`."""
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        answer = self._querydr(reference, idempotency_key)
        result = self._sale(reference, answer)
        if result.approved and int(answer.get("vnp_Amount", 0)) != amount.amount * 100:
            result = GatewayResult(approved=False, reference=reference,
                                   decline_code="partial_capture_unsupported")
        return self._memo.put(idempotency_key, result)

    def void(self, authorization_key: str) -> None:
        """No hold exists at VNPay; a paid order is released by a refund."""

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        if (known := self._memo.get(idempotency_key)) is not None:
            return known
        paid = self._querydr(reference, idempotency_key)
        if not self._sale(reference, paid).approved:
            return self._memo.put(idempotency_key, GatewayResult(
                approved=False, reference=reference, decline_code="nothing_to_refund"))
        full = int(paid.get("vnp_Amount", 0)) == amount.amount * 100
        body = {
            "vnp_RequestId": short_digest(idempotency_key, 32),
            "vnp_Version": VERSION, "vnp_Command": "refund",
            "vnp_TmnCode": self._credentials.tmn_code,
            "vnp_TransactionType": "02" if full else "03", "vnp_TxnRef": reference,
            "vnp_Amount": str(amount.amount * 100),
            "vnp_TransactionNo": str(paid.get("vnp_TransactionNo") or "0"),
            "vnp_TransactionDate": reference[:14], "vnp_CreateBy": self._operator,
            "vnp_CreateDate": self._now().strftime(DATE_FORMAT), "vnp_IpAddr": self._server_ip,
            "vnp_OrderInfo": order_info(f"Hoan tien GD ma {reference}"),
        }
        answer, verified = self._api(body, REFUND_FIELDS, REFUND_ANSWER_FIELDS)
        if not verified:
            # The refund may have been made or not: its outcome stays unknown (pending, not
            # remembered) rather than read from an answer that may be altered, and a later
            # attempt under the same key asks again.
            log.warning("VNPay refund answer signature does not verify",
                        extra={"txn_ref": reference})
            return GatewayResult(approved=False, reference=reference, pending=True,
                                 message="refund answer did not verify")
        code, status = str(answer.get("vnp_ResponseCode")), answer.get("vnp_TransactionStatus")
        if code == "00" and status in ("05", "06"):
            result = GatewayResult(approved=False, reference=reference, pending=True)
        elif code == "00" and status != "09":
            result = GatewayResult(approved=True, reference=reference)
        elif code == "94":  # a refund is already in progress: waiting, not failed
            result = GatewayResult(approved=False, reference=reference, pending=True,
                                   message="refund already in progress")
        elif code in ("00", "91", "95", "97", "99"):
            result = GatewayResult(approved=False, reference=reference,
                                   decline_code=f"refund_{status if code == '00' else code}")
        else:
            raise GatewayUnavailable(f"{PROVIDER} refund answered {code}", provider_code=code)
        return self._memo.put(idempotency_key, result)

    # -- Return URL and IPN -----------------------------------------------------------------

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The IPN (or the Return URL): VNPay sends it as a GET, so `body` is the raw query
        string. Only a verified, well-formed notification of our terminal comes back."""
        try:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidWebhook("malformed VNPay notification") from exc
        if not verify_query(params, self._credentials.hash_secret):
            raise InvalidWebhook("VNPay signature does not verify")
        if params.get("vnp_TmnCode") != self._credentials.tmn_code:
            raise InvalidWebhook("VNPay notification for another terminal")
        try:
            raw_amount = int(params["vnp_Amount"])
            paid_at = datetime.strptime(params["vnp_PayDate"], DATE_FORMAT).replace(
                tzinfo=VIETNAM)
            reference = params["vnp_TxnRef"]
            kind = payment_kind(params["vnp_ResponseCode"],
                                params.get("vnp_TransactionStatus", ""))
        except (KeyError, ValueError) as exc:
            raise InvalidWebhook("malformed VNPay notification") from exc
        if raw_amount % 100:
            raise InvalidWebhook("VNPay amount is not a whole number of dong")
        if self._max_age is not None and paid_at < self._clock.now() - self._max_age:
            raise InvalidWebhook("VNPay notification is older than the accepted age")
        return WebhookEvent(
            gateway=self.name, kind=kind, reference=reference,
            event_id=f"{reference}:{params.get('vnp_TransactionNo', '')}:"
                     f"{params['vnp_ResponseCode']}",
            amount=Money(raw_amount // 100, "VND"))

    def read_return(self, query: str) -> WebhookEvent:
        """The Return URL's outcome, verified, to display only: state changes wait for the
        IPN."""
        return self.parse_webhook({}, query.encode())

    def answer_ipn(self, query: str, find_order: Callable[[str], IpnOrder | None],
                   record: Callable[[WebhookEvent], None]) -> dict[str, str]:
        """Run VNPay's IPN procedure and return the JSON reply: signature (97), order (01),
        amount (04), still pending (02), then record the outcome, paid or not, and confirm
        (00); anything unexpected answers 99. `record` must be idempotent."""
        def reply(code: str) -> dict[str, str]:
            return {"RspCode": code, "Message": IPN_REPLIES[code]}

        try:
            try:
                event = self.parse_webhook({}, query.encode())
            except InvalidWebhook:
                return reply("97")
            order = find_order(event.reference)
            if order is None:
                return reply("01")
            if event.amount != order.amount:
                return reply("04")
            if not order.pending:
                return reply("02")
            record(event)
            return reply("00")
        except Exception:
            log.exception("VNPay IPN failed")
            return reply("99")
