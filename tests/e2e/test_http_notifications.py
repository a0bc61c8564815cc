"""Notifications over HTTP: the operators' list, detail with the delivery log, and retry; and
Twilio's signed status callbacks (a late `sent` never downgrades `delivered`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from attrs import frozen
from fastapi.testclient import TestClient

import adapters.memory
from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.notification import FormatRenderer, RecordingNotifier, StaticDirectory
from adapters.notify import twilio_signature
from commerce_core.app import Commerce
from commerce_core.notification.ports import Channel, NotificationPorts, Recipient
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, assert_problem

CALLBACK = "https://shop.example/webhooks/notifications/twilio"
TOKEN = "twilio-secret"
PROMO = {"title": "Sale", "body": "Today only"}


@frozen
class Api:
    client: TestClient
    commerce: Commerce
    sms: RecordingNotifier


@pytest.fixture
def api() -> Iterator[Api]:
    sms = RecordingNotifier("twilio", permanent={"+84900000000"})
    ports = adapters.memory.bundle(clock=FrozenClock(), ids=SequentialIds())
    ports.notifications = NotificationPorts(
        FormatRenderer(), {Channel.SMS: sms},
        StaticDirectory({"cus-1": Recipient("cus-1", phone="+84901234567")}))
    commerce = Commerce(ports)
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                        twilio_auth_token=TOKEN, twilio_status_callback_url=CALLBACK)
    with TestClient(create_app(commerce, settings)) as client:
        yield Api(client, commerce, sms)


def sent_sms(api: Api, phone: str | None = None) -> str:
    created = api.commerce.notifications.request("cus-1", "sms", "promotion", PROMO,
                                                 address=phone)
    api.commerce.notifications.send_due()
    return created.id


def callback(api: Api, sid: str, status: str, *, token: str = TOKEN) -> int:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC1"}
    response = api.client.post("/webhooks/notifications/twilio", data=form, headers={
        "X-Twilio-Signature": twilio_signature(token, CALLBACK, form)})
    code: int = response.status_code
    return code


def test_operators_list_filter_and_read_the_delivery_log(api: Api) -> None:
    sent_id = sent_sms(api)
    failed_id = sent_sms(api, "+84900000000")

    every = api.client.get("/admin/notifications", headers=ADMIN)
    failed = api.client.get("/admin/notifications", params={"status": "failed"}, headers=ADMIN)
    detail = api.client.get(f"/admin/notifications/{failed_id}", headers=ADMIN)

    assert [n["id"] for n in every.json()] == [failed_id, sent_id]
    assert [n["id"] for n in failed.json()] == [failed_id]
    body = detail.json()
    assert (body["status"], body["error"], body["text"]) == ("failed", "bad_recipient",
                                                             "Today only")
    assert [(a["number"], a["status"], a["permanent"]) for a in body["attempts"]] == [
        (1, "failed", True)]


def test_a_failed_notification_is_retried_and_others_are_refused(api: Api) -> None:
    sent_id = sent_sms(api)
    failed_id = sent_sms(api, "+84900000000")
    api.sms.permanent.clear()

    retried = api.client.post(f"/admin/notifications/{failed_id}/retry", headers=ADMIN)
    refused = api.client.post(f"/admin/notifications/{sent_id}/retry", headers=ADMIN)

    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    assert_problem(refused, 409, "notification.not_retryable")
    assert api.commerce.notifications.send_due().sent == 1


def test_bad_requests_are_problems_and_admin_needs_the_token(api: Api) -> None:
    assert_problem(api.client.get("/admin/notifications/nope", headers=ADMIN), 404,
                   "notification.not_found")
    assert api.client.get("/admin/notifications", params={"status": "lost"},
                          headers=ADMIN).status_code == 422
    assert api.client.get("/admin/notifications").status_code == 401


def test_a_signed_callback_delivers_and_a_late_sent_does_not_downgrade(api: Api) -> None:
    notification_id = sent_sms(api)
    sid = api.commerce.notifications.get(notification_id).provider_message_id
    assert sid is not None

    assert callback(api, sid, "delivered") == 204
    assert callback(api, sid, "sent") == 204
    assert callback(api, "SM-unknown", "delivered") == 204

    assert api.commerce.notifications.get(notification_id).status.value == "delivered"


def test_a_callback_with_a_bad_signature_changes_nothing(api: Api) -> None:
    notification_id = sent_sms(api)
    sid = api.commerce.notifications.get(notification_id).provider_message_id
    assert sid is not None

    response = api.client.post("/webhooks/notifications/twilio",
                               data={"MessageSid": sid, "MessageStatus": "delivered"},
                               headers={"X-Twilio-Signature": "forged"})

    assert_problem(response, 400, "notification.invalid_signature")
    assert callback(api, sid, "delivered", token="other") == 400
    assert api.commerce.notifications.get(notification_id).status.value == "sent"
