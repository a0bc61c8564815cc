"""The catalog over HTTP: shoppers see published products only; operators manage them."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import ADMIN, Api, Seeded, assert_problem

TEAPOT = {
    "name": "Clay teapot",
    "slug": "clay-teapot",
    "variants": [{"sku": "CLAY-TEAPOT", "price": {"amount": 450_000, "currency": "VND"}}],
}


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["slug"] for p in response.json()["items"]]


def test_products_list_published_ones_with_prices_in_minor_units(api: Api) -> None:
    response = api.client.get("/products")

    shirt = response.json()["items"][0]
    assert slugs(response) == ["linen-shirt", "canvas-tote"]
    assert shirt["variants"][0] == {
        "sku": "LINEN-SHIRT-M", "name": "M", "attributes": {"size": "M"},
        "price": {"amount": 350_000, "currency": "VND", "display": "350,000 VND"},
    }


def test_products_page_and_filter_by_category(api: Api, seeded: Seeded) -> None:
    assert slugs(api.client.get("/products", params={"limit": 1, "offset": 1})) == ["canvas-tote"]
    assert slugs(api.client.get("/products", params={"category_id": seeded.category_ids["bags"]})
                 ) == ["canvas-tote"]
    assert_problem(api.client.get("/products", params={"limit": 0}), 422, "request.invalid")


def test_a_product_is_found_by_slug_or_id_unless_it_is_a_draft(api: Api, seeded: Seeded) -> None:
    by_slug = api.client.get("/products/linen-shirt")
    by_id = api.client.get(f"/products/{seeded.product_ids['linen-shirt']}")

    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()
    assert_problem(api.client.get("/products/retro-clock"), 404, "catalog.product_not_found")
    assert_problem(api.client.get(f"/products/{seeded.product_ids['retro-clock']}"), 404,
                   "catalog.product_not_found")


def test_an_operator_creates_publishes_and_unpublishes_a_product(api: Api) -> None:
    created = api.client.post("/admin/products", json=TEAPOT, headers=ADMIN)
    product_id = created.json()["id"]
    listed_as_draft = slugs(api.client.get("/products"))
    published = api.client.post(f"/admin/products/{product_id}/publish", headers=ADMIN)
    listed_published = slugs(api.client.get("/products"))
    unpublished = api.client.post(f"/admin/products/{product_id}/unpublish", headers=ADMIN)

    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/admin/products/{product_id}"
    assert created.json()["status"] == "draft"
    assert "clay-teapot" not in listed_as_draft
    assert published.json()["status"] == "active"
    assert "clay-teapot" in listed_published
    assert unpublished.json()["status"] == "draft"
    assert "clay-teapot" not in slugs(api.client.get("/products"))


def test_operators_see_drafts_too(api: Api, seeded: Seeded) -> None:
    listed = api.client.get("/admin/products", headers=ADMIN)
    draft = api.client.get(f"/admin/products/{seeded.product_ids['retro-clock']}", headers=ADMIN)

    assert slugs(listed) == ["linen-shirt", "canvas-tote", "retro-clock"]
    assert draft.json()["status"] == "draft"


def test_a_sku_already_sold_cannot_be_created_again(api: Api) -> None:
    duplicate = {**TEAPOT, "slug": "another-shirt",
                 "variants": [{"sku": "linen-shirt-m",
                               "price": {"amount": 1, "currency": "VND"}}]}

    response = api.client.post("/admin/products", json=duplicate, headers=ADMIN)

    problem = assert_problem(response, 409, "catalog.duplicate_sku")
    assert problem["skus"] == ["LINEN-SHIRT-M"]


def test_a_product_priced_in_an_unknown_currency_or_a_fraction_is_refused(api: Api) -> None:
    unknown = {**TEAPOT, "variants": [{"sku": "CLAY-TEAPOT",
                                       "price": {"amount": 1, "currency": "XXX"}}]}
    fraction = {**TEAPOT, "variants": [{"sku": "CLAY-TEAPOT",
                                        "price": {"amount": 1.5, "currency": "VND"}}]}

    assert_problem(api.client.post("/admin/products", json=unknown, headers=ADMIN), 422,
                   "request.invalid")  # the schema lists the currencies
    assert_problem(api.client.post("/admin/products", json=fraction, headers=ADMIN), 422,
                   "request.invalid")


def test_an_operator_adds_a_category_and_shoppers_see_it(api: Api) -> None:
    created = api.client.post("/admin/categories", json={"slug": "kitchen", "name": "Kitchen"},
                              headers=ADMIN)

    assert created.status_code == 201, created.text
    assert created.json()["slug"] == "kitchen"
    assert [c["slug"] for c in api.client.get("/categories").json()] == [
        "apparel", "bags", "kitchen"]


def test_an_operator_edits_a_product_and_only_the_fields_sent_change(
    api: Api, seeded: Seeded
) -> None:
    product_id = seeded.product_ids["linen-shirt"]

    edited = api.client.patch(f"/admin/products/{product_id}", headers=ADMIN,
                              json={"name": "Washed linen shirt", "description": "Soft."})

    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["name"], body["description"], body["slug"]) == (
        "Washed linen shirt", "Soft.", "linen-shirt")
    assert api.client.get("/products/linen-shirt").json()["name"] == "Washed linen shirt"


def test_a_bad_edit_is_a_problem_and_changes_nothing(api: Api, seeded: Seeded) -> None:
    product_id = seeded.product_ids["linen-shirt"]
    path = f"/admin/products/{product_id}"

    assert_problem(api.client.patch(path, headers=ADMIN, json={"slug": "Not A Slug"}), 422,
                   "request.invalid")
    assert_problem(api.client.patch(path, headers=ADMIN, json={"slug": "canvas-tote"}), 409,
                   "catalog.duplicate_slug")
    assert_problem(api.client.patch(path, headers=ADMIN, json={"surprise": 1}), 422,
                   "request.invalid")
    assert_problem(api.client.patch("/admin/products/nope", headers=ADMIN, json={}), 404,
                   "catalog.product_not_found")
    assert_problem(api.client.patch(path, json={"name": "x"}), 401, "auth.unauthenticated")
    assert api.client.get(path, headers=ADMIN).json()["slug"] == "linen-shirt"


def test_an_archived_product_is_gone_for_shoppers_and_carts(api: Api, seeded: Seeded) -> None:
    cart_id = api.new_cart()

    archived = api.client.post(
        f"/admin/products/{seeded.product_ids['linen-shirt']}/archive", headers=ADMIN)
    added = api.client.post(f"/carts/{cart_id}/items",
                            json={"sku": "LINEN-SHIRT-M", "quantity": 1})

    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "archived"
    assert "linen-shirt" not in slugs(api.client.get("/products"))
    assert_problem(added, 409, "cart.item_not_for_sale")
    assert_problem(api.client.post(
        f"/admin/products/{seeded.product_ids['linen-shirt']}/publish", headers=ADMIN), 409,
        "catalog.product_not_available")
