"""`/admin` changes are audited (who, from where, which request, before and after), the log
is listed with filters and its chain verified over HTTP; shoppers' requests leave no entry."""

from __future__ import annotations

from fastapi.testclient import TestClient

from adapters.memory import InMemoryUnitOfWorkFactory
from commerce_core.app import Commerce
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, Api, Seeded, assert_problem


def entries(api: Api, **params: str) -> list[dict[str, object]]:
    response = api.client.get("/admin/audit", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_an_admin_change_is_audited_with_its_actor_request_and_change(api: Api) -> None:
    counted = api.client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": 7},
                             headers={**ADMIN, "X-Request-ID": "req-count-1"})
    assert counted.status_code < 300, counted.text

    [entry] = entries(api)
    assert entry["actor_kind"] == "staff"
    assert entry["actor_id"] == "operator"
    assert entry["action"] == "inventory.set_stock"
    assert entry["request_id"] == "req-count-1"
    assert entry["ip"] is None  # the test client's address is no IP address
    assert entry["after"]["command"]["on_hand"] == 7  # type: ignore[index]
    assert entry["sequence"] == 1


def test_a_refused_admin_change_is_audited_as_refused(api: Api) -> None:
    refused = api.client.post("/admin/fraud/reviews/no-such-order/approve", headers=ADMIN)

    assert_problem(refused, 404, "fraud.assessment_not_found")
    [entry] = entries(api)
    assert entry["action"] == "fraud.approve_review.refused"
    assert entry["severity"] == "WARNING"
    assert entry["entity_type"] == "order"
    assert entry["entity_id"] == "no-such-order"
    assert entry["after"]["outcome"]["code"] == "fraud.assessment_not_found"  # type: ignore[index]


def test_shopper_requests_are_not_audited(api: Api) -> None:
    api.filled_cart(("LINEN-SHIRT-M", 1))

    assert entries(api) == []


def test_the_log_is_filtered_and_the_chain_verifies(api: Api) -> None:
    api.client.post("/admin/warehouses", json={"code": "HN", "name": "Ha Noi"}, headers=ADMIN)
    api.client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": 9}, headers=ADMIN)

    assert [e["action"] for e in entries(api, action="inventory.set_stock")] == [
        "inventory.set_stock"]
    assert len(entries(api, action="inventory.")) == 2
    assert len(entries(api, limit="1")) == 1
    assert entries(api, actor="someone-else") == []
    verified = api.client.get("/admin/audit/verify", headers=ADMIN)
    assert verified.status_code == 200
    assert verified.json() == {"intact": True, "checked": 2, "head_sequence": 2,
                               "head_hash": verified.json()["head_hash"], "broken": None}


def test_the_audit_routes_need_the_operator_token_and_sane_filters(
    api: Api, client: TestClient
) -> None:
    for path in ("/admin/audit", "/admin/audit/verify"):
        assert_problem(client.get(path), 401, "auth.unauthenticated")
    assert_problem(client.get("/admin/audit", params={"limit": "0"}, headers=ADMIN), 422,
                   "request.invalid")


def test_each_admin_change_has_exactly_one_entry_with_its_previous_and_new_state(
    api: Api, seeded: Seeded
) -> None:
    shirt = seeded.product_ids["linen-shirt"]

    renamed = api.client.patch(f"/admin/products/{shirt}", json={"name": "Linen shirt II"},
                               headers=ADMIN)
    unpublished = api.client.post(f"/admin/products/{shirt}/unpublish", headers=ADMIN)

    assert renamed.status_code == 200, renamed.text
    assert unpublished.status_code == 200, unpublished.text
    unpublish, rename = entries(api)
    key = f"product/{shirt}"
    assert rename["action"] == "catalog.update_product"
    assert (rename["entity_type"], rename["entity_id"]) == ("product", shirt)
    assert rename["before"][key]["name"] == "Linen shirt"  # type: ignore[index]
    assert rename["after"]["changes"][key]["name"] == "Linen shirt II"  # type: ignore[index]
    assert unpublish["action"] == "catalog.unpublish_product"
    assert unpublish["before"][key]["status"] == "active"  # type: ignore[index]
    assert unpublish["after"]["changes"][key]["status"] == "draft"  # type: ignore[index]


def test_verify_names_the_first_broken_entry(api: Api, commerce: Commerce) -> None:
    for on_hand in (5, 6, 7):
        api.client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": on_hand},
                       headers=ADMIN)
    factory = commerce.ports.uow
    assert isinstance(factory, InMemoryUnitOfWorkFactory)
    del factory.db.table("audit_entries")["2"]  # what a direct edit of the store would do

    verified = api.client.get("/admin/audit/verify", headers=ADMIN).json()

    assert verified["intact"] is False
    assert verified["checked"] == 1
    assert verified["broken"]["sequence"] == 2
    assert verified["broken"]["breach"] == "removed"


def test_behind_a_trusted_proxy_the_callers_address_is_recorded(
    commerce: Commerce, seeded: Seeded
) -> None:
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                        client_ip_header="X-Forwarded-For")
    with TestClient(create_app(commerce, settings)) as client:
        client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": 4},
                   headers={**ADMIN, "X-Forwarded-For": "198.51.100.23, 10.0.0.2"})

    [entry] = commerce.audit.search()
    assert entry.record.ip == "198.51.100.23"
