"""Keeping the catalog from the command line, on a seeded SQLite shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import commerce_cli, refused, succeeded
from tests.e2e.test_cli_inventory import shop


@pytest.fixture
def cli(tmp_path: Path) -> tuple[str, ...]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "seed"))
    return ("--database-url", url)


def test_an_operator_creates_a_product_in_a_new_category_and_sees_it(
    cli: tuple[str, ...]
) -> None:
    succeeded(commerce_cli(*cli, "catalog", "categories", "create", "kitchen",
                           "--name", "Kitchen"))
    created = succeeded(commerce_cli(
        *cli, "catalog", "products", "create", "Clay teapot", "--slug", "clay-teapot",
        "--variant", "CLAY-TEAPOT=450000=Brown", "--category", "kitchen", "--publish"))

    shown = succeeded(commerce_cli(*cli, "catalog", "products", "show", "clay-teapot"))
    listed = succeeded(commerce_cli(*cli, "catalog", "products", "list", "--published",
                                    "--category", "kitchen"))
    categories = succeeded(commerce_cli(*cli, "catalog", "categories", "list"))

    assert "product clay-teapot created" in created
    assert "CLAY-TEAPOT" in shown
    assert "450,000 VND" in shown
    assert "kitchen" in shown
    assert "clay-teapot" in listed
    assert "linen-shirt" not in listed
    assert "kitchen" in categories


def test_an_update_changes_the_fields_given_and_an_archive_stops_the_sales(
    cli: tuple[str, ...]
) -> None:
    updated = succeeded(commerce_cli(*cli, "catalog", "products", "update", "LINEN-SHIRT-M",
                                     "--name", "Washed linen shirt",
                                     "--attribute", "fabric=linen"))
    again = succeeded(commerce_cli(*cli, "catalog", "products", "update", "linen-shirt",
                                   "--name", "Washed linen shirt"))
    archived = succeeded(commerce_cli(*cli, "catalog", "products", "archive", "linen-shirt"))

    commerce = shop(cli[1])
    product = commerce.catalog.by_slug("linen-shirt")
    assert "linen-shirt: name, attributes changed" in updated
    assert "no change" in again
    assert "linen-shirt is archived" in archived
    assert product is not None
    assert (product.name, product.attributes, product.status.value) == (
        "Washed linen shirt", {"fabric": "linen"}, "archived")
    cart_id = commerce.cart.create("VND")
    refused_add = commerce_cli(*cli, "catalog", "products", "publish", "linen-shirt")
    refused(refused_add, "catalog.product_not_available")
    with pytest.raises(Exception, match="not for sale"):
        commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)


@pytest.mark.parametrize(("args", "code"), [
    (("products", "show", "no-such-product"), "catalog.product_not_found"),
    (("products", "create", "Bad", "--slug", "Bad Slug", "--variant", "BAD-1=100"),
     "catalog.invalid_product"),
    (("products", "create", "Bad", "--slug", "bad", "--variant", "BAD-1=ten"),
     "catalog.invalid_product"),
    (("products", "update", "linen-shirt", "--category", "nowhere"),
     "catalog.category_not_found"),
    (("products", "update", "linen-shirt", "--slug", "sedge-tote"), "catalog.duplicate_slug"),
    (("categories", "create", "Not A Slug", "--name", "x"), "catalog.invalid_product"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(
    cli: tuple[str, ...], args: tuple[str, ...], code: str
) -> None:
    refused(commerce_cli(*cli, "catalog", *args), code)
