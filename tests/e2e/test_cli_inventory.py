"""Operating stock and fulfillment from the command line, on a seeded SQLite shop."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from commerce_core import Commerce
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, succeeded


@pytest.fixture
def shop_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "seed"))
    return url


def shop(url: str) -> Commerce:
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    return commerce


def test_stock_audit_passes_and_fails_when_a_counter_is_tampered_with(shop_url: str) -> None:
    cli = ("--database-url", shop_url)
    commerce_cli_ok = succeeded(commerce_cli(*cli, "stock", "audit"))
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE stock_levels SET on_hand = on_hand + 1 WHERE sku = 'LINEN-SHIRT-M'"))
    engine.dispose()

    result = commerce_cli(*cli, "stock", "audit")

    assert "the ledger sums to every counter" in commerce_cli_ok
    assert result.exit_code == 1
    assert "LINEN-SHIRT-M" in result.stdout
    assert "drifted from their ledger" in result.stdout


def test_receiving_adjusting_and_transferring_from_the_cli(shop_url: str) -> None:
    cli = ("--database-url", shop_url)

    succeeded(commerce_cli(*cli, "stock", "receive", "LINEN-SHIRT-M", "HCM", "5",
                           "--batch", "lot-1", "--expiry", "2031-01-31", "--bin", "a-3-2"))
    requested = succeeded(commerce_cli(*cli, "stock", "adjust", "LINEN-SHIRT-M", "HCM", "-2"))
    adjustment_id = requested.split("adjustment ")[1].split()[0]
    succeeded(commerce_cli(*cli, "stock", "approve", adjustment_id))
    moved = succeeded(commerce_cli(*cli, "stock", "transfer", "LINEN-SHIRT-M", "HCM", "HN", "3"))
    transfer_id = moved.split("transfer ")[1].split()[0]
    succeeded(commerce_cli(*cli, "stock", "transfer-step", transfer_id, "ship"))
    succeeded(commerce_cli(*cli, "stock", "transfer-step", transfer_id, "receive"))
    ledger = succeeded(commerce_cli(*cli, "stock", "movements", "LINEN-SHIRT-M"))
    items = succeeded(commerce_cli(*cli, "stock", "items", "--sku", "LINEN-SHIRT-M"))

    for kind in ("receipt", "adjustment", "reservation", "transfer_out", "transfer_in"):
        assert kind in ledger, kind
    assert "A-03-02" in items
    assert {(lv.warehouse_id, lv.on_hand) for lv in shop(shop_url).inventory.levels(
        "LINEN-SHIRT-M")} == {(shop(shop_url).inventory.warehouse("HCM").id, 30),
                              (shop(shop_url).inventory.warehouse("HN").id, 15)}
    succeeded(commerce_cli(*cli, "stock", "audit"))


def test_an_adjustment_below_reserved_is_one_line_error(shop_url: str) -> None:
    commerce = shop(shop_url)
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 25, warehouse_id=None)
    commerce.checkout.place_order(cart_id)

    result = commerce_cli("--database-url", shop_url, "stock", "adjust", "LINEN-SHIRT-M",
                          "HCM", "-10")

    refused(result, "inventory.stock_below_reserved")


def test_alerts_and_reconciliation_from_the_cli(shop_url: str) -> None:
    cli = ("--database-url", shop_url)
    succeeded(commerce_cli(*cli, "stock", "configure", "LINEN-SHIRT-M", "HCM",
                           "--reorder-point", "40", "--bin", "A-1-1"))

    alerts = succeeded(commerce_cli(*cli, "stock", "alerts"))
    reconciled = succeeded(commerce_cli(*cli, "stock", "reconcile"))

    assert "low_stock" in alerts
    assert "LINEN-SHIRT-M" in alerts
    assert "reserved counts match" in reconciled


def test_a_batch_pick_list_prints_in_bin_order(shop_url: str) -> None:
    cli = ("--database-url", shop_url)
    succeeded(commerce_cli(*cli, "stock", "configure", "LINEN-SHIRT-M", "HCM", "--bin", "B-2-1"))
    succeeded(commerce_cli(*cli, "stock", "configure", "NON-LA", "HCM", "--bin", "A-7-4"))
    commerce = shop(shop_url)
    for _ in range(3):
        cart_id = commerce.cart.create("VND")
        commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
        commerce.cart.add_item(cart_id, "NON-LA", 2)
        placed = commerce.checkout.place_order(cart_id)
        commerce.payments.capture(placed.order_id)

    output = succeeded(commerce_cli(*cli, "fulfillment", "picklist", "--warehouse", "HCM"))

    rows = [line for line in output.splitlines() if "NON-LA" in line or
            "LINEN-SHIRT-M" in line]
    assert [("A-07-04" in rows[0]), ("B-02-01" in rows[1])] == [True, True]
    assert " 6 " in rows[0]
    assert " 3 " in rows[1]
    picklist_id = output.split("pick list id: ")[1].split()[0]
    succeeded(commerce_cli(*cli, "fulfillment", "complete-picklist", picklist_id))
    listed = succeeded(commerce_cli(*cli, "fulfillment", "list", "--status", "picked"))
    assert listed.count("picked") == 3


def test_warehouses_from_the_cli(shop_url: str) -> None:
    cli = ("--database-url", shop_url)

    succeeded(commerce_cli(*cli, "warehouses", "add", "dn", "--name", "Da Nang",
                           "--latitude", "16.05", "--longitude", "108.2"))
    succeeded(commerce_cli(*cli, "warehouses", "deactivate", "DN"))
    listed = succeeded(commerce_cli(*cli, "warehouses", "list"))

    assert "DN" in listed
    assert "inactive" in listed
    refused(commerce_cli(*cli, "warehouses", "deactivate", "HCM"),
            "inventory.default_warehouse_required")
