"""Search over HTTP: shoppers search and autocomplete, operators read the analytics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.conftest import ADMIN, Seeded, assert_problem


def test_a_shopper_searches_with_facets_and_follows_a_result(
        client: TestClient, seeded: Seeded) -> None:
    found = client.get("/search", params={"q": "linen", "facet": "size"})

    assert found.status_code == 200, found.text
    body = found.json()
    assert [h["slug"] for h in body["hits"]] == ["linen-shirt"]
    assert body["facets"]["attributes"]["size"] == [{"value": "L", "count": 1},
                                                    {"value": "M", "count": 1}]
    clicked = client.post("/search/clicks", json={"query_id": body["query_id"],
                                                  "product_id": body["hits"][0]["product_id"],
                                                  "position": 1})
    assert clicked.status_code == 204, clicked.text
    report = client.get("/admin/search/analytics", headers=ADMIN).json()
    assert (report["searches"], report["clicks"], report["click_through_rate"]) == (1, 1, 1.0)


def test_filters_and_a_draft_product_stay_hidden(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/search", params={"category_id": seeded.category_ids["bags"],
                                         "in_stock": "true"}).json()

    assert [h["slug"] for h in body["hits"]] == ["canvas-tote"]
    assert client.get("/search", params={"q": "retro"}).json()["total"] == 0


def test_autocomplete_answers_a_prefix(client: TestClient, seeded: Seeded) -> None:
    found = client.get("/search/suggest", params={"q": "can"})

    assert found.json() == [{"text": "Canvas tote", "type": "product",
                             "id": seeded.product_ids["canvas-tote"]}]


def test_bad_search_input_is_a_problem(client: TestClient, seeded: Seeded) -> None:
    assert_problem(client.get("/search", params={"page": 600, "page_size": 20}), 422,
                   "request.invalid")
    assert_problem(client.get("/search", params={"attr": "nocolon"}), 422,
                   "request.invalid")
    assert client.get("/search", params={"page_size": 500}).status_code == 422
    assert client.get("/search/suggest").status_code == 422


def test_the_analytics_need_the_operator_token(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/admin/search/analytics").status_code == 401


def test_an_unknown_search_or_cursor_is_not_found(client: TestClient, seeded: Seeded) -> None:
    assert_problem(client.post("/search/clicks", json={"query_id": "0", "product_id": "p"}),
                   404, "search.not_found")
    assert_problem(client.get("/search", params={"cursor": "0" * 40}), 404,
                   "search.page_not_found")
    # An instant is RFC 3339 text, never a number read as a Unix time.
    assert_problem(client.get("/admin/search/analytics", params={"until": "0.5"},
                              headers=ADMIN), 422, "request.invalid")
