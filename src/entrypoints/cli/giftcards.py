"""`commerce giftcards` (issue a card, show one) and `commerce ledger` (an account's balance
and statement)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.giftcard.queries import GiftCardView
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True, help="Gift cards: issue, show.")
ledger_app = typer.Typer(no_args_is_help=True,
                         help="The value ledger: an account's balance and statement.")


def _print(lines: list[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False)


def _describe(v: GiftCardView) -> list[str]:
    return [
        f"gift card {v.id} (…{v.last4}): {v.status}",
        f"balance {v.balance}; available {v.available}; issued with {v.initial_value}",
        f"issued {when(v.issued_at)}"
        + (f"; expires {when(v.expires_at)}" if v.expires_at else "; never expires"),
        *([f"customer: {v.customer_id}"] if v.customer_id else []),
        f"ledger account: {v.account_id}",
    ]


@app.command("issue")
@permits(Permission.GIFTCARDS_MANAGE)
def issue(
    ctx: typer.Context,
    amount: Annotated[int, typer.Argument(min=1, help="Value in minor units")],
    currency: Annotated[str | None, typer.Option(
        help="ISO 4217 code (default: the shop's)")] = None,
    customer: Annotated[str | None, typer.Option(help="Bind it to this customer")] = None,
    note: Annotated[str, typer.Option(help="Why it was issued")] = "",
) -> None:
    """Issue a gift card; prints its code, shown this once."""
    rt = runtime(ctx)
    issued = rt.commerce.giftcards.issue(
        Money(amount, currency or rt.settings.currency), customer_id=customer, note=note)
    ok(f"gift card {issued.card.id} issued")
    _print([f"code: {issued.code}", "(give it now: it is not shown again)"])


@app.command("show")
@permits(Permission.GIFTCARDS_READ)
def show(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="A card id, or the last four characters of its "
                                             "code")],
) -> None:
    """One gift card by id, or the cards whose code ends so."""
    commerce = runtime(ctx).commerce
    if len(card) == 4:
        found = commerce.giftcards.by_last4(card)
        if not found:
            console.print(f"no gift card ends with {card}")
        for view in found:
            _print(_describe(view))
        return
    _print(_describe(commerce.giftcards.get(card)))


@ledger_app.command("balance")
@permits(Permission.LEDGER_READ)
def balance(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="A ledger account id")],
) -> None:
    """An account's balance, held and available value."""
    a = runtime(ctx).commerce.ledger.balance(account)
    _print([f"account {a.id}: {a.kind.value} of {a.owner} in {a.unit}",
            f"balance {a.balance}; held {a.held}; available {a.available}"])


@ledger_app.command("statement")
@permits(Permission.LEDGER_READ)
def statement(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="A ledger account id")],
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """An account's entries, newest first."""
    entries = runtime(ctx).commerce.ledger.statement(account, limit)
    if not entries:
        console.print("no entries")
        return
    table = Table("when", "kind", "amount", "balance after", "source")
    for e in entries:
        table.add_row(when(e.created_at), e.kind.value, f"{e.amount:+d}",
                      str(e.balance_after), f"{e.source}:{e.source_id}")
    console.print(table)
