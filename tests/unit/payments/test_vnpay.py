"""VNPay's signature recipes against the public vectors V1 to V4, the IPN procedure's replies,
and forged, tampered, stale and replayed notifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest

from adapters.memory import FrozenClock
from adapters.payments.vnpay import (
    QUERYDR_FIELDS,
    REFUND_FIELDS,
    IpnOrder,
    VnpayCredentials,
    VnpayGateway,
    canonical_query,
    order_info,
    sign_fields,
    sign_query,
    verify_query,
)
from commerce_core.payment.errors import InvalidWebhook
from commerce_core.payment.ports import WebhookEvent
from commerce_core.shared.money import Money

SANDBOX_SECRET = "SANDBOXSECRETKEY0123456789ABCDEF"

V1_PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "DEMOV210",
    "vnp_Amount": "1806000", "vnp_CreateDate": "20210801153333", "vnp_CurrCode": "VND",
    "vnp_IpAddr": "127.0.0.1", "vnp_Locale": "vn", "vnp_OrderInfo": "Thanh toan don hang :5",
    "vnp_OrderType": "other", "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
    "vnp_TxnRef": "5",
}
V1_CANONICAL = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)
V1_HASH = ("e2745726e4e4b53d7f4e2d97ace78e3946f937bd841abb5f76351f527a663b38"
           "16ec2bdb9eb17938c1d36677f8c7ef8fadc066a42b161349221b137678887205")

V2_SECRET = "test_secret"
V2_PARAMS = {
    "vnp_Amount": "1000000", "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14422574",
    "vnp_CardType": "ATM", "vnp_OrderInfo": "Thanh toan don hang 2024-05-21T02:17:31.249Z",
    "vnp_PayDate": "20240521091806", "vnp_ResponseCode": "00", "vnp_TmnCode": "TEST_TMN_CODE",
    "vnp_TransactionNo": "14422574", "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "1716257871703",
}
V2_HASH_OK = ("649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361d"
              "bf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895")
V2_HASH_99 = ("503194f6d93b57b357b2d1d09742565e67e86d771352c5dca4fc8d39df3d392c"
              "6b3809add9405f97cfb9631f445e36c80656cfbf47eac67d97fa165865c13e1b")


def test_v1_canonical_string_is_the_documented_query() -> None:
    assert canonical_query(V1_PARAMS) == V1_CANONICAL


def test_v1_payment_url_hash() -> None:
    assert sign_query(V1_PARAMS, SANDBOX_SECRET) == V1_HASH


def test_hash_fields_and_empty_values_are_left_out_of_the_signature() -> None:
    params = {**V1_PARAMS, "vnp_BankCode": "", "vnp_SecureHashType": "HmacSHA512",
              "vnp_SecureHash": "x"}

    assert canonical_query(params) == V1_CANONICAL


def test_v2_return_parameters_verify() -> None:
    assert verify_query({**V2_PARAMS, "vnp_SecureHash": V2_HASH_OK}, V2_SECRET)


def test_v2_failed_payment_has_its_own_valid_hash() -> None:
    failed = {**V2_PARAMS, "vnp_ResponseCode": "99", "vnp_SecureHash": V2_HASH_99}

    assert verify_query(failed, V2_SECRET)


def test_v2_first_hash_with_the_99_parameters_fails() -> None:
    tampered = {**V2_PARAMS, "vnp_ResponseCode": "99", "vnp_SecureHash": V2_HASH_OK}

    assert not verify_query(tampered, V2_SECRET)


def test_v2_uppercase_hash_and_hash_type_still_verify() -> None:
    params = {**V2_PARAMS, "vnp_SecureHash": V2_HASH_OK.upper(),
              "vnp_SecureHashType": "HmacSHA512"}

    assert verify_query(params, V2_SECRET)


V3_DATA = ("REQ0001|2.1.0|querydr|DEMOV210|5|20210801153333|20210802080000|127.0.0.1|"
           "Truy van GD ma:5")
V4_DATA = ("REF0001|2.1.0|refund|DEMOV210|02|5|1806000|0|20210801153333|admin|20210802090000|"
           "127.0.0.1|Hoan tien GD ma:5")


def test_v3_querydr_hash() -> None:
    values = dict(zip(QUERYDR_FIELDS, V3_DATA.split("|"), strict=True))

    assert sign_fields(values, QUERYDR_FIELDS, SANDBOX_SECRET) == (
        "a07422616490c54ba418a2883bcafa5131b3e1ac46bd2fede9d7e5455d42cc2a"
        "ad56fa563c885c78fb6acc29d836cb383e811d415eca6246da5aff5037f8e059")


def test_v4_refund_hash() -> None:
    values = dict(zip(REFUND_FIELDS, V4_DATA.split("|"), strict=True))

    assert sign_fields(values, REFUND_FIELDS, SANDBOX_SECRET) == (
        "a3444a538e436741d3396e1c9f609523cfdd6f735093ed778166e1f3512c5c43"
        "dc4e8204998118587d5d999081d99b9a5753669005fa6727781ebe6c599af81b")


def test_order_info_strips_what_vnpay_refuses() -> None:
    assert order_info("Thanh toán đơn hàng #5 (gấp)!") == "Thanh toan don hang 5 gap"


# -- IPN ------------------------------------------------------------------------------------

PAY_DATE = datetime(2024, 5, 21, 2, 18, 6, tzinfo=UTC)  # 20240521091806 in Vietnam


def _gateway(now: datetime = PAY_DATE, max_age: timedelta | None = None) -> VnpayGateway:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    return VnpayGateway(client, credentials=VnpayCredentials("TEST_TMN_CODE", V2_SECRET),
                        clock=FrozenClock(now), max_age=max_age)


def _query(params: dict[str, str], secret: str = V2_SECRET) -> str:
    return urlencode({**params, "vnp_SecureHash": sign_query(params, secret)})


def test_v2_ipn_translates_to_a_captured_event() -> None:
    event = _gateway().parse_webhook({}, urlencode({**V2_PARAMS,
                                                    "vnp_SecureHash": V2_HASH_OK}).encode())

    assert (event.kind, event.reference, event.amount) == (
        "captured", "1716257871703", Money(10000, "VND"))


@pytest.mark.parametrize(("response", "status", "kind"), [
    ("00", "00", "captured"), ("07", "07", "captured"), ("24", "02", "cancelled"),
    ("11", "02", "expired"), ("51", "02", "failed"), ("00", "02", "failed"),
])
def test_response_codes_map_onto_our_statuses(response: str, status: str, kind: str) -> None:
    params = {**V2_PARAMS, "vnp_ResponseCode": response, "vnp_TransactionStatus": status}

    assert _gateway().parse_webhook({}, _query(params).encode()).kind == kind


@pytest.mark.parametrize("query", [
    urlencode({**V2_PARAMS, "vnp_SecureHash": "0" * 128}),                           # forged
    urlencode({**V2_PARAMS, "vnp_Amount": "100000000", "vnp_SecureHash": V2_HASH_OK}),  # tampered
    urlencode(V2_PARAMS),                                                            # unsigned
    _query(V2_PARAMS, "another_secret"),                                             # wrong key
    _query({**V2_PARAMS, "vnp_TmnCode": "OTHER"}),                                   # other shop
    _query({**V2_PARAMS, "vnp_Amount": "1000050"}),                                  # sub-dong
    "not a query",
])
def test_forged_tampered_or_foreign_notifications_are_refused(query: str) -> None:
    with pytest.raises(InvalidWebhook):
        _gateway().parse_webhook({}, query.encode())


def test_a_notification_older_than_the_accepted_age_is_refused() -> None:
    gateway = _gateway(PAY_DATE + timedelta(days=2), max_age=timedelta(days=1))

    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook({}, _query(V2_PARAMS).encode())


def test_a_replayed_notification_names_the_same_event() -> None:
    query = _query(V2_PARAMS).encode()

    assert _gateway().parse_webhook({}, query) == _gateway().parse_webhook({}, query)


class Orders:
    def __init__(self, amount: int = 10000, pending: bool = True,
                 exists: bool = True) -> None:
        self.order = IpnOrder(Money(amount, "VND"), pending) if exists else None
        self.recorded: list[WebhookEvent] = []

    def find(self, reference: str) -> IpnOrder | None:
        return self.order

    def record(self, event: WebhookEvent) -> None:
        self.recorded.append(event)
        if self.order is not None:
            self.order = IpnOrder(self.order.amount, pending=False)


@pytest.mark.parametrize(("query", "orders", "code", "message"), [
    (_query(V2_PARAMS), Orders(), "00", "Confirm Success"),
    (_query({**V2_PARAMS, "vnp_ResponseCode": "51"}), Orders(), "00", "Confirm Success"),
    (_query(V2_PARAMS, "forged"), Orders(), "97", "Invalid signature"),
    (_query(V2_PARAMS), Orders(exists=False), "01", "Order not found"),
    (_query(V2_PARAMS), Orders(amount=9999), "04", "Invalid amount"),
    (_query(V2_PARAMS), Orders(pending=False), "02", "Order already confirmed"),
])
def test_ipn_replies(query: str, orders: Orders, code: str, message: str) -> None:
    reply = _gateway().answer_ipn(query, orders.find, orders.record)

    assert reply == {"RspCode": code, "Message": message}
    assert len(orders.recorded) == (1 if code == "00" else 0)


def test_ipn_records_a_failed_payment_as_failed_and_confirms() -> None:
    orders = Orders()

    _gateway().answer_ipn(_query({**V2_PARAMS, "vnp_ResponseCode": "51"}), orders.find,
                          orders.record)

    assert [e.kind for e in orders.recorded] == ["failed"]


def test_ipn_delivered_again_is_confirmed_once() -> None:
    orders, query = Orders(), _query(V2_PARAMS)

    first = _gateway().answer_ipn(query, orders.find, orders.record)
    again = _gateway().answer_ipn(query, orders.find, orders.record)

    assert (first["RspCode"], again["RspCode"], len(orders.recorded)) == ("00", "02", 1)


def test_ipn_unexpected_failure_answers_99() -> None:
    def broken(reference: str) -> IpnOrder | None:
        raise RuntimeError("database down")

    reply = _gateway().answer_ipn(_query(V2_PARAMS), broken, lambda e: None)

    assert reply == {"RspCode": "99", "Message": "Unknown error"}
