"""`commerce returns`: staff list, approve, receive, inspect and complete a return on a SQLite
shop; a refund retry of a return whose refund went through is refused in one line."""

from __future__ import annotations

from pathlib import Path

from commerce_core import Commerce
from commerce_core.ordering import services as ordering
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, succeeded


def test_staff_walk_a_return_to_its_refund(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    cli = ("--database-url", url)
    succeeded(commerce_cli(*cli, "seed"))
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    order_id = commerce.checkout.place_order(cart_id, email="lan@example.vn").order_id
    commerce.payments.capture(order_id)
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    (line,) = commerce.orders.get(order_id).lines
    # "other" from a guest scores 30: staff decide.
    return_id = commerce.returns.request(order_id, [(line.id, 2)], "other")
    item_id = commerce.returns.get(return_id).items[0].id

    listed = succeeded(commerce_cli(*cli, "returns", "list", "--status", "pending"))
    approved = succeeded(commerce_cli(*cli, "returns", "approve", return_id, "--by", "lan"))
    received = succeeded(commerce_cli(*cli, "returns", "receive", return_id,
                                      "--item", f"{item_id}=2"))
    inspected = succeeded(commerce_cli(*cli, "returns", "inspect", return_id,
                                       "--item", f"{item_id}=1:new:restock"))
    completed = succeeded(commerce_cli(*cli, "returns", "complete", return_id))
    shown = succeeded(commerce_cli(*cli, "returns", "show", return_id))
    again = commerce_cli(*cli, "returns", "refund", return_id)
    malformed = commerce_cli(*cli, "returns", "inspect", return_id, "--item", "x=one")

    assert return_id in listed
    assert "is approved" in approved
    assert "is received" in received
    assert "is processing" in inspected
    assert "is completed" in completed
    assert "(done)" in completed
    assert "new -> restock, restocked 1" in shown
    assert "by lan (approved)" in shown
    refused(again, "returns.invalid_transition")
    refused(malformed, "commerce.invalid_input")
    ret = commerce.returns.get(return_id)
    assert ret.refund.items == line.unit_price  # one of the two units was accepted
    (refund,) = commerce.payments.refunds(order_id)
    assert refund.amount == ret.refund.total
