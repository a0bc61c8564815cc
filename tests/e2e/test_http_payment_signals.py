"""A redirect payment over HTTP: the order answers with the provider's page and stays pending;
the provider's signed notification, the shopper's return and duplicates converge on one
outcome; forged notifications are refused before anything is read and change nothing."""

from __future__ import annotations

import json

from adapters.memory import Outcome, ScriptedPaymentGateway
from tests.e2e.conftest import Api, assert_problem


def _pending_order(api: Api, gateway: ScriptedPaymentGateway) -> tuple[dict[str, str], str]:
    gateway.script(Outcome.REDIRECT)
    placed = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1)), key="redirect-1")
    assert placed.status_code == 201, placed.text
    body = placed.json()
    reference = body["payment_url"].rsplit("/", 1)[1]
    return body, reference


def test_the_order_waits_for_the_shopper_then_a_notification_confirms_it(
    api: Api, gateway: ScriptedPaymentGateway,
) -> None:
    body, reference = _pending_order(api, gateway)
    assert (body["status"], body["payment_url"]) == (
        "pending", f"https://pay.fake.test/{reference}")
    assert api.reserved("LINEN-SHIRT-M") == 1
    replay = api.place_order(api.commerce.checkout.get(body["checkout_id"]).cart_id,
                             key="redirect-1")
    assert replay.json() == body

    gateway.pay(reference)
    headers, payload = gateway.webhook(reference, "authorized", event_id="evt_1")
    first = api.client.post("/webhooks/payments/fake", content=payload, headers=headers)
    again = api.client.post("/webhooks/payments/fake", content=payload, headers=headers)

    assert (first.status_code, first.json()) == (200, {"received": True,
                                                       "outcome": "confirmed"})
    assert (again.status_code, again.json()["outcome"]) == (200, "already_settled")
    assert api.order(body["order_id"])["status"] == "confirmed"
    returned = api.client.get("/payments/fake/return", params={"reference": reference})
    assert returned.json() == {"order_id": body["order_id"], "order_status": "confirmed",
                               "payment_status": "authorized", "outcome": "already_settled"}


def test_the_shoppers_return_asks_the_provider_and_settles_the_order(
    api: Api, gateway: ScriptedPaymentGateway,
) -> None:
    body, reference = _pending_order(api, gateway)

    waiting = api.client.get("/payments/fake/return", params={"reference": reference})
    gateway.pay(reference, approve=False)
    declined = api.client.get("/payments/fake/return", params={"reference": reference})

    assert (waiting.json()["order_status"], waiting.json()["outcome"]) == ("pending", "pending")
    assert declined.json() == {"order_id": body["order_id"], "order_status": "cancelled",
                               "payment_status": "failed", "outcome": "failed"}
    assert api.reserved("LINEN-SHIRT-M") == 0
    late = api.client.post("/webhooks/payments/fake",
                           content=gateway.webhook(reference, "authorized")[1],
                           headers=gateway.webhook(reference, "authorized")[0])
    assert late.json()["outcome"] == "already_settled"
    assert api.order(body["order_id"])["status"] == "cancelled"


def test_forged_and_tampered_notifications_are_refused_with_no_effect(
    api: Api, gateway: ScriptedPaymentGateway,
) -> None:
    body, reference = _pending_order(api, gateway)
    gateway.pay(reference)
    outbox = api.outbox_rows()
    headers, payload = gateway.webhook(reference, "authorized")
    tampered = json.dumps({**json.loads(payload), "reference": "pay_other"}).encode()

    forged = api.client.post("/webhooks/payments/fake", content=payload,
                             headers={**headers, "X-Fake-Signature": "0" * 64})
    changed = api.client.post("/webhooks/payments/fake", content=tampered, headers=headers)
    unsigned = api.client.post("/webhooks/payments/fake", content=payload)

    for refused in (forged, changed, unsigned):
        assert_problem(refused, 400, "payment.invalid_webhook")
    assert api.order(body["order_id"])["status"] == "pending"
    assert api.outbox_rows() == outbox


def test_a_notification_about_an_unknown_payment_or_provider(
    api: Api, gateway: ScriptedPaymentGateway,
) -> None:
    headers, payload = gateway.webhook("pay_nobody", "authorized")

    unknown = api.client.post("/webhooks/payments/fake", content=payload, headers=headers)
    elsewhere = api.client.post("/webhooks/payments/stripe", content=payload, headers=headers)
    no_reference = api.client.get("/payments/fake/return")

    assert (unknown.status_code, unknown.json()["outcome"]) == (200, "unknown")
    assert_problem(elsewhere, 404, "payment.unknown_provider")
    assert_problem(no_reference, 400, "payment.invalid_webhook")
