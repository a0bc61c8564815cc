"""`commerce shipping methods ...` and `commerce shipping quote` on a seeded SQLite shop."""

from __future__ import annotations

from commerce_core import Commerce
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import (  # noqa: F401
    commerce_cli,
    database_url,
    refused,
    seeded_url,
    succeeded,
)


def shop(url: str) -> Commerce:
    commerce: Commerce = make_container(
        Settings(database_url=url, seed_sample_catalog=False)).commerce()
    return commerce


def cli(url: str, *args: str) -> str:
    return succeeded(commerce_cli("--database-url", url, "shipping", *args))


def test_methods_are_created_listed_and_quoted_from_the_cli(seeded_url: str) -> None:  # noqa: F811
    cli(seeded_url, "methods", "create", "flat", "--name", "Flat", "--type", "flat_rate",
        "--rate", "30000", "--days-max", "5")
    cli(seeded_url, "methods", "create", "bands", "--name", "By weight", "--type",
        "table_rate", "--band-basis", "weight", "--band", "2000=20000", "--band", "*=50000")
    cli(seeded_url, "methods", "create", "express", "--name", "Express", "--type", "carrier",
        "--carrier", "fake", "--service", "express", "--markup", "0")
    cli(seeded_url, "methods", "disable", "bands")
    commerce = shop(seeded_url)
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)

    listed = cli(seeded_url, "methods", "list")
    table = cli(seeded_url, "quote", "--cart", cart_id, "--to-province", "Ho Chi Minh",
                "--country", "VN")

    rows = {line.split("│")[1].strip(): line for line in listed.splitlines()
            if line.count("│") >= 5}
    # The sample data's methods are there too.
    assert set(rows) >= {"flat", "bands", "express", "standard", "free-500k", "fake-express"}
    assert rows["bands"].rstrip(" │").endswith("no")
    assert rows["flat"].rstrip(" │").endswith("yes")
    assert "30,000" in table or "30000" in table
    assert "Express (express)" in table
    assert "By weight" not in table
    assert "cheapest" in table
    quote_ids = [line.split("│")[1].strip() for line in table.splitlines()
                 if line.count("│") >= 6 and "Quote" not in line]
    stored = sorted(commerce.shipping_rates.issued(q).method_code for q in quote_ids)
    # The shirt (₫350,000) is under the free threshold.
    assert stored == ["express", "fake-express", "flat", "standard"]


def test_a_duplicate_code_is_refused_in_one_line(database_url: str) -> None:  # noqa: F811
    args = ("--database-url", database_url, "shipping", "methods", "create", "flat", "--name",
            "Flat", "--type", "flat_rate", "--rate", "30000")
    succeeded(commerce_cli(*args))

    refused(commerce_cli(*args), "shipping.duplicate_method")
