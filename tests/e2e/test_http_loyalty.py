"""Loyalty over HTTP: a signed-in customer's `/me/loyalty` (welcome bonus, tier progress,
history, referral code), staff's `/admin/loyalty` (rules, campaigns, audited adjustments,
account status) with their permissions; refusals are problems and change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from fastapi.testclient import TestClient

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, assert_problem, settings
from tests.e2e.test_http_customers import BearerBook


@attrs.define
class Shop:
    commerce: Commerce
    client: TestClient
    bearers: BearerBook

    def customer(self, email: str, bearer: str) -> tuple[str, dict[str, str]]:
        customer = self.commerce.customers.register(email, "Lan", "Nguyễn")
        self.bearers.principals[bearer] = Principal(kind="customer", subject=customer.id,
                                                    customer_id=customer.id)
        return customer.id, {"Authorization": f"Bearer {bearer}"}

    def staff(self, bearer: str, *permissions: str) -> dict[str, str]:
        self.bearers.principals[bearer] = Principal(kind="staff", subject=bearer,
                                                    permissions=frozenset(permissions))
        return {"Authorization": f"Bearer {bearer}"}


@pytest.fixture
def shop() -> Iterator[Shop]:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    commerce = Commerce(ports)
    bearers = BearerBook()
    app = create_app(commerce, settings(), authenticators=[bearers])
    with TestClient(app) as client:
        yield Shop(commerce, client, bearers)


def test_a_new_customer_sees_the_welcome_bonus_and_the_way_to_silver(shop: Shop) -> None:
    customer_id, me = shop.customer("lan@example.vn", "lan")

    account = shop.client.get("/me/loyalty", headers=me)
    history = shop.client.get("/me/loyalty/transactions", headers=me)

    assert account.status_code == 200, account.text
    body = account.json()
    assert (body["customer_id"], body["balance"], body["tier"]) == (customer_id, 500, "bronze")
    assert (body["next_tier"], body["spend_to_next_tier"]) == ("silver", 5_000_000)
    assert [(e["kind"], e["source"], e["points"]) for e in history.json()] == [
        ("bonus", "welcome_bonus", 500)]
    assert shop.client.get("/me/loyalty").status_code == 401


def test_a_friend_uses_a_referral_code_once_and_never_their_own(shop: Shop) -> None:
    _, lan = shop.customer("lan@example.vn", "lan")
    _, an = shop.customer("an@example.vn", "an")
    code = shop.client.get("/me/loyalty/referrals", headers=lan).json()["referral_code"]

    assert_problem(shop.client.post("/me/loyalty/referral", headers=lan, json={"code": code}),
                   409, "loyalty.referral_refused")
    used = shop.client.post("/me/loyalty/referral", headers=an, json={"code": code})
    again = shop.client.post("/me/loyalty/referral", headers=an, json={"code": code})
    assert_problem(shop.client.post("/me/loyalty/referral", headers=an,
                                    json={"code": "not a code!"}), 422, "request.invalid")

    assert used.status_code == 201, used.text
    assert used.json()["status"] == "pending"
    assert_problem(again, 409, "loyalty.referral_refused")
    mine = shop.client.get("/me/loyalty/referrals", headers=lan).json()
    assert [r["status"] for r in mine["referrals"]] == ["pending"]


def test_staff_adjust_a_balance_once_per_reference_and_never_below_zero(shop: Shop) -> None:
    customer_id, me = shop.customer("lan@example.vn", "lan")
    agent = shop.staff("agent", "loyalty.read", "loyalty.adjust")
    path = f"/admin/loyalty/accounts/{customer_id}/adjustments"

    added = shop.client.post(path, headers=agent,
                             json={"points": 300, "reason": "late delivery", "reference": "T-1"})
    again = shop.client.post(path, headers=agent,
                             json={"points": 300, "reason": "late delivery", "reference": "T-1"})
    taken = shop.client.post(path, headers=agent,
                             json={"points": -1000, "reason": "abuse", "reference": "T-2"})

    assert added.status_code == 201, added.text
    assert again.json()["balance_after"] == 800
    assert (taken.json()["balance_after"], taken.json()["debt"]) == (0, 200)
    account = shop.client.get(f"/admin/loyalty/accounts/{customer_id}", headers=agent).json()
    assert (account["balance"], account["debt"]) == (0, 200)
    assert_problem(shop.client.post(path, headers=agent, json={
        "points": 0, "reason": "x", "reference": "T-3"}), 422, "loyalty.invalid")
    assert_problem(shop.client.post(path, headers=agent, json={
        "points": "10", "reason": "x", "reference": "T-3"}), 422, "request.invalid")
    audited = [e.record for e in shop.commerce.audit.search()
               if e.record.action == "loyalty.adjust_points"]
    # Every request is audited; the repeat changed nothing.
    assert sorted(r.after["command"]["reference"] for r in audited) == ["T-1", "T-1", "T-2"]
    assert [bool(r.after.get("changes")) for r in audited].count(True) == 2
    assert {r.actor.subject for r in audited} == {"agent"}
    assert shop.client.get("/me/loyalty", headers=me).json()["balance"] == 0


def test_staff_permissions_are_declared_per_route(shop: Shop) -> None:
    customer_id, _ = shop.customer("lan@example.vn", "lan")
    reader = shop.staff("reader", "loyalty.read")

    assert shop.client.get("/admin/loyalty/program", headers=reader).status_code == 200
    assert_problem(shop.client.put("/admin/loyalty/program", headers=reader, json={}),
                   403, "auth.forbidden")
    assert_problem(shop.client.post(f"/admin/loyalty/accounts/{customer_id}/adjustments",
                                    headers=reader,
                                    json={"points": 5, "reason": "x", "reference": "r"}),
                   403, "auth.forbidden")
    assert shop.client.get("/admin/loyalty/program").status_code == 401


def test_rules_tiers_and_campaigns_are_configured_by_staff(shop: Shop) -> None:
    changed = shop.client.put("/admin/loyalty/program", headers=ADMIN, json={
        "tiers": [{"code": "member", "name": "Member", "threshold": 0, "multiplier": 100},
                  {"code": "vip", "name": "VIP", "threshold": 1_000_000, "multiplier": 150}],
        "category_multipliers": {"cat-electronics": 200}, "welcome_points": 100})
    created = shop.client.post("/admin/loyalty/campaigns", headers=ADMIN, json={
        "name": "Tết double points", "kind": "multiplier", "multiplier": 200,
        "starts_at": "2026-01-01T00:00:00+07:00", "ends_at": "2026-02-28T00:00:00+07:00",
        "eligible_tiers": ["vip"], "budget": 1_000_000})
    unknown_tier = shop.client.post("/admin/loyalty/campaigns", headers=ADMIN, json={
        "name": "Gold only", "kind": "bonus", "bonus_points": 50,
        "starts_at": "2026-01-01T00:00:00+07:00", "ends_at": "2026-02-28T00:00:00+07:00",
        "eligible_tiers": ["gold"]})
    backwards = shop.client.post("/admin/loyalty/campaigns", headers=ADMIN, json={
        "name": "Backwards", "kind": "bonus", "bonus_points": 50,
        "starts_at": "2026-03-01T00:00:00Z", "ends_at": "2026-02-01T00:00:00Z"})

    assert changed.status_code == 200, changed.text
    assert [t["code"] for t in changed.json()["tiers"]] == ["member", "vip"]
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    assert_problem(unknown_tier, 422, "loyalty.invalid")
    assert_problem(backwards, 422, "loyalty.invalid")
    ended = shop.client.post(f"/admin/loyalty/campaigns/{campaign_id}/end", headers=ADMIN)
    assert ended.json()["active"] is False
    assert_problem(shop.client.post(f"/admin/loyalty/campaigns/{campaign_id}/end",
                                    headers=ADMIN), 409, "loyalty.campaign_closed")
    assert_problem(shop.client.get("/admin/loyalty/campaigns/nope", headers=ADMIN), 404,
                   "loyalty.campaign_not_found")
    assert [c["id"] for c in shop.client.get("/admin/loyalty/campaigns",
                                             headers=ADMIN).json()] == [campaign_id]


def test_a_suspended_account_cannot_be_adjusted_and_a_closed_one_stays_closed(
        shop: Shop) -> None:
    customer_id, _ = shop.customer("lan@example.vn", "lan")
    status = f"/admin/loyalty/accounts/{customer_id}/status"

    suspended = shop.client.put(status, headers=ADMIN,
                                json={"status": "suspended", "reason": "review"})
    refused = shop.client.post(f"/admin/loyalty/accounts/{customer_id}/adjustments",
                               headers=ADMIN, json={"points": 5, "reason": "x",
                                                    "reference": "r"})
    closed = shop.client.put(status, headers=ADMIN, json={"status": "closed"})
    reopened = shop.client.put(status, headers=ADMIN, json={"status": "active"})

    assert suspended.json()["status"] == "suspended"
    assert_problem(refused, 409, "loyalty.account_not_active")
    assert closed.json()["referral_code"] is None
    assert_problem(reopened, 409, "loyalty.account_not_active")
    assert_problem(shop.client.get("/admin/loyalty/accounts/nobody", headers=ADMIN), 404,
                   "loyalty.account_not_found")
