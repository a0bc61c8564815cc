"""`commerce payments` as an operator drives it: the ledger, a capture in parts, the release of
the rest, a refund, and refusals that print one line and change nothing."""

from __future__ import annotations

import pytest

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


def test_cash_collected_at_the_door_and_a_transfer_confirmed(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMMERCE_GATEWAYS", "fake,cod,bank_transfer")
    monkeypatch.setenv("COMMERCE_BANK_TRANSFER_INSTRUCTIONS_URL", "https://shop.test/bt/{reference}")
    commerce: Commerce = make_container(Settings(database_url=seeded_url)).commerce()
    cod, transfer = [commerce.cart.create("VND") for _ in range(2)]
    for cart_id in (cod, transfer):
        commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    cod_order = commerce.checkout.place_order(cod, payment_method="cod", idempotency_key="c1")
    bt_order = commerce.checkout.place_order(transfer, payment_method="bank_transfer",
                                             idempotency_key="b1")
    (bt_payment,) = commerce.payments.for_order(bt_order.order_id)
    cli = ("--database-url", seeded_url, "payments")

    owed = cod_order.total.amount
    collected = succeeded(commerce_cli(*cli, "collect", cod_order.order_number,
                                       "--amount", str(owed + 5_000)))
    short = refused(commerce_cli(*cli, "confirm-transfer", str(bt_payment.reference),
                                 "--amount", str(bt_order.total.amount - 1)),
                    "checkout.transfer_amount_mismatch")
    confirmed = succeeded(commerce_cli(*cli, "confirm-transfer", str(bt_payment.reference),
                                       "--amount", str(bt_order.total.amount)))

    assert "payment is captured, 5,000 VND off what was owed" in collected
    assert "owes" in short
    assert "confirmed" in confirmed
    assert commerce.orders.get(bt_order.order_id).status.value == "confirmed"
