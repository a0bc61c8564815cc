"""Shipping rates over HTTP: staff configure methods, a shopper quotes the cart to an address,
chooses one, and the order is charged exactly that quote."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from adapters.memory import FrozenClock
from commerce_core.tax.commands import CreateTaxRule
from tests.e2e.conftest import ADMIN, Api, assert_problem

ADDRESS = {"name": "An Nguyen", "phone": "0901234567", "line1": "1 Le Loi",
           "province": "Ho Chi Minh", "country_code": "VN", "province_code": "79"}


def configure(api: Api) -> None:
    for body in (
        {"code": "flat", "name": "Flat", "type": "flat_rate",
         "rate": {"amount": 30_000, "currency": "VND"}, "estimated_days_max": 5},
        {"code": "fake-express", "name": "Express", "type": "carrier", "carrier": "fake",
         "service": "express", "markup_percent": 0, "estimated_days_max": 2},
    ):
        response = api.client.post("/admin/shipping-methods", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text


def quote(api: Api, cart_id: str) -> dict[str, Any]:
    response = api.client.post(f"/carts/{cart_id}/shipping-rates", json=ADDRESS)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_order_is_charged_the_quote_the_shopper_chose_with_its_tax(api: Api) -> None:
    configure(api)
    api.commerce.tax.create_rule(CreateTaxRule("VAT 10%", "VN", "VAT", Decimal(10),
                                               applies_to_shipping=True))
    cart_id = api.filled_cart(("CANVAS-TOTE", 1))  # ₫120,000

    options = quote(api, cart_id)["options"]
    express = next(o for o in options if o["method_code"] == "fake-express")
    chosen = api.client.put(f"/carts/{cart_id}/shipping", json={"quote_id": express["quote_id"]})
    placed = api.place_order(cart_id, key="ship-1", shipping_quote_id=express["quote_id"])

    assert [o["method_code"] for o in options] == ["flat", "fake-express"]
    assert (options[0]["cheapest"], options[1]["fastest"]) == (True, True)
    assert express["amount"]["amount"] == 37_500  # the fake carrier's express price, no markup
    assert chosen.json()["selected"] is True
    assert placed.status_code == 201, placed.text
    order = api.order(placed.json()["order_id"])
    totals = order["totals"]
    assert totals["shipping"]["amount"] == 37_500
    assert totals["tax"]["amount"] == 15_750  # 10 % of 120,000 + 37,500
    assert totals["total"]["amount"] == 173_250


def test_an_expired_or_foreign_quote_is_a_conflict(api: Api) -> None:
    configure(api)
    cart_id = api.filled_cart(("CANVAS-TOTE", 1))
    other = api.filled_cart(("CANVAS-TOTE", 1))
    flat = quote(api, cart_id)["options"][0]

    foreign = api.place_order(other, key="ship-2", shipping_quote_id=flat["quote_id"])
    clock = api.commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(minutes=16))
    expired = api.place_order(cart_id, key="ship-3", shipping_quote_id=flat["quote_id"])

    assert_problem(foreign, 409, "shipping.quote_mismatch")
    assert_problem(expired, 409, "shipping.quote_expired")


def test_methods_are_staff_work(api: Api) -> None:
    configure(api)

    anonymous = api.client.get("/admin/shipping-methods")
    disabled = api.client.post("/admin/shipping-methods/flat/disable", headers=ADMIN)
    listed = api.client.get("/admin/shipping-methods", headers=ADMIN)

    assert anonymous.status_code == 401
    assert disabled.json()["enabled"] is False
    assert [(m["code"], m["enabled"]) for m in listed.json()] == [
        ("fake-express", True), ("flat", False)]
