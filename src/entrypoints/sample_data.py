"""The sample catalog: a small Vietnamese shop to try commerce-core with, seeded idempotently."""

from __future__ import annotations

from attrs import define, field, frozen

from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shipping.methods import MethodSpec


@frozen
class SampleWarehouse:
    code: str
    name: str
    is_default: bool = False


@frozen
class SampleVariant:
    sku: str
    name: str
    price: int  # VND, which has no minor unit
    stock: dict[str, int]  # on hand by warehouse code


@frozen
class SampleProduct:
    slug: str
    name: str
    category: str  # category slug
    description: str
    variants: tuple[SampleVariant, ...]


WAREHOUSES = (
    SampleWarehouse("HCM", "Ho Chi Minh City", is_default=True),
    SampleWarehouse("HN", "Ha Noi"),
)

CATEGORIES = {
    "apparel": "Apparel",
    "coffee": "Coffee",
    "home": "Home & kitchen",
    "pantry": "Pantry",
}


def _sizes(prefix: str, price: int, stock: dict[str, tuple[int, int]]) -> tuple[SampleVariant, ...]:
    return tuple(
        SampleVariant(f"{prefix}-{size}", size, price, {"HCM": hcm, "HN": hn})
        for size, (hcm, hn) in stock.items()
    )


PRODUCTS = (
    SampleProduct(
        "linen-shirt", "Linen shirt", "apparel",
        "Breathable long-sleeve shirt in washed linen, cut for the tropics.",
        _sizes("LINEN-SHIRT", 450_000, {"S": (20, 10), "M": (30, 12), "L": (15, 8)}),
    ),
    SampleProduct(
        "silk-ao-dai", "Silk áo dài", "apparel",
        "Hand-finished silk áo dài from Hà Đông, with matching trousers.",
        _sizes("AO-DAI-SILK", 1_850_000, {"S": (6, 4), "M": (8, 5), "L": (4, 2)}),
    ),
    SampleProduct(
        "conical-hat", "Huế conical hat (nón lá)", "apparel",
        "Palm-leaf nón lá woven in Huế, with a cotton chin strap.",
        (SampleVariant("NON-LA", "", 120_000, {"HCM": 40, "HN": 25}),),
    ),
    SampleProduct(
        "robusta-coffee", "Đắk Lắk robusta coffee", "coffee",
        "Dark-roasted whole beans from Buôn Ma Thuột, made for the phin.",
        (
            SampleVariant("ROBUSTA-250G", "250 g", 95_000, {"HCM": 60, "HN": 40}),
            SampleVariant("ROBUSTA-500G", "500 g", 175_000, {"HCM": 45, "HN": 30}),
            SampleVariant("ROBUSTA-1KG", "1 kg", 330_000, {"HCM": 20}),
        ),
    ),
    SampleProduct(
        "phin-filter", "Stainless steel phin filter", "coffee",
        "The Vietnamese drip filter, in brushed stainless steel.",
        (
            SampleVariant("PHIN-FILTER-S", "1 cup", 55_000, {"HCM": 80, "HN": 50}),
            SampleVariant("PHIN-FILTER-L", "4 cups", 75_000, {"HCM": 35, "HN": 20}),
        ),
    ),
    SampleProduct(
        "bat-trang-tea-set", "Bát Tràng ceramic tea set", "home",
        "Teapot and six cups, glazed and fired in Bát Tràng village.",
        (
            SampleVariant("BAT-TRANG-TEA-SET-BLUE", "blue", 780_000, {"HCM": 10, "HN": 12}),
            SampleVariant("BAT-TRANG-TEA-SET-CELADON", "celadon", 820_000, {"HN": 6}),
        ),
    ),
    SampleProduct(
        "sedge-tote", "Sedge tote bag", "home",
        "Woven sedge tote from the Mekong delta, lined in cotton.",
        (
            SampleVariant("SEDGE-TOTE-S", "small", 220_000, {"HCM": 25, "HN": 15}),
            SampleVariant("SEDGE-TOTE-L", "large", 290_000, {"HCM": 18, "HN": 10}),
        ),
    ),
    SampleProduct(
        "phu-quoc-fish-sauce", "Phú Quốc fish sauce", "pantry",
        "First-press anchovy fish sauce, 40°N, aged in wooden barrels.",
        (
            SampleVariant("FISH-SAUCE-500ML", "500 ml", 98_000, {"HCM": 70, "HN": 50}),
            SampleVariant("FISH-SAUCE-1L", "1 l", 175_000, {"HCM": 30, "HN": 20}),
        ),
    ),
)


@define
class SeedReport:
    """What one seeding run found: per item, True if it created it, False if it was there."""

    warehouses: dict[str, bool] = field(factory=dict)  # by code
    categories: dict[str, bool] = field(factory=dict)  # by slug
    products: dict[str, bool] = field(factory=dict)  # by slug
    stock: dict[tuple[str, str], bool] = field(factory=dict)  # by (SKU, warehouse code)
    shipping_methods: dict[str, bool] = field(factory=dict)  # by code

    @property
    def created(self) -> int:
        parts = (self.warehouses, self.categories, self.products, self.stock,
                 self.shipping_methods)
        return sum(sum(part.values()) for part in parts)


def seed_sample_catalog(commerce: Commerce) -> SeedReport:
    """Create whatever of the sample catalog is missing and leave everything else as it is:
    a product whose SKU exists is skipped, and stock is set only where no level exists yet,
    so seeding twice (or over a live shop) changes nothing."""
    report = SeedReport()
    warehouse_ids = {w.code: w.id for w in commerce.inventory.warehouses()}
    for warehouse in WAREHOUSES:
        report.warehouses[warehouse.code] = warehouse.code not in warehouse_ids
        if warehouse.code not in warehouse_ids:
            warehouse_ids[warehouse.code] = commerce.inventory.create_warehouse(
                warehouse.code, warehouse.name, is_default=warehouse.is_default
            )

    category_ids = {c.slug: c.id for c in commerce.catalog.categories()}
    for slug, name in CATEGORIES.items():
        report.categories[slug] = slug not in category_ids
        if slug not in category_ids:
            category_ids[slug] = commerce.catalog.create_category(slug, name)

    stocked = {(level.sku, level.warehouse_id) for level in commerce.inventory.levels()}
    for product in PRODUCTS:
        exists = any(commerce.catalog.by_sku(v.sku) is not None for v in product.variants)
        report.products[product.slug] = not exists
        if not exists:
            commerce.catalog.create_product(
                product.name, product.slug,
                [VariantSpec(v.sku, Money(v.price, "VND"), v.name) for v in product.variants],
                description=product.description, category_ids=(category_ids[product.category],),
                publish=True,
            )
        for variant in product.variants:
            for code, on_hand in variant.stock.items():
                missing = (variant.sku, warehouse_ids[code]) not in stocked
                report.stock[(variant.sku, code)] = missing
                if missing:
                    commerce.inventory.set_stock(variant.sku, code, on_hand, reason="sample_data")
    seed_shipping_methods(commerce, report)
    return report


# A flat rate, free shipping from ₫500,000, and the fake carrier's express service (its live
# rate plus 10 %, ₫45,000 when it cannot answer).
SHIPPING_METHODS: tuple[tuple[str, MethodSpec], ...] = (
    ("standard", MethodSpec("Standard delivery", "flat_rate", "VND",
                            rate=Money(30_000, "VND"), estimated_days_min=3,
                            estimated_days_max=5, display_order=1)),
    ("free-500k", MethodSpec("Free delivery over ₫500,000", "free", "VND",
                             min_order=Money(500_000, "VND"), estimated_days_min=4,
                             estimated_days_max=6, display_order=2)),
    ("fake-express", MethodSpec("Express (fake carrier)", "carrier", "VND", carrier="fake",
                                service="express", markup_percent=10,
                                fallback=Money(45_000, "VND"), estimated_days_min=1,
                                estimated_days_max=2, display_order=3)),
)


def seed_shipping_methods(commerce: Commerce, report: SeedReport) -> None:
    """The sample shipping methods whose code is not taken yet."""
    existing = {m.code for m in commerce.shipping_rates.methods()}
    for code, spec in SHIPPING_METHODS:
        report.shipping_methods[code] = code not in existing
        if code not in existing:
            commerce.shipping_rates.create_method(code, spec)
