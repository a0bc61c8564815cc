"""Refund ceilings by role (spec identity §2, scenario 20): a customer-service agent refunds at
most 2,000,000 VND on their own; above it the refund is refused (403), nothing moves, and the
audit log records the attempt. A finance admin has no ceiling."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commerce_core.audit.queries import AuditFilter
from commerce_core.identity.roles import refund_limit_of
from entrypoints.http import create_app
from tests.e2e.conftest import assert_problem, settings
from tests.identity_support import memory_shop, staff_with_mfa
from tests.shop import LAMP, cart_with, stock_shop


def test_a_roles_ceiling_is_its_highest_and_an_uncapped_role_has_none() -> None:
    assert refund_limit_of(["CS_AGENT"]) == 2_000_000
    assert refund_limit_of(["CS_AGENT", "ORDER_ADMIN"]) == 10_000_000
    assert refund_limit_of(["CS_AGENT", "FINANCE_ADMIN"]) is None
    assert refund_limit_of(["ANALYTICS_VIEWER"]) is None  # may not refund at all


def test_an_agent_above_the_ceiling_is_refused_and_audited_and_finance_refunds_it() -> None:
    commerce, clock = memory_shop()
    stock_shop(commerce)
    order_id = commerce.checkout.place_order(cart_with(commerce, (LAMP, 2)),
                                             idempotency_key="lamps").order_id  # 2,500,000
    commerce.payments.capture(order_id)
    _, agent, _ = staff_with_mfa(commerce, clock, "agent", roles=("CS_AGENT",))
    _, finance, _ = staff_with_mfa(commerce, clock, "finance", roles=("FINANCE_ADMIN",))
    client = TestClient(create_app(commerce, settings()))

    def refund(login: object, amount: int, key: str) -> object:
        token = login.tokens.access_token  # type: ignore[attr-defined]
        return client.post(f"/admin/orders/{order_id}/refunds",
                           json={"amount": {"amount": amount, "currency": "VND"}},
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})

    too_much = refund(agent, 2_000_001, "r-1")
    within = refund(agent, 2_000_000, "r-2")
    rest = refund(finance, 500_000, "r-3")

    assert_problem(too_much, 403, "payment.refund_above_limit")  # type: ignore[arg-type]
    assert within.status_code == 201  # type: ignore[attr-defined]
    assert rest.status_code == 201  # type: ignore[attr-defined]
    assert [r.amount.amount for r in commerce.payments.refunds(order_id)] == [
        2_000_000, 500_000]
    refused = [e for e in commerce.audit.search(AuditFilter(limit=200))
               if e.record.action.endswith(".refused")]
    assert len(refused) == 1
    assert tuple(refused[0].record.actor.roles) == ("CS_AGENT",)
    assert "refund" in refused[0].record.action
