"""Outbound webhooks over HTTP, on a shop built by the container (the real sender and sealer):
the secret appears once, the delivery log and replays, state changes, refusals (a private
target 422, a disabled subscription 409), and who may call the routes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from commerce_core.catalog.commands import VariantSpec
from commerce_core.shared.money import Money
from commerce_core.shared.principal import Principal
from entrypoints.container import make_container
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, assert_problem

TARGET = "https://93.184.215.14/hooks"  # an address literal: no DNS in tests


class Bearers:
    def authenticate(self, credential: str) -> Principal | None:
        if credential == "viewer":
            return Principal(kind="staff", subject="u-viewer",
                             permissions=frozenset({"orders.read"}))
        return None


@pytest.fixture
def commerce() -> Commerce:
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN)
    built: Commerce = make_container(settings).commerce()
    return built


@pytest.fixture
def client(commerce: Commerce) -> Iterator[TestClient]:
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN)
    with TestClient(create_app(commerce, settings, authenticators=[Bearers()])) as client:
        yield client


def created(client: TestClient, **body: object) -> dict[str, object]:
    response = client.post("/admin/webhooks", headers=ADMIN, json={
        "url": TARGET, "event_types": ["catalog.product_created"], **body})
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def test_a_subscription_shows_its_secret_once_and_logs_its_deliveries(
        client: TestClient, commerce: Commerce) -> None:
    sub = created(client, description="ERP")
    sub_id = sub["id"]
    commerce.catalog.create_product("Shirt", "shirt", [VariantSpec("S-1", Money(5, "VND"))])

    shown = client.get(f"/admin/webhooks/{sub_id}", headers=ADMIN).json()
    listed = client.get("/admin/webhooks", headers=ADMIN).json()
    log = client.get(f"/admin/webhooks/{sub_id}/deliveries", headers=ADMIN).json()

    assert str(sub["secret"]).startswith("whsec_")
    assert "secret" not in shown
    assert [s["id"] for s in listed] == [sub_id]
    assert "secret" not in listed[0]
    assert [(d["event_type"], d["status"], d["replay"]) for d in log] == [
        ("catalog.product_created", "pending", False)]
    one = client.get(f"/admin/webhook-deliveries/{log[0]['id']}", headers=ADMIN)
    assert one.json()["event_id"] == log[0]["event_id"]
    audited = [e for e in commerce.audit.search() if e.record.action.startswith("webhooks.")]
    assert [e.record.action for e in audited] == ["webhooks.create_subscription"]
    assert str(sub["secret"]) not in repr(audited)
    assert str(sub["secret"])[len("whsec_"):] not in repr(audited)
    assert commerce.webhooks.get(str(sub_id)).secret_sealed not in repr(audited)


def test_replays_of_one_delivery_and_of_a_range(client: TestClient,
                                                commerce: Commerce) -> None:
    sub_id = created(client)["id"]
    start = commerce.ports.clock.now() - timedelta(minutes=1)
    commerce.catalog.create_product("Shirt", "shirt", [VariantSpec("S-1", Money(5, "VND"))])
    (original,) = client.get(f"/admin/webhooks/{sub_id}/deliveries", headers=ADMIN).json()

    one = client.post(f"/admin/webhook-deliveries/{original['id']}/replay", headers=ADMIN)
    window = {"from": start.isoformat(), "to": (start + timedelta(hours=1)).isoformat()}
    ranged = client.post(f"/admin/webhooks/{sub_id}/replay", params=window, headers=ADMIN)
    backwards = client.post(f"/admin/webhooks/{sub_id}/replay", headers=ADMIN,
                            params={"from": window["to"], "to": window["from"]})

    assert one.status_code == 202
    assert (one.json()["replay"], one.json()["replay_of"]) == (True, original["id"])
    assert ranged.status_code == 202
    assert ranged.json()["replayed"] == 1
    assert_problem(backwards, 422, "webhooks.invalid")
    log = client.get(f"/admin/webhooks/{sub_id}/deliveries", headers=ADMIN).json()
    assert len(log) == 3


def test_updates_rotation_disable_enable_and_delete(client: TestClient) -> None:
    sub = created(client)
    sub_id = sub["id"]

    changed = client.patch(f"/admin/webhooks/{sub_id}", headers=ADMIN,
                           json={"event_types": ["catalog.*"], "description": "all"})
    rotated = client.post(f"/admin/webhooks/{sub_id}/rotate-secret", headers=ADMIN)
    disabled = client.post(f"/admin/webhooks/{sub_id}/disable", headers=ADMIN)
    enabled = client.post(f"/admin/webhooks/{sub_id}/enable", headers=ADMIN)
    deleted = client.delete(f"/admin/webhooks/{sub_id}", headers=ADMIN)

    assert changed.json()["event_types"] == ["catalog.*"]
    assert rotated.json()["secret"] != sub["secret"]
    assert rotated.json()["previous_secret_until"] is not None
    assert (disabled.json()["status"], disabled.json()["disabled_reason"]) == ("disabled",
                                                                               "manual")
    assert enabled.json()["status"] == "active"
    assert deleted.status_code == 204
    assert client.get("/admin/webhooks", headers=ADMIN).json() == []
    assert_problem(client.post(f"/admin/webhooks/{sub_id}/enable", headers=ADMIN), 409,
                   "webhooks.subscription_inactive")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hooks", "http://10.1.2.3/",
                                 "http://169.254.169.254/latest", "http://[::1]/",
                                 "ftp://93.184.215.14/"])
def test_private_and_non_http_targets_are_refused(client: TestClient, url: str) -> None:
    response = client.post("/admin/webhooks", headers=ADMIN,
                           json={"url": url, "event_types": ["*"]})

    assert response.status_code == 422
    assert client.get("/admin/webhooks", headers=ADMIN).json() == []


def test_unknown_event_types_and_ids(client: TestClient) -> None:
    assert_problem(client.post("/admin/webhooks", headers=ADMIN,
                               json={"url": TARGET, "event_types": ["order.nope"]}),
                   422, "webhooks.invalid")
    assert_problem(client.get("/admin/webhooks/nope", headers=ADMIN), 404,
                   "webhooks.subscription_not_found")
    assert_problem(client.post("/admin/webhook-deliveries/nope/replay", headers=ADMIN), 404,
                   "webhooks.delivery_not_found")


def test_only_holders_of_webhooks_manage_may_call(client: TestClient) -> None:
    anonymous = client.get("/admin/webhooks")
    viewer = client.post("/admin/webhooks", headers={"Authorization": "Bearer viewer"},
                         json={"url": TARGET, "event_types": ["*"]})

    assert anonymous.status_code == 401
    assert viewer.status_code == 403
