"""Pricing over HTTP: admins set tax rules, promotions and coupons; a shopper's cart shows the
engine's breakdown; the order charges exactly its total."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import ADMIN, Api, assert_problem


def admin_post(api: Api, path: str, body: dict[str, Any]) -> Any:
    response = api.client.post(f"/admin{path}", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response


def ten_percent_coupon(api: Api, code: str = "TET10", limit: int = 1) -> str:
    promotion = admin_post(api, "/promotions", {
        "name": "10% Tet", "kind": "percentage", "percent": "10", "requires_coupon": True,
    }).json()
    admin_post(api, f"/promotions/{promotion['promotion_id']}/coupons",
               {"code": code, "usage_limit": limit})
    return str(promotion["promotion_id"])


def test_the_price_breakdown_shows_the_coupon_and_the_tax_once(api: Api) -> None:
    admin_post(api, "/tax-rules", {"name": "VAT", "country_code": "VN", "tax_type": "VAT",
                                   "rate": "10"})
    ten_percent_coupon(api)
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 2))
    applied = api.client.post(f"/carts/{cart_id}/coupons", json={"code": "tet10"})

    price = api.client.get(f"/carts/{cart_id}/price", params={"country": "VN"})

    assert applied.status_code == 201, applied.text
    assert applied.json()["discount_total"]["amount"] == 70_000
    body = price.json()
    assert price.status_code == 200, price.text
    totals = {k: v["amount"] for k, v in body["totals"].items()}
    assert (totals["subtotal"], totals["discount_total"], totals["tax_total"],
            totals["total"]) == (700_000, 70_000, 63_000, 693_000)
    assert [a["coupon_code"] for a in body["lines"][0]["adjustments"]] == ["TET10"]
    assert body["tax_status"] == "calculated"


def test_the_order_charges_the_engine_total_and_the_coupon_is_then_used_up(api: Api) -> None:
    admin_post(api, "/tax-rules", {"name": "VAT", "country_code": "VN", "tax_type": "VAT",
                                   "rate": "10"})
    ten_percent_coupon(api)
    first, second = api.filled_cart(("LINEN-SHIRT-M", 1)), api.filled_cart(("LINEN-SHIRT-M", 1))
    for cart_id in (first, second):
        api.client.post(f"/carts/{cart_id}/coupons", json={"code": "TET10"})

    placed = api.place_order(first)
    refused = api.place_order(second)

    assert placed.status_code == 201, placed.text
    assert placed.json()["total"]["amount"] == 346_500
    assert_problem(refused, 409, "promotion.not_applicable")


def test_a_coupon_code_can_be_removed_from_the_cart(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))
    api.client.post(f"/carts/{cart_id}/coupons", json={"code": "NOPE"})

    removed = api.client.delete(f"/carts/{cart_id}/coupons/nope")
    missing = api.client.delete(f"/carts/{cart_id}/coupons/nope")

    assert removed.status_code == 200
    assert removed.json()["coupon_codes"] == []
    assert_problem(missing, 404, "cart.coupon_not_found")


def test_bulk_coupons_download_as_csv(api: Api) -> None:
    promotion_id = ten_percent_coupon(api)

    response = admin_post(api, f"/promotions/{promotion_id}/coupons/batch",
                          {"count": 25, "prefix": "TET"})

    assert response.headers["content-type"].startswith("text/csv")
    rows = response.text.splitlines()
    assert rows[0] == "code"
    assert len(set(rows[1:])) == len(rows) - 1 == 25
    assert all(code.startswith("TET-") for code in rows[1:])


def test_admin_lists_and_changes_prices_with_optimistic_locking(api: Api) -> None:
    product_id = api.client.get("/products").json()["items"][0]["id"]
    rows = api.client.get(f"/admin/products/{product_id}/prices", headers=ADMIN).json()
    (row,) = [r for r in rows if r["sku"] == "LINEN-SHIRT-M"]

    body = {"expected_version": row["version"],
            "base_price": row["base_price"], "sale_price": {"amount": 300_000,
                                                            "currency": "VND"}}
    changed = api.client.put(f"/admin/prices/{row['price_id']}", json=body, headers=ADMIN)
    stale = api.client.put(f"/admin/prices/{row['price_id']}", json=body, headers=ADMIN)

    assert changed.status_code == 200, changed.text
    assert changed.json()["sale_price"]["amount"] == 300_000
    assert stale.status_code == 409


def test_promotion_and_tax_admin_needs_the_operator(api: Api) -> None:
    for path in ("/admin/promotions", "/admin/tax-rules", "/admin/price-rules",
                 "/admin/campaigns"):
        assert api.client.get(path).status_code == 401
        assert api.client.get(path, headers=ADMIN).status_code == 200
