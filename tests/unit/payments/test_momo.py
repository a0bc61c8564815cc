"""MoMo's signature recipes against the public vectors M1 and M2, and forged, tampered, stale
and replayed notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from adapters.memory import FrozenClock
from adapters.payments.momo import (
    CREATE_FIELDS,
    RESULT_FIELDS,
    MomoCredentials,
    MomoGateway,
    sign,
    signature_input,
)
from commerce_core.payment.errors import InvalidWebhook
from commerce_core.shared.money import Money

ACCESS_KEY, SECRET_KEY = "F8BBA842ECF85", "K951B6PE1waDMi640xX08PD3vg6EkVlz"

M1 = {"accessKey": ACCESS_KEY, "amount": 50000, "extraData": "",
      "ipnUrl": "https://callback.url/notify", "orderId": "MOMO1700000000000",
      "orderInfo": "pay with MoMo", "partnerCode": "MOMO",
      "redirectUrl": "https://momo.vn/return", "requestId": "MOMO1700000000000",
      "requestType": "captureWallet"}
M2_BODY = ('{"partnerCode":"MOMO","orderId":"MOMO1700000000000","requestId":"MOMO1700000000000",'
           '"amount":50000,"orderInfo":"pay with MoMo","orderType":"momo_wallet",'
           '"transId":2588659987,"resultCode":0,"message":"Successful.","payType":"qr",'
           '"responseTime":1700000012345,"extraData":""}')
M2_SIGNATURE = "3c182cc68bcf7757f1b989886a775881545d65cf897114f5899d5f4ac4f2eaba"
RESPONSE_TIME = datetime.fromtimestamp(1700000012.345, UTC)


def test_m1_create_signature_input() -> None:
    assert signature_input(M1, CREATE_FIELDS) == (
        "accessKey=F8BBA842ECF85&amount=50000&extraData=&ipnUrl=https://callback.url/notify"
        "&orderId=MOMO1700000000000&orderInfo=pay with MoMo&partnerCode=MOMO"
        "&redirectUrl=https://momo.vn/return&requestId=MOMO1700000000000"
        "&requestType=captureWallet")


def test_m1_create_signature() -> None:
    assert sign(M1, CREATE_FIELDS, SECRET_KEY) == (
        "4378bb95714712f6be833da81f743910a01e5ba6279bfe596b8a08e891259424")


def test_m2_ipn_signature_input_and_signature() -> None:
    values = {**json.loads(M2_BODY), "accessKey": ACCESS_KEY}

    assert signature_input(values, RESULT_FIELDS) == (
        "accessKey=F8BBA842ECF85&amount=50000&extraData=&message=Successful."
        "&orderId=MOMO1700000000000&orderInfo=pay with MoMo&orderType=momo_wallet"
        "&partnerCode=MOMO&payType=qr&requestId=MOMO1700000000000"
        "&responseTime=1700000012345&resultCode=0&transId=2588659987")
    assert sign(values, RESULT_FIELDS, SECRET_KEY) == M2_SIGNATURE


def _gateway(now: datetime = RESPONSE_TIME, max_age: timedelta | None = None,
             auto_capture: bool = True) -> MomoGateway:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    return MomoGateway(client, credentials=MomoCredentials("MOMO", ACCESS_KEY, SECRET_KEY),
                       clock=FrozenClock(now), ipn_url="https://callback.url/notify",
                       max_age=max_age, auto_capture=auto_capture)


def _ipn(**changes: Any) -> bytes:
    data = {**json.loads(M2_BODY), **changes}
    data["signature"] = sign({**data, "accessKey": ACCESS_KEY}, RESULT_FIELDS, SECRET_KEY)
    return json.dumps(data).encode()


def test_m2_ipn_verifies_and_translates() -> None:
    body = json.dumps({**json.loads(M2_BODY), "signature": M2_SIGNATURE}).encode()

    event = _gateway().parse_webhook({}, body)

    assert (event.kind, event.reference, event.amount, event.event_id) == (
        "captured", "MOMO1700000000000", Money(50000, "VND"),
        "MOMO1700000000000:2588659987:0")


def test_the_redirect_query_verifies_the_same_way() -> None:
    data = {**json.loads(M2_BODY), "signature": M2_SIGNATURE}

    assert _gateway().read_redirect(urlencode(data)).kind == "captured"


@pytest.mark.parametrize(("code", "auto_capture", "kind"), [
    (0, True, "captured"), (9000, True, "captured"), (9000, False, "authorized"),
    (1000, True, "pending"), (7002, True, "pending"), (1003, True, "voided"),
    (1005, True, "expired"), (1006, True, "cancelled"), (1017, True, "cancelled"),
    (1001, True, "failed"), (99, True, "failed"),
])
def test_result_codes_map_onto_our_statuses(code: int, auto_capture: bool, kind: str) -> None:
    assert _gateway(auto_capture=auto_capture).parse_webhook({}, _ipn(resultCode=code)).kind == kind


@pytest.mark.parametrize("body", [
    json.dumps({**json.loads(M2_BODY), "signature": "0" * 64}).encode(),          # forged
    json.dumps({**json.loads(M2_BODY), "amount": 5000000,
                "signature": M2_SIGNATURE}).encode(),                            # tampered
    json.dumps(json.loads(M2_BODY)).encode(),                                    # unsigned
    _ipn(partnerCode="OTHER"),                                                   # other shop
    b"[]",
    b"not json",
])
def test_forged_tampered_or_foreign_notifications_are_refused(body: bytes) -> None:
    with pytest.raises(InvalidWebhook):
        _gateway().parse_webhook({}, body)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    data = json.loads(M2_BODY)
    data["signature"] = sign({**data, "accessKey": ACCESS_KEY}, RESULT_FIELDS, "not-the-key")

    with pytest.raises(InvalidWebhook):
        _gateway().parse_webhook({}, json.dumps(data).encode())


def test_a_notification_older_than_the_accepted_age_is_refused() -> None:
    gateway = _gateway(RESPONSE_TIME + timedelta(hours=2), max_age=timedelta(hours=1))

    with pytest.raises(InvalidWebhook):
        gateway.parse_webhook({}, _ipn())


def test_a_replayed_notification_names_the_same_event() -> None:
    assert _gateway().parse_webhook({}, _ipn()) == _gateway().parse_webhook({}, _ipn())
