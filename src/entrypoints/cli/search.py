"""`commerce search`: search products, rebuild the index, read the search analytics."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer import _click
from typer.core import TyperGroup

from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime


class QueryByDefault(TyperGroup):
    """`commerce search linen shirt` is `commerce search query linen shirt`."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=QueryByDefault, no_args_is_help=True,
                  help="Search products (commerce search QUERY), reindex, report.")


def _money(price: Any) -> str:
    return f"{price.amount:,} {price.currency}"


@app.command("query", help="Search published products (the default: commerce search QUERY).")
@permits(Permission.CATALOG_READ)
def query(
    ctx: typer.Context,
    words: Annotated[list[str] | None, typer.Argument(metavar="QUERY")] = None,
    brand: Annotated[list[str] | None, typer.Option("--brand")] = None,
    category: Annotated[list[str] | None, typer.Option("--category",
                                                       help="Category id")] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock")] = False,
    sort: Annotated[str, typer.Option(help="relevance|price_asc|price_desc|newest")] = "relevance",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
) -> None:
    commerce = runtime(ctx).commerce
    result = commerce.search.query(" ".join(words or []), brands=tuple(brand or ()),
                                   category_ids=tuple(category or ()), in_stock=in_stock,
                                   sort=sort, page_size=limit, record=False)
    if result.corrected_query:
        console.print(f"Showing results for: {result.corrected_query}")
    table = Table("product", "name", "brand", "price", "in stock")
    for hit in result.hits:
        d = hit.document
        table.add_row(d.product_id, d.name, d.brand or "", _money(d.price),
                      "yes" if d.in_stock else "no")
    console.print(table)
    console.print(f"{result.total} found")
    brands = ", ".join(f"{b.value} ({b.count})" for b in result.facets.brands)
    if brands:
        console.print(f"brands: {brands}")


@app.command(help="Rebuild the whole index from the catalog, pricing and stock (zero downtime).")
@permits(Permission.SEARCH_REINDEX)
def reindex(
    ctx: typer.Context,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    commerce = runtime(ctx).commerce
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("products read", total=None)
        indexed = commerce.search.reindex(
            batch_size=batch_size,
            progress=lambda read, _: progress.update(task, completed=read))
    ok(f"{indexed} products indexed")


@app.command(help="Search analytics: searches, zero results, clicks, top terms (24 h).")
@permits(Permission.SEARCH_ANALYTICS)
def report(ctx: typer.Context,
           limit: Annotated[int, typer.Option(min=1, max=100)] = 10) -> None:
    found = runtime(ctx).commerce.search.report(limit=limit)
    console.print(f"searches {found.searches}, zero results {found.zero_result_searches}, "
                  f"clicks {found.clicks}, add to cart {found.add_to_carts}, "
                  f"click-through rate {found.click_through_rate:.1%}")
    table = Table("term", "searches", "zero results", "clicks", "avg results")
    for t in found.top_terms:
        table.add_row(t.term, str(t.searches), str(t.zero_results), str(t.clicks),
                      f"{t.average_results:.1f}")
    console.print(table)
    if found.zero_result_terms:
        console.print("zero results: " + ", ".join(
            f"{t.term} ({t.zero_results})" for t in found.zero_result_terms))
