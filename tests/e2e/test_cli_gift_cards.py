"""`commerce giftcards` and `commerce ledger` on a SQLite shop: a card issued with its code
printed once, shown by id or last four characters (never its code), its ledger account's
balance and statement; an unknown card refused in one line."""

from __future__ import annotations

import re

from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, database_url, refused, succeeded  # noqa: F401


def test_a_card_is_issued_shown_and_its_ledger_account_read(database_url: str) -> None:  # noqa: F811
    issued = succeeded(commerce_cli("--database-url", database_url, "giftcards", "issue",
                                    "250000", "--note", "raffle"))
    code = re.search(r"code: ([A-Z0-9-]{19})", issued)
    card_id = re.search(r"gift card (\S+) issued", issued)
    assert code is not None
    assert card_id is not None

    by_id = succeeded(commerce_cli("--database-url", database_url, "giftcards", "show",
                                   card_id.group(1)))
    by_last4 = succeeded(commerce_cli("--database-url", database_url, "giftcards", "show",
                                      code.group(1)[-4:]))
    account = re.search(r"ledger account: (\S+)", by_id)
    assert account is not None
    balance = succeeded(commerce_cli("--database-url", database_url, "ledger", "balance",
                                     account.group(1)))
    statement = succeeded(commerce_cli("--database-url", database_url, "ledger", "statement",
                                       account.group(1)))

    assert code.group(1) not in by_id + by_last4
    assert card_id.group(1) in by_last4
    assert "balance 250000; held 0; available 250000" in balance
    assert "credit" in statement
    assert "+250000" in statement
    commerce = make_container(Settings(database_url=database_url)).commerce()
    assert commerce.giftcards.balance(code.group(1)).available.amount == 250_000


def test_an_unknown_card_or_account_is_refused_in_one_line(database_url: str) -> None:  # noqa: F811
    refused(commerce_cli("--database-url", database_url, "giftcards", "show", "nope-1"),
            "giftcard.not_found")
    refused(commerce_cli("--database-url", database_url, "ledger", "balance", "nope"),
            "ledger.account_not_found")
