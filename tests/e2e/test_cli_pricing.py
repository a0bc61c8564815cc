"""`commerce price explain`, `promotions` and `coupons` on a seeded SQLite shop; the explanation
shows the same numbers as the HTTP breakdown of the same cart."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from commerce_core import Commerce
from commerce_core.promotion.commands import CreateCoupon, CreatePromotion
from commerce_core.promotion.terms import PercentageOff
from commerce_core.tax.commands import CreateTaxRule
from entrypoints.container import make_container
from entrypoints.http.access import hash_token
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, database_url, seeded_url, succeeded  # noqa: F401
from tests.e2e.tokens import shopper_client

CART_TOKEN = "a-guest-token-of-the-demo-cart"


def shop(url: str) -> tuple[Commerce, Settings]:
    settings = Settings(database_url=url, seed_sample_catalog=False)
    commerce: Commerce = make_container(settings).commerce()
    return commerce, settings


def demo_cart(commerce: Commerce) -> str:
    commerce.tax.create_rule(CreateTaxRule("VAT 10%", "VN", "VAT", Decimal(10)))
    promotion_id = commerce.promotions.create(CreatePromotion(
        "Tet 10%", PercentageOff(Decimal(10)), requires_coupon=True))
    commerce.promotions.create_coupon(CreateCoupon(promotion_id, "TET10"))
    cart_id = commerce.cart.create("VND", access_token_hash=hash_token(CART_TOKEN))
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 2)
    commerce.cart.add_item(cart_id, "NON-LA", 1)
    commerce.cart.apply_coupon(cart_id, "TET10")
    return cart_id


def without_time(breakdown: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in breakdown.items() if k != "priced_at"}


def test_price_explain_matches_the_http_breakdown(seeded_url: str) -> None:  # noqa: F811
    commerce, settings = shop(seeded_url)
    cart_id = demo_cart(commerce)
    with shopper_client(create_app(commerce, settings)) as client:
        over_http = client.get(f"/carts/{cart_id}/price", params={"country": "VN"},
                               headers={"X-Cart-Token": CART_TOKEN}).json()

    table = succeeded(commerce_cli("--database-url", seeded_url, "price", "explain", cart_id,
                                   "--country", "VN"))
    as_json = json.loads(succeeded(commerce_cli("--database-url", seeded_url, "price",
                                                "explain", cart_id, "--country", "VN",
                                                "--json")))

    assert without_time(as_json) == without_time(over_http)
    for line in over_http["lines"]:
        assert f"{line['sku']} x{line['quantity']}" in table
        for adjustment in line["adjustments"]:
            assert f"-{adjustment['amount']['amount']:,} VND" in table
        assert f"{line['total']['amount']:,} VND" in table
    assert f"{over_http['totals']['total']['amount']:,} VND" in table
    assert "coupon: Tet 10% (TET10)" in table


def test_promotions_and_coupons_from_the_command_line(seeded_url: str) -> None:  # noqa: F811
    url = ("--database-url", seeded_url)
    created = succeeded(commerce_cli(*url, "promotions", "create", "Summer", "--value", "15",
                                     "--coupon"))
    promotion_id = created.strip().split()[-1]

    listed = succeeded(commerce_cli(*url, "promotions", "list"))
    codes = succeeded(commerce_cli(*url, "coupons", "generate", "3", "--promotion",
                                   promotion_id, "--prefix", "SUN")).split()
    disabled = succeeded(commerce_cli(*url, "promotions", "disable", promotion_id))

    assert "Summer" in listed
    assert promotion_id in listed
    assert len(set(codes)) == 3
    assert all(c.startswith("SUN-") for c in codes)
    assert "disabled" in disabled
