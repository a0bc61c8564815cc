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
