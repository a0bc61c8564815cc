"""Chargebacks end to end: Stripe's signed `charge.dispute.created` opens a dispute on the
payment (once, however often it is delivered); finance closes it over HTTP or the CLI."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from adapters.memory import FrozenClock, SequentialIds, bundle
from adapters.payments.signatures import hmac_sha256_hex
from commerce_core import Commerce, Money, VariantSpec
from entrypoints.container import make_container
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.contract.payment_doubles import StripeHarness
from tests.e2e.conftest import ADMIN, assert_problem, settings
from tests.e2e.test_cli import commerce_cli, database_url, refused, seeded_url, succeeded
from tests.e2e.tokens import shopper_client

__all__ = ["database_url", "seeded_url"]  # fixtures used by name below

SKU = "SILK-SCARF"


def _stripe_shop() -> tuple[StripeHarness, Commerce, TestClient, str, str]:
    """A Stripe shop with one captured order of a 199,000 ₫ scarf: its order and payment ids."""
    harness = StripeHarness()
    commerce = Commerce(bundle(gateway=harness.gateway, clock=FrozenClock(),
                               ids=SequentialIds()))
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Silk scarf", "silk-scarf",
                                    [VariantSpec(SKU, Money(199_000, "VND"))], publish=True)
    commerce.inventory.set_stock(SKU, "HCM", 3)
    client = shopper_client(create_app(commerce, settings()))
    cart = client.post("/carts", json={"currency": "VND"}).json()["id"]
    assert client.post(f"/carts/{cart}/items", json={"sku": SKU, "quantity": 1}).is_success
    placed = client.post("/orders", json={"cart_id": cart, "payment_method": "card",
                                          "payment_token": "pm_card_visa"},
                         headers={"Idempotency-Key": "stripe-1"})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    commerce.payments.capture(order_id)
    (payment,) = commerce.payments.for_order(order_id)
    return harness, commerce, client, order_id, payment.id


def _dispute_webhook(harness: StripeHarness, intent: str, *, event_id: str) -> dict[str, Any]:
    body = json.dumps({
        "id": event_id, "object": "event", "type": "charge.dispute.created",
        "data": {"object": {"id": "dp_1", "object": "dispute", "charge": "ch_1",
                            "payment_intent": intent, "amount": 199_000, "currency": "vnd",
                            "reason": "fraudulent", "status": "needs_response"}}}).encode()
    t = int(harness.clock.now().timestamp())
    signature = hmac_sha256_hex(harness.secret, f"{t}.{body.decode()}")
    return {"content": body, "headers": {"Stripe-Signature": f"t={t},v1={signature}"}}


def test_stripes_dispute_webhook_opens_one_dispute_and_finance_closes_it_over_http() -> None:
    harness, commerce, client, order_id, payment_id = _stripe_shop()
    intent = commerce.payments.get(payment_id).reference
    assert intent is not None

    first = client.post("/webhooks/payments/stripe",
                        **_dispute_webhook(harness, intent, event_id="evt_dp_1"))
    again = client.post("/webhooks/payments/stripe",
                        **_dispute_webhook(harness, intent, event_id="evt_dp_1"))

    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["outcome"] == "disputed"
    detail = client.get(f"/admin/payments/{payment_id}", headers=ADMIN).json()
    (dispute,) = detail["disputes"]
    assert (dispute["id"], dispute["status"], dispute["reason"], dispute["amount"]["amount"]) == (
        "dp_1", "open", "fraudulent", 199_000)
    assert [e["kind"] for e in detail["ledger"]].count("dispute") == 1

    bad = client.post(f"/admin/payments/{payment_id}/disputes/dp_1/close",
                      json={"outcome": "maybe"}, headers=ADMIN)
    anonymous = client.post(f"/admin/payments/{payment_id}/disputes/dp_1/close",
                            json={"outcome": "lost"})
    unknown = client.post(f"/admin/payments/{payment_id}/disputes/dp_9/close",
                          json={"outcome": "lost"}, headers=ADMIN)
    assert bad.status_code == 422
    assert anonymous.status_code == 401
    assert_problem(unknown, 404, "payment.dispute_not_found")
    assert commerce.payments.get(payment_id).open_dispute is not None

    closed = client.post(f"/admin/payments/{payment_id}/disputes/dp_1/close",
                         json={"outcome": "lost"}, headers=ADMIN)
    assert closed.status_code == 200, closed.text
    assert closed.json()["disputes"][0]["status"] == "lost"
    assert closed.json()["refundable"]["amount"] == 0
    assert closed.json()["status"] == "refunded"
    flip = client.post(f"/admin/payments/{payment_id}/disputes/dp_1/close",
                       json={"outcome": "won"}, headers=ADMIN)
    assert_problem(flip, 409, "payment.dispute_closed")
    refund = client.post(f"/admin/orders/{order_id}/refunds", json={},
                         headers={**ADMIN, "Idempotency-Key": "after-chargeback"})
    assert refund.status_code == 409, refund.text


def test_finance_closes_a_dispute_with_the_cli(seeded_url: str) -> None:
    commerce: Commerce = make_container(Settings(database_url=seeded_url)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    placed = commerce.checkout.place_order(cart_id, email="lan@example.vn", idempotency_key="k1")
    commerce.payments.capture(placed.order_id)
    (payment,) = commerce.payments.for_order(placed.order_id)
    assert payment.reference is not None
    commerce.payments.record_dispute(payment.gateway, payment.reference, "dp_1")
    cli = ("--database-url", seeded_url, "payments")

    nonsense = refused(commerce_cli(*cli, "dispute-close", payment.id, "dp_1", "maybe"),
                       "payment.invalid_dispute_outcome")
    won = succeeded(commerce_cli(*cli, "dispute-close", payment.id, "dp_1", "won"))
    shown = succeeded(commerce_cli(*cli, "show", placed.order_number))

    assert "won or lost" in nonsense
    assert "closed as won" in won
    assert "Dispute dp_1" in shown
    assert "won" in shown
    assert commerce.payments.get(payment.id).disputes[0].status.value == "won"
