"""`commerce loyalty`: accounts and their history, audited manual adjustments, tiers,
campaigns, and the jobs (release points whose return window closed, expire old points, move
tiers as the 12-month window rolls)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Loyalty: account, history, adjust, tiers, campaigns, release, expire, "
                       "retier.")
campaigns_app = typer.Typer(no_args_is_help=True, help="Campaigns: list, create, end.")
app.add_typer(campaigns_app, name="campaigns")

READ, ADJUST = Permission.LOYALTY_READ, Permission.LOYALTY_ADJUST
CONFIGURE = Permission.LOYALTY_CONFIGURE


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False)


@app.command("account")
@permits(READ)
def account(ctx: typer.Context, customer_id: str) -> None:
    """A customer's account: balance, pending points, tier and the way to the next."""
    v = runtime(ctx).commerce.loyalty.account(customer_id)
    _say(f"account {v.customer_id}: {v.status}")
    _say(f"balance {v.balance} points; pending {v.pending_points}; lifetime "
         f"{v.lifetime_points}; debt {v.debt}")
    _say(f"tier {v.tier} ({v.tier_name}, x{v.multiplier / 100:g}); 12-month spend "
         f"{v.rolling_spend} {v.currency}")
    if v.next_tier is not None:
        _say(f"next tier {v.next_tier}: {v.spend_to_next_tier} {v.currency} to go "
             f"({v.tier_progress_percent} %)")
    if v.referral_code:
        _say(f"referral code {v.referral_code}")


@app.command("history")
@permits(READ)
def history(
    ctx: typer.Context,
    customer_id: str,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """A customer's points history, newest first."""
    entries = runtime(ctx).commerce.loyalty.transactions(customer_id, limit=limit)
    if not entries:
        console.print("no points history")
        return
    table = Table()
    for heading in ("When", "Kind", "Points", "Status", "Balance", "Source", "Description"):
        table.add_column(heading)
    for e in entries:
        table.add_row(when(e.created_at), e.kind, str(e.points), e.status,
                      str(e.balance_after), f"{e.source} {e.source_id}", e.description)
    console.print(table)


@app.command("adjust")
@permits(ADJUST)
def adjust(
    ctx: typer.Context,
    customer_id: str,
    points: Annotated[int, typer.Argument(
        help="Signed; a deduction after `--`: `adjust --reason ... --reference ... -- ID -200`")],
    reason: Annotated[str, typer.Option(help="Why (kept in the history and the audit)")],
    reference: Annotated[str, typer.Option(
        help="The ticket or case; the same reference again changes nothing")],
) -> None:
    """Correct a balance by hand (audited; a deduction never takes the balance below zero)."""
    entry = runtime(ctx).commerce.loyalty.adjust(customer_id, points, reason, reference)
    ok(f"adjusted {customer_id} by {points:+d} points; balance {entry.balance_after}"
       + (f"; {entry.debt} recorded as debt" if entry.debt else ""))


@app.command("tiers")
@permits(READ)
def tiers(ctx: typer.Context) -> None:
    """The tier table: 12-month spend thresholds and multipliers."""
    program = runtime(ctx).commerce.loyalty.program()
    table = Table()
    for heading in ("Tier", "Name", f"From ({program.currency})", "Multiplier"):
        table.add_column(heading)
    for t in program.tiers:
        table.add_row(t.code, t.name, str(t.threshold), f"x{t.multiplier / 100:g}")
    console.print(table)


@app.command("release")
@permits(CONFIGURE)
def release(ctx: typer.Context,
            limit: Annotated[int, typer.Option(min=1, max=100_000)] = 500) -> None:
    """Job: pending points whose return window closed become spendable."""
    report = runtime(ctx).commerce.loyalty.release(limit)
    ok(f"{report.processed} earnings released, {report.points} points")


@app.command("expire")
@permits(CONFIGURE)
def expire(ctx: typer.Context,
           limit: Annotated[int, typer.Option(min=1, max=100_000)] = 500) -> None:
    """Job: points older than the expiry period expire (running it again changes nothing)."""
    report = runtime(ctx).commerce.loyalty.expire(limit)
    ok(f"{report.processed} lots expired, {report.points} points")


@app.command("retier")
@permits(CONFIGURE)
def retier(ctx: typer.Context) -> None:
    """Job: tiers follow the 12-month spend as the window rolls (downgrades)."""
    report = runtime(ctx).commerce.loyalty.recalculate_tiers()
    ok(f"{report.processed} accounts checked, {report.points} tiers changed")


@campaigns_app.command("list")
@permits(READ)
def list_campaigns(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Only those not ended")] = False,
) -> None:
    """Campaigns, newest first."""
    found = runtime(ctx).commerce.loyalty.campaigns(include_ended=not active)
    if not found:
        console.print("no campaigns")
        return
    table = Table()
    for heading in ("Id", "Name", "Kind", "Effect", "From", "Until", "Awarded", "Budget",
                    "Active"):
        table.add_column(heading)
    for c in found:
        effect = f"x{c.multiplier / 100:g}" if c.kind.value == "multiplier" else \
            f"+{c.bonus_points}"
        table.add_row(c.id, c.name, c.kind.value, effect, when(c.starts_at), when(c.ends_at),
                      str(c.awarded), "-" if c.budget is None else str(c.budget),
                      "yes" if c.active else "no")
    console.print(table)


@campaigns_app.command("create")
@permits(CONFIGURE)
def create_campaign(
    ctx: typer.Context,
    name: str,
    start: Annotated[datetime, typer.Option("--from", help="UTC unless a zone is given")],
    end: Annotated[datetime, typer.Option("--until", help="UTC unless a zone is given")],
    multiplier: Annotated[int | None, typer.Option(
        min=100, max=1000, help="Percent: 200 doubles the points")] = None,
    bonus: Annotated[int | None, typer.Option(min=1, help="Points per order")] = None,
    min_purchase: Annotated[int, typer.Option(min=0, help="Minor units")] = 0,
    currency: str = "VND",
    tier: Annotated[list[str] | None, typer.Option(help="An eligible tier; repeat")] = None,
    budget: Annotated[int | None, typer.Option(min=0, help="Points in all")] = None,
) -> None:
    """Create a multiplier (--multiplier) or bonus (--bonus) campaign."""
    if (multiplier is None) == (bonus is None):
        raise typer.BadParameter("give --multiplier or --bonus")
    created = runtime(ctx).commerce.loyalty.create_campaign(
        name, "multiplier" if multiplier is not None else "bonus", _utc(start), _utc(end),
        multiplier=multiplier or 100, bonus_points=bonus or 0, min_purchase=min_purchase,
        currency=currency.upper(), eligible_tiers=tier or (), budget=budget)
    ok(f"campaign {created.id} created")


@campaigns_app.command("end")
@permits(CONFIGURE)
def end_campaign(ctx: typer.Context, campaign_id: str) -> None:
    """End a campaign now."""
    runtime(ctx).commerce.loyalty.end_campaign(campaign_id)
    ok(f"campaign {campaign_id} ended")
