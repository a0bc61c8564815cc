"""Request bodies hold exactly what their published schema allows: a value of another type is
refused even where a lenient parser could read it, and every rule between fields is either stated
in the schema or in the field's description."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ADMIN, Api, Seeded, assert_problem

CAMPAIGN = {"name": "Tet", "campaign_type": "seasonal", "starts_at": "2030-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    "starts_at",
    [pytest.param(0, id="unix-time"), pytest.param(1.5, id="fraction"),
     pytest.param("2030-01-01T00:00:00", id="no-utc-offset")],
)
def test_an_instant_is_rfc3339_text_with_an_offset(api: Api, starts_at: Any) -> None:
    response = api.client.post("/admin/campaigns", headers=ADMIN,
                               json={**CAMPAIGN, "starts_at": starts_at})

    assert_problem(response, 422, "request.invalid")
    assert api.client.get("/admin/campaigns", headers=ADMIN).json() == []


def test_a_campaign_with_an_rfc3339_start_is_created(api: Api) -> None:
    response = api.client.post("/admin/campaigns", headers=ADMIN, json=CAMPAIGN)

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "change",
    [pytest.param({"cost_ratio": False}, id="boolean-ratio"),
     pytest.param({"cost_ratio": "0.5"}, id="text-ratio"),
     pytest.param({"latitude": True, "longitude": 0}, id="boolean-latitude")],
)
def test_a_warehouse_number_is_a_json_number(
    api: Api, seeded: Seeded, change: dict[str, Any]
) -> None:
    response = api.client.put(f"/admin/warehouses/{seeded.warehouse_id}", headers=ADMIN,
                              json={"name": "Ho Chi Minh City", **change})

    assert_problem(response, 422, "request.invalid")


def test_a_warehouse_takes_whole_and_fractional_numbers(api: Api, seeded: Seeded) -> None:
    response = api.client.put(f"/admin/warehouses/{seeded.warehouse_id}", headers=ADMIN,
                              json={"name": "Ho Chi Minh City", "cost_ratio": 1,
                                    "latitude": 10.78, "longitude": 106})

    assert response.status_code == 200, response.text
    assert response.json()["cost_ratio"] == 1.0


def test_a_receipt_expiry_is_a_date_written_as_text(api: Api) -> None:
    response = api.client.post("/admin/stock/CANVAS-TOTE/HCM/receipts", headers=ADMIN,
                               json={"quantity": 1, "expiry_date": 20300131})

    assert_problem(response, 422, "request.invalid")


def _rule(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


@pytest.mark.parametrize(
    ("body", "status"),
    [pytest.param({"kind": "percentage", "percent": "10"}, 201, id="percentage"),
     pytest.param({"kind": "percentage"}, 422, id="percentage-without-percent"),
     pytest.param({"kind": "percentage", "percent": 0}, 422, id="percentage-zero"),
     pytest.param({"kind": "fixed_amount", "amount": {"amount": 5000, "currency": "VND"}}, 201,
                  id="fixed-amount"),
     pytest.param({"kind": "fixed_amount", "amount": {"amount": 0, "currency": "VND"}}, 422,
                  id="fixed-amount-zero"),
     pytest.param({"kind": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1}, 201,
                  id="buy-x-get-y"),
     pytest.param({"kind": "buy_x_get_y", "buy_quantity": 2}, 422, id="buy-x-without-y"),
     pytest.param({"kind": "free_shipping", "percent": "10"}, 422,
                  id="free-shipping-with-a-percent")],
)
def test_a_promotion_kind_brings_its_own_fields(
    api: Api, body: dict[str, Any], status: int
) -> None:
    response = api.client.post("/admin/promotions", headers=ADMIN,
                               json={"name": "Tet", **body})

    assert response.status_code == status, response.text


def test_the_promotion_body_is_a_union_on_kind(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    body = document["paths"]["/admin/promotions"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]

    assert schema["discriminator"]["propertyName"] == "kind"
    assert len(schema["oneOf"]) == 4


@pytest.mark.parametrize(
    ("action", "status"),
    [pytest.param({"percent_off": 10}, 201, id="percent-off"),
     pytest.param({"set_price": {"amount": 1000, "currency": "VND"}}, 201, id="set-price"),
     pytest.param({}, 422, id="no-action"),
     pytest.param({"percent_off": None, "tiers": []}, 422, id="only-empty-actions"),
     pytest.param({"percent_off": 10, "amount_off": {"amount": 1, "currency": "VND"}}, 422,
                  id="two-actions")],
)
def test_a_price_rule_has_exactly_one_action(
    api: Api, action: dict[str, Any], status: int
) -> None:
    response = api.client.post("/admin/price-rules", headers=ADMIN,
                               json={"name": "Sale", "rule_type": "condition", **action})

    assert response.status_code == status, response.text
    schema = _rule(api.client.get("/openapi.json").json(), "PriceRuleIn")
    assert len(schema["oneOf"]) == 4


@pytest.mark.parametrize(
    ("rule", "status"),
    [pytest.param({"rate": "5.25", "region": "HN", "postcode": "100000"}, 201, id="postcode"),
     pytest.param({"rate": "5.25", "postcode": "100000"}, 422, id="postcode-without-region"),
     pytest.param({"rate": 10, "is_compound": True, "is_inclusive": True}, 422,
                  id="compound-and-inclusive"),
     pytest.param({"rate": "5.12345"}, 422, id="five-decimals"),
     pytest.param({"rate": 5.25}, 422, id="fraction-as-number"),
     pytest.param({"rate": ""}, 422, id="empty-text")],
)
def test_tax_rule_conditions_are_stated_in_the_schema(
    api: Api, rule: dict[str, Any], status: int
) -> None:
    response = api.client.post("/admin/tax-rules", headers=ADMIN,
                               json={"name": "VAT", "country_code": "VN", "tax_type": "VAT",
                                     **rule})

    assert response.status_code == status, response.text
    schema = _rule(api.client.get("/openapi.json").json(), "TaxRuleIn")
    assert schema["then"] == {"required": ["region"],
                              "properties": {"region": {"not": {"type": "null"}}}}


def test_a_sale_window_without_a_sale_price_is_refused_as_the_schema_says(
    api: Api, seeded: Seeded
) -> None:
    response = api.client.post("/admin/prices", headers=ADMIN, json={
        "product_id": seeded.product_ids["linen-shirt"],
        "base_price": {"amount": 1000, "currency": "VND"},
        "sale_starts_at": "2030-01-01T00:00:00Z", "sale_price": None})

    assert_problem(response, 422, "pricing.invalid_price")
    assert "then" in _rule(api.client.get("/openapi.json").json(), "PriceIn")


def test_an_adjustment_of_zero_is_refused_by_the_schema(api: Api) -> None:
    schema = _rule(api.client.get("/openapi.json").json(), "NewAdjustment")

    assert schema["properties"]["quantity_change"]["not"] == {"const": 0}


def test_an_adjustment_reason_is_one_the_ledger_knows(api: Api) -> None:
    response = api.client.post("/admin/adjustments", headers=ADMIN, json={
        "sku": "LINEN-SHIRT-M", "warehouse": "HCM", "quantity_change": 1, "reason": "whim"})

    assert_problem(response, 422, "request.invalid")
    schema = _rule(api.client.get("/openapi.json").json(), "NewAdjustment")
    assert "correction" in schema["properties"]["reason"]["enum"]


def test_a_price_rule_type_needs_its_criterion_in_the_schema(api: Api) -> None:
    response = api.client.post("/admin/price-rules", headers=ADMIN, json={
        "name": "Bulk", "rule_type": "volume", "percent_off": 5})

    assert_problem(response, 422, "pricing.invalid_price_rule")
    schema = _rule(api.client.get("/openapi.json").json(), "PriceRuleIn")
    assert {"if": {"required": ["rule_type"], "properties": {"rule_type": {"const": "volume"}}},
            "then": {"anyOf": [{"required": ["min_quantity"],
                                "properties": {"min_quantity": {"not": {"type": "null"}}}},
                               {"required": ["tiers"],
                                "properties": {"tiers": {"minItems": 1}}}]}} in schema["allOf"]


def test_published_patterns_name_blanks_alike_in_every_regex_engine(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    email = _rule(document, "NewOrder")["properties"]["email"]["anyOf"][0]["pattern"]

    # U+0085 is blank to Python (and the server) but not to ECMA-262's `\s`.
    assert "\\s" not in email
    assert "\\x85" in email
    assert "\\S" not in _rule(document, "CampaignIn")["properties"]["name"]["pattern"]


def test_a_sku_priced_in_another_currency_than_the_cart_is_a_conflict(api: Api) -> None:
    cart = api.client.post("/carts", json={"currency": "AUD"})
    assert cart.status_code == 201, cart.text

    response = api.client.post(f"/carts/{cart.json()['id']}/items",
                               json={"sku": "LINEN-SHIRT-M", "quantity": 1})

    assert_problem(response, 409, "cart.priced_in_another_currency")


def test_a_price_row_names_its_sku_in_the_sku_format(api: Api, seeded: Seeded) -> None:
    response = api.client.post("/admin/prices", headers=ADMIN, json={
        "product_id": seeded.product_ids["linen-shirt"], "sku": "",
        "base_price": {"amount": 1000, "currency": "VND"}})

    assert_problem(response, 422, "request.invalid")
    assert "pattern" in _rule(api.client.get("/openapi.json").json(),
                              "PriceIn")["properties"]["sku"]["anyOf"][0]
