"""`commerce payments` as an operator drives it: the ledger, a capture in parts, the release of
the rest, a refund, and refusals that print one line and change nothing."""

from __future__ import annotations

from commerce_core import Commerce
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, database_url, refused, seeded_url, succeeded

__all__ = ["database_url", "seeded_url"]  # fixtures used by name below


def _placed(url: str) -> tuple[Commerce, str, str]:
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    placed = commerce.checkout.place_order(cart_id, email="lan@example.vn", idempotency_key="k1")
    return commerce, placed.order_id, placed.order_number


def test_capture_in_parts_void_the_rest_refund_and_show_the_ledger(seeded_url: str) -> None:
    commerce, order_id, number = _placed(seeded_url)
    cli = ("--database-url", seeded_url, "payments")
    (payment,) = commerce.payments.for_order(order_id)
    total = payment.amount.amount

    part = succeeded(commerce_cli(*cli, "capture", number, "--amount", "300000", "--partial"))
    rest = succeeded(commerce_cli(*cli, "void", number, "--reason", "one shirt short"))
    back = succeeded(commerce_cli(*cli, "refund", number, "--amount", "100000"))
    shown = succeeded(commerce_cli(*cli, "show", number))

    assert "payment is partially_captured" in part
    assert "payment is captured" in rest
    assert "refunded 100,000 VND" in back
    assert "200,000 VND left to refund" in back
    cells = [[c for c in line.split() if c != "│"] for line in shown.splitlines()
             if "succeeded" in line or "failed" in line]
    kinds = [[c for c in row if c in ("authorize", "capture", "void", "refund", "succeeded",
                                        "failed")] for row in cells]
    assert kinds == [["authorize", "succeeded"], ["capture", "succeeded"],
                     ["void", "succeeded"], ["refund", "succeeded"]]
    after = commerce.payments.get(payment.id)
    assert after.captured_amount == 300_000
    assert after.refunded_amount == 100_000
    assert total > 300_000


def test_a_capture_above_the_authorization_is_refused_in_one_line(seeded_url: str) -> None:
    commerce, order_id, number = _placed(seeded_url)
    (before,) = commerce.payments.for_order(order_id)

    refused(commerce_cli("--database-url", seeded_url, "payments", "capture", number,
                         "--amount", str(before.amount.amount + 1)),
            "payment.capture_not_possible")

    (after,) = commerce.payments.for_order(order_id)
    assert after.status is before.status
    assert after.transactions == before.transactions


def test_the_jobs_run_once_from_the_command_line(seeded_url: str) -> None:
    cli = ("--database-url", seeded_url, "payments")
    assert "0 capture(s) settled" in succeeded(commerce_cli(*cli, "retry-captures"))
    assert "0 authorization(s) expired" in succeeded(commerce_cli(*cli, "expire-authorizations"))
