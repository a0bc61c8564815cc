"""The published API description."""

from __future__ import annotations

from importlib.metadata import version

from fastapi.testclient import TestClient

EXPECTED = {
    ("get", "/products"), ("get", "/products/{id_or_slug}"), ("get", "/categories"),
    ("post", "/admin/products"), ("post", "/admin/products/{product_id}/publish"),
    ("post", "/admin/products/{product_id}/unpublish"), ("post", "/admin/categories"),
    ("post", "/admin/warehouses"), ("get", "/admin/warehouses"),
    ("put", "/admin/stock/{sku}/{warehouse}"), ("get", "/admin/stock"),
    ("get", "/admin/reservations"), ("get", "/stock/{sku}"),
    ("post", "/carts"), ("get", "/carts/{cart_id}"), ("post", "/carts/{cart_id}/items"),
    ("patch", "/carts/{cart_id}/items/{line_id}"), ("delete", "/carts/{cart_id}/items/{line_id}"),
    ("post", "/orders"), ("get", "/checkouts/{checkout_id}"), ("get", "/orders/{order_id}"),
    ("post", "/orders/{order_id}/cancel"), ("get", "/admin/orders"),
    ("post", "/admin/orders/{order_id}/capture"), ("get", "/health/live"),
    ("get", "/health/ready"),
}


def test_the_openapi_document_lists_every_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert EXPECTED - operations == set()
    assert document["info"] == {**document["info"], "title": "commerce-core",
                                "version": version("commerce-core")}


def test_admin_operations_declare_the_bearer_token_and_problems_their_media_type(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()

    capture = document["paths"]["/admin/orders/{order_id}/capture"]["post"]
    assert capture["security"] == [{"bearer": []}]
    assert capture["x-permission"] == "payments.capture"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "application/problem+json" in capture["responses"]["4XX"]["content"]
    assert document["paths"]["/products"]["get"]["security"] == []
    assert document["paths"]["/products"]["get"]["x-access"] == "public"
    assert document["paths"]["/carts/{cart_id}"]["get"]["x-access"] == "shopper"


def test_the_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


# Constraint names pydantic takes but JSON Schema does not know: one of these in the document
# means a constraint the server enforces was published under a name clients and tools ignore.
_PYDANTIC_ONLY = frozenset({"ge", "gt", "le", "lt", "strict", "min_length", "max_length",
                            "multiple_of", "max_digits", "decimal_places"})


def _misnamed_constraints(node: object, path: str = "#") -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, schema in value.items():
                    found += _misnamed_constraints(schema, f"{path}/properties/{name}")
                continue
            if key in _PYDANTIC_ONLY:
                found.append(f"{path}/{key}")
            found += _misnamed_constraints(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _misnamed_constraints(item, f"{path}/{index}")
    return found


def test_every_constraint_is_published_in_json_schema_terms(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    assert _misnamed_constraints(document) == []


def test_operations_that_change_something_document_409_and_422_apart(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    place = document["paths"]["/orders"]["post"]["responses"]
    assert "application/problem+json" in place["409"]["content"]
    assert "current state" in place["409"]["description"]
    assert "content itself" in place["422"]["description"]
    assert "409" in document["paths"]["/admin/picklists"]["post"]["responses"]
    assert "409" not in document["paths"]["/products"]["get"]["responses"]
