"""A return over HTTP against a SQLite file: the guest asks with the order's cart token, staff
receive, inspect and complete it, the refund follows once; refusals are problems."""

from __future__ import annotations

from pathlib import Path

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.ordering import services as ordering
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, Api, assert_problem, seed_shop
from tests.e2e.tokens import HEADER, shopper_client


def test_a_guest_returns_a_shirt_and_is_refunded_once(tmp_path: Path) -> None:
    from adapters import sql

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    clock = FrozenClock()
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock,
                       ids=Uuid7Generator())
    commerce = Commerce(ports)
    seed_shop(commerce)
    app = create_app(commerce, Settings(database_url=url, operator_token=OPERATOR_TOKEN))
    with shopper_client(app) as client:
        api = Api(client, commerce)
        cart_id = api.new_cart()
        api.add_item(cart_id, "LINEN-SHIRT-M", 2)
        token = client.get(f"/carts/{cart_id}").request.headers[HEADER]
        placed = api.place_order(cart_id, key="returns-1", email="an@example.vn")
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        commerce.payments.capture(order_id)
        with commerce.ports.uow() as uow:
            for step in ("processing", "shipped", "delivered"):
                ordering.advance(uow, order_id, step, "test", by="test", now=clock.now())
            uow.commit()
        (line,) = api.order(order_id)["lines"]
        asked = {"lines": [{"order_item_id": line["id"], "quantity": 1}], "reason": "defective"}

        # Nobody reaches an order's returns without its token (or its customer's bearer).
        assert_problem(client.post(f"/orders/{order_id}/returns", json=asked,
                                   headers={HEADER: "wrong"}), 404, "ordering.order_not_found")
        assert_problem(client.post(f"/orders/{order_id}/returns", headers={HEADER: token},
                                   json={"lines": [], "reason": "defective"}),
                       422, "request.invalid")

        created = client.post(f"/orders/{order_id}/returns", json=asked,
                              headers={HEADER: token})
        assert created.status_code == 201, created.text
        ret = created.json()
        assert ret["status"] == "approved"  # a guest's defective item scores 10: approved
        assert ret["refund"]["total"]["amount"] == 350_000
        return_id = ret["id"]
        assert_problem(client.post(f"/orders/{order_id}/returns", json=asked,
                                   headers={HEADER: token}), 409, "returns.return_already_open")
        assert client.get(f"/returns/{return_id}", headers={HEADER: token}).status_code == 200
        assert_problem(client.get(f"/returns/{return_id}"), 404, "returns.return_not_found")
        listed = client.get(f"/orders/{order_id}/returns", headers={HEADER: token})
        assert [r["id"] for r in listed.json()] == [return_id]

        assert client.post(f"/admin/returns/{return_id}/receive").status_code == 401
        received = client.post(f"/admin/returns/{return_id}/receive", headers=ADMIN)
        assert received.json()["status"] == "received", received.text
        (item,) = received.json()["items"]
        inspected = client.post(f"/admin/returns/{return_id}/inspect", headers=ADMIN, json={
            "results": [{"item_id": item["id"], "accepted": 1, "condition": "new",
                         "disposition": "restock"}]})
        assert inspected.json()["status"] == "processing", inspected.text
        completed = client.post(f"/admin/returns/{return_id}/complete", headers=ADMIN)
        assert completed.status_code == 200, completed.text
        done = completed.json()
        assert (done["status"], done["refund_state"]) == ("completed", "done")
        assert done["items"][0]["quantity_restocked"] == 1
        assert_problem(client.post(f"/admin/returns/{return_id}/complete", headers=ADMIN),
                       409, "returns.invalid_transition")

        (refund,) = commerce.payments.refunds(order_id)
        assert refund.amount.amount == 350_000
        assert refund.idempotency_key == f"{return_id}:refund"
        assert api.order(order_id)["status"] == "partially_returned"
        admin_list = client.get("/admin/returns", headers=ADMIN, params={"status": "completed"})
        assert [r["id"] for r in admin_list.json()] == [return_id]
        assert_problem(client.post(f"/orders/{order_id}/returns", headers={HEADER: token},
                                   json={**asked, "lines": [{"order_item_id": line["id"],
                                                             "quantity": 2}]}),
                       409, "returns.quantity_exceeded")
