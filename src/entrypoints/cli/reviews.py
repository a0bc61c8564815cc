"""`commerce reviews`: a review and a product's rating (`show`, `rating`), the moderation
queue and staff decisions (`moderate list|approve|reject`), and a rating recount."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.review.queries import ProductRating
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Reviews: show them and products' ratings; moderate the queue.")
moderate = typer.Typer(no_args_is_help=True,
                       help="The moderation queue: list it, approve or reject reviews.")
app.add_typer(moderate, name="moderate")

ReviewRef = Annotated[str, typer.Argument(metavar="REVIEW", help="The review's id")]
By = Annotated[str, typer.Option("--by", help="Who decides (recorded)")]


def _stars(average: int) -> str:
    return f"{average // 100}.{average % 100:02d}"


@app.command("show")
@permits(Permission.REVIEWS_MODERATE)
def show(ctx: typer.Context, ref: ReviewRef) -> None:
    """A review in any state: its text, votes, reports, reply and every moderation decision."""
    review = runtime(ctx).commerce.reviews.history(ref)
    console.print(f"review {review.id} of product {review.product_id} by {review.customer_id} "
                  f"(order {review.order_id}): {review.rating}★ {review.status.value}, "
                  f"{'verified' if review.is_verified else 'unverified'}, risk "
                  f"{review.risk_score if review.risk_score is not None else '-'}")
    console.print(f"  {review.title}", markup=False)
    console.print(f"  {review.content}", markup=False)
    console.print(f"  helpful {review.helpful_count}, not helpful {review.not_helpful_count}, "
                  f"reports {review.report_count}")
    for report in review.reports:
        console.print(f"  report by {report.reporter_id}: {report.reason}", markup=False)
    if review.reply:
        console.print(f"  reply by {review.replied_by}: {review.reply}", markup=False)
    for m in review.moderation:
        who = "auto" if m.is_auto else m.moderator_id
        score = f" score {m.score}" if m.score is not None else ""
        console.print(f"  {when(m.decided_at)} {m.action} by {who}{score}: {m.reason}",
                      markup=False)


Product = Annotated[str, typer.Argument(metavar="PRODUCT", help="The product's id")]


def _print_rating(product: str, found: ProductRating) -> None:
    spread = ", ".join(f"{i + 1}★ {n}" for i, n in enumerate(found.distribution))
    console.print(f"{product}: {_stars(found.average)} from {found.total} reviews "
                  f"({found.verified_count} verified); {spread}")


@app.command("rating")
@permits(Permission.CATALOG_READ)
def rating(ctx: typer.Context, product: Product) -> None:
    """A product's average, count and distribution of approved reviews."""
    _print_rating(product, runtime(ctx).commerce.reviews.rating(product))


@app.command("recount")
@permits(Permission.REVIEWS_MODERATE)
def recount(ctx: typer.Context, product: Product) -> None:
    """Recount a product's rating from its reviews (a repair: events keep it otherwise)."""
    _print_rating(product, runtime(ctx).commerce.reviews.recount(product))


@moderate.command("list")
@permits(Permission.REVIEWS_MODERATE)
def list_queue(ctx: typer.Context,
               limit: Annotated[int, typer.Option(min=1, max=100,
                                                  help="At most this many")] = 50) -> None:
    """Pending and flagged reviews, oldest first."""
    queue = runtime(ctx).commerce.reviews.queue(limit=limit)
    if not queue:
        console.print("the moderation queue is empty")
        return
    table = Table()
    for heading in ("Review", "Product", "Stars", "Status", "Risk", "Reports", "Why", "Written"):
        table.add_column(heading, no_wrap=heading != "Why")
    for item in queue:
        r = item.review
        table.add_row(r.id, r.product_id, str(r.rating), r.status,
                      str(item.risk_score if item.risk_score is not None else "-"),
                      str(item.report_count), item.moderation_reason or "-", when(r.created_at))
    console.print(table)


@moderate.command("approve")
@permits(Permission.REVIEWS_MODERATE)
def approve(ctx: typer.Context, ref: ReviewRef, by: By = "operator",
            reason: Annotated[str, typer.Option(help="Why (recorded)")] = "") -> None:
    """Publish a pending or flagged review."""
    view = runtime(ctx).commerce.reviews.approve(ref, by, reason)
    ok(f"review {view.id} is {view.status}")


@moderate.command("reject")
@permits(Permission.REVIEWS_MODERATE)
def reject(ctx: typer.Context, ref: ReviewRef,
           reason: Annotated[str, typer.Option(help="Why (recorded; required)")],
           by: By = "operator") -> None:
    """Reject a pending or flagged review."""
    view = runtime(ctx).commerce.reviews.reject(ref, by, reason)
    ok(f"review {view.id} is {view.status}")
