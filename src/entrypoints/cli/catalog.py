"""`commerce catalog`: products and categories as operators keep them."""

from __future__ import annotations

import builtins
from typing import Annotated

import typer
from rich.table import Table

from commerce_core import Commerce, Money, VariantSpec
from commerce_core.catalog.errors import CategoryNotFound, InvalidProduct, ProductNotFound
from commerce_core.catalog.model import Category, Product
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True, help="The catalog: products and categories.")
products = typer.Typer(no_args_is_help=True,
                       help="Products: list, show, create, update, publish, archive.")
categories = typer.Typer(no_args_is_help=True, help="Categories: list, create.")
app.add_typer(products, name="products")
app.add_typer(categories, name="categories")

ProductRef = Annotated[str, typer.Argument(metavar="PRODUCT", help="Product id, slug or SKU")]
CategoryOption = Annotated[
    builtins.list[str] | None,
    typer.Option("--category", help="Category slug or id (repeat for several)"),
]


def find_product(commerce: Commerce, ref: str) -> Product:
    ref = ref.strip()
    found = commerce.catalog.by_slug(ref) or commerce.catalog.by_sku(ref)
    if found is not None:
        return found
    try:
        return commerce.catalog.get(ref)
    except ProductNotFound:
        raise ProductNotFound(f"no product with id, slug or SKU {ref}", product=ref) from None


def category_ids(commerce: Commerce, refs: builtins.list[str] | None) -> tuple[str, ...] | None:
    """Ids for slugs or ids, or `None` when no `--category` was given (nothing to change)."""
    if refs is None:
        return None
    known = {c.slug: c.id for c in commerce.catalog.categories()}
    ids = set(known.values())
    missing = [r for r in refs if r not in known and r not in ids]
    if missing:
        raise CategoryNotFound(f"no category {', '.join(missing)}", categories=missing)
    return tuple(known.get(r, r) for r in refs)


def parse_variant(text: str, currency: str) -> VariantSpec:
    """`SKU=PRICE` or `SKU=PRICE=NAME`, the price in minor units (VND has none)."""
    sku, _, rest = text.partition("=")
    price, _, name = rest.partition("=")
    if not sku or not price.isdigit():
        raise InvalidProduct(f"variant {text!r} is not SKU=PRICE[=NAME] with PRICE in minor "
                             "units", variant=text)
    return VariantSpec(sku, Money(int(price), currency), name)


# -- products --------------------------------------------------------------------------------------
@products.command("list")
@permits(Permission.CATALOG_READ)
def list_products(
    ctx: typer.Context,
    published: Annotated[bool, typer.Option("--published", help="Only published ones")] = False,
    category: Annotated[str | None, typer.Option(help="Category slug or id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0, max=1_000_000)] = 0,
) -> None:
    """Products, oldest first."""
    commerce = runtime(ctx).commerce
    wanted = category_ids(commerce, None if category is None else [category])
    found = commerce.catalog.list(published_only=published,
                                  category_id=wanted[0] if wanted else None,
                                  limit=limit, offset=offset)
    if not found:
        console.print("no products")
        return
    table = Table()
    for heading in ("Slug", "Name", "Status", "SKUs", "Updated", "Id"):
        table.add_column(heading, no_wrap=heading != "Name")
    for product in found:
        table.add_row(product.slug, product.name, product.status.value,
                      ", ".join(v.sku for v in product.variants), when(product.updated_at),
                      product.id)
    console.print(table)


@products.command("show")
@permits(Permission.CATALOG_READ)
def show(ctx: typer.Context, product: ProductRef) -> None:
    """One product with its variants and list prices."""
    commerce = runtime(ctx).commerce
    found = find_product(commerce, product)
    names = {c.id: c.slug for c in commerce.catalog.categories()}
    header = Table.grid(padding=(0, 2))
    header.add_row("Product", f"{found.name}  {found.status.value}")
    header.add_row("Id", found.id)
    header.add_row("Slug", found.slug)
    header.add_row("Categories", ", ".join(names.get(c, c) for c in found.category_ids) or "-")
    if found.description:
        header.add_row("Description", found.description)
    for key, value in sorted(found.attributes.items()):
        header.add_row(key, value)
    console.print(header)
    table = Table(title="Variants")
    for heading in ("SKU", "Name", "List price", "Weight (g)"):
        table.add_column(heading, no_wrap=True)
    for v in found.variants:
        table.add_row(v.sku, v.name, str(v.price), str(v.weight_grams))
    console.print(table)


@products.command("create")
@permits(Permission.CATALOG_WRITE)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What shoppers read")],
    slug: Annotated[str, typer.Option(help="URL name: lower-case words joined by '-'")],
    variant: Annotated[builtins.list[str], typer.Option(
        help="SKU=PRICE[=NAME], PRICE in minor units (repeat for several)")],
    currency: Annotated[str | None, typer.Option(help="Default: the shop's currency")] = None,
    description: Annotated[str, typer.Option()] = "",
    category: CategoryOption = None,
    publish: Annotated[bool, typer.Option("--publish", help="Sell it at once")] = False,
) -> None:
    """Add a product (a draft unless --publish)."""
    state = runtime(ctx)
    commerce = state.commerce
    money_in = (currency or state.settings.currency).upper()
    product_id = commerce.catalog.create_product(
        name, slug, [parse_variant(v, money_in) for v in variant], description=description,
        category_ids=category_ids(commerce, category) or (), publish=publish,
    )
    ok(f"product {slug} created ({product_id})")


@products.command("update")
@permits(Permission.CATALOG_WRITE)
def update(
    ctx: typer.Context,
    product: ProductRef,
    name: Annotated[str | None, typer.Option()] = None,
    slug: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    category: CategoryOption = None,
    attribute: Annotated[builtins.list[str] | None, typer.Option(
        help="KEY=VALUE; replaces all attributes (repeat for several)")] = None,
) -> None:
    """Change what the product says; options left out stay as they are."""
    commerce = runtime(ctx).commerce
    found = find_product(commerce, product)
    attributes = None
    if attribute is not None:
        pairs = [a.partition("=") for a in attribute]
        if any(not key or not sep for key, sep, _ in pairs):
            raise InvalidProduct("attributes are KEY=VALUE")
        attributes = {key: value for key, _, value in pairs}
    changes = commerce.catalog.update(
        found.id, name=name, slug=slug, description=description,
        category_ids=category_ids(commerce, category), attributes=attributes,
    )
    ok(f"{found.slug}: {', '.join(changes)} changed" if changes else f"{found.slug}: no change")


@products.command("publish")
@permits(Permission.CATALOG_WRITE)
def publish(ctx: typer.Context, product: ProductRef) -> None:
    """Make it visible and sellable."""
    commerce = runtime(ctx).commerce
    found = find_product(commerce, product)
    commerce.catalog.publish(found.id)
    ok(f"{found.slug} is published")


@products.command("unpublish")
@permits(Permission.CATALOG_WRITE)
def unpublish(ctx: typer.Context, product: ProductRef) -> None:
    """Hide it; carts keep their lines but cannot check them out."""
    commerce = runtime(ctx).commerce
    found = find_product(commerce, product)
    commerce.catalog.unpublish(found.id)
    ok(f"{found.slug} is a draft")


@products.command("archive")
@permits(Permission.CATALOG_WRITE)
def archive(ctx: typer.Context, product: ProductRef) -> None:
    """Retire it for good: never sold or shown again, kept for the orders that name it."""
    commerce = runtime(ctx).commerce
    found = find_product(commerce, product)
    commerce.catalog.archive(found.id)
    ok(f"{found.slug} is archived")


# -- categories ------------------------------------------------------------------------------------
def _category_row(category: Category, slugs: dict[str, str]) -> tuple[str, ...]:
    parent = "-" if category.parent_id is None else slugs.get(category.parent_id, "?")
    return category.slug, category.name, parent, category.id


@categories.command("list")
@permits(Permission.CATALOG_READ)
def list_categories(ctx: typer.Context) -> None:
    """Every category, by slug."""
    found = runtime(ctx).commerce.catalog.categories()
    if not found:
        console.print("no categories")
        return
    slugs = {c.id: c.slug for c in found}
    table = Table()
    for heading in ("Slug", "Name", "Parent", "Id"):
        table.add_column(heading, no_wrap=True)
    for category in found:
        table.add_row(*_category_row(category, slugs))
    console.print(table)


@categories.command("create")
@permits(Permission.CATALOG_WRITE)
def create_category(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Lower-case words joined by '-'")],
    name: Annotated[str, typer.Option()],
    parent: Annotated[str | None, typer.Option(help="Parent category slug or id")] = None,
) -> None:
    """Add a category."""
    commerce = runtime(ctx).commerce
    parents = category_ids(commerce, None if parent is None else [parent])
    category_id = commerce.catalog.create_category(slug, name, parents[0] if parents else None)
    ok(f"category {slug} created ({category_id})")
