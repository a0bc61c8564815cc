"""The value ledger's contract, on every adapter: postings are two legs and idempotent, debits
spend lots first to expire first and never below the holds, holds capture or release once,
expiry takes what is left of due lots but not what is held, and a rollback undoes it all."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest

from commerce_core.ledger import services as ledger
from commerce_core.ledger.errors import (
    AccountNotFound,
    HoldNotFound,
    HoldSettled,
    InsufficientValue,
    InvalidLedgerRequest,
)
from commerce_core.ledger.ports import AccountKind, EntryKind, HoldStatus, LedgerUnitOfWork
from tests.contract.conftest import Store


def uow(store: Store) -> LedgerUnitOfWork:
    return cast(LedgerUnitOfWork, store.uow())


def card(store: Store, owner: str = "card-1", *credits: tuple[int, int | None]) -> str:
    """A gift card account with credits of (amount, days to expiry or None)."""
    with uow(store) as u:
        account = ledger.open_account(u, AccountKind.GIFT_CARD, owner, "VND")
        for n, (amount, days) in enumerate(credits):
            expires = None if days is None else store.clock.now() + timedelta(days=days)
            ledger.credit(u, account.id, amount, source="issue", source_id=f"{owner}-{n}",
                          expires_at=expires)
        u.commit()
    return account.id


def test_an_account_opens_once_per_owner_kind_and_unit(store: Store) -> None:
    with uow(store) as u:
        first = ledger.open_account(u, "points", "cust-1", "points")
        again = ledger.open_account(u, AccountKind.POINTS, "cust-1", "points")
        other = ledger.open_account(u, AccountKind.STORE_CREDIT, "cust-1", "VND")
        u.commit()

    assert again.id == first.id
    assert other.id != first.id
    with uow(store) as u:
        assert [a.id for a in u.value_ledger.of_owner("cust-1")] == [first.id, other.id]
        assert u.value_ledger.find(AccountKind.POINTS, "cust-1")[0].balance == 0
        with pytest.raises(AccountNotFound):
            ledger.get_account(u, "nope")


def test_a_credit_is_two_legs_and_a_lot_and_a_repeat_moves_nothing(store: Store) -> None:
    account_id = card(store, "card-1", (500_000, 365))

    with uow(store) as u:
        again = ledger.credit(u, account_id, 500_000, source="issue", source_id="card-1-0")
        u.commit()
    with uow(store) as u:
        account = ledger.balance(u, account_id)
        legs = ledger.statement(u, account_id)
        system = u.value_ledger.find(AccountKind.SYSTEM, "issued:gift_card", "VND")[0]
        lots = ledger.lots(u, account_id)

    assert again.replayed
    assert (account.balance, account.held, account.available) == (500_000, 0, 500_000)
    assert [(e.amount, e.balance_after, e.kind) for e in legs] == [
        (500_000, 500_000, EntryKind.CREDIT)]
    assert system.balance == -500_000
    assert [(lot.amount, lot.remaining) for lot in lots] == [(500_000, 500_000)]


def test_a_debit_spends_the_lot_that_expires_first(store: Store) -> None:
    account_id = card(store, "card-1", (100, None), (200, 30), (300, 10))

    with uow(store) as u:
        ledger.debit(u, account_id, 350, source="order", source_id="o-1")
        u.commit()

    with uow(store) as u:
        lots = ledger.lots(u, account_id)
        assert ledger.balance(u, account_id).balance == 250
    assert [(lot.amount, lot.remaining) for lot in lots] == [(200, 150), (100, 100)]


def test_a_debit_beyond_the_available_value_is_refused_and_changes_nothing(
    store: Store,
) -> None:
    account_id = card(store, "card-1", (1_000, None))
    with uow(store) as u:
        ledger.hold(u, account_id, 600, reference="chk-1")
        u.commit()

    with uow(store) as u, pytest.raises(InsufficientValue) as refused:
        ledger.debit(u, account_id, 401, source="order", source_id="o-1")

    assert refused.value.details["available"] == 400
    with uow(store) as u:
        account = ledger.balance(u, account_id)
        assert (account.balance, account.held) == (1_000, 600)
        assert len(ledger.statement(u, account_id)) == 1


def test_a_debit_is_idempotent_on_its_source(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))

    for _ in range(2):
        with uow(store) as u:
            ledger.debit(u, account_id, 300, source="order", source_id="o-1")
            u.commit()

    with uow(store) as u:
        assert ledger.balance(u, account_id).balance == 700


def test_a_hold_captures_once_into_a_debit(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))
    with uow(store) as u:
        held = ledger.hold(u, account_id, 600, reference="chk-1")
        same = ledger.hold(u, account_id, 600, reference="chk-1")
        u.commit()

    with uow(store) as u:
        first = ledger.capture(u, account_id, "chk-1", source="order", source_id="o-1")
        second = ledger.capture(u, account_id, "chk-1", source="order", source_id="o-1")
        u.commit()

    assert same.id == held.id
    assert (first.kind, first.amount, first.replayed, second.replayed) == (
        EntryKind.CAPTURE, 600, False, True)
    with uow(store) as u:
        account = ledger.balance(u, account_id)
        assert (account.balance, account.held) == (400, 0)
        hold = u.value_ledger.hold_of(account_id, "chk-1")
        assert hold is not None
        assert hold.status is HoldStatus.CAPTURED
        assert ledger.release(u, account_id, "chk-1") == hold


def test_a_released_hold_frees_the_value_once_and_cannot_be_captured(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))
    with uow(store) as u:
        ledger.hold(u, account_id, 600, reference="chk-1")
        u.commit()

    with uow(store) as u:
        released = ledger.release_all(u, "chk-1")
        again = ledger.release_all(u, "chk-1")
        u.commit()

    assert [h.status for h in released] == [HoldStatus.RELEASED]
    assert again == []
    with uow(store) as u:
        assert ledger.balance(u, account_id).available == 1_000
        with pytest.raises(HoldSettled):
            ledger.capture(u, account_id, "chk-1", source="order", source_id="o-1")
        with pytest.raises(HoldNotFound):
            ledger.capture(u, account_id, "chk-2", source="order", source_id="o-1")
        assert ledger.release(u, account_id, "chk-2") is None


def test_a_hold_beyond_the_available_value_is_refused(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))

    with uow(store) as u:
        ledger.hold(u, account_id, 700, reference="chk-1")
        with pytest.raises(InsufficientValue):
            ledger.hold(u, account_id, 301, reference="chk-2")
        u.commit()

    with uow(store) as u:
        assert [h.reference for h in u.value_ledger.active_holds("chk-1")] == ["chk-1"]
        assert u.value_ledger.active_holds("chk-2") == []


def test_expiry_takes_what_is_left_of_due_lots_but_not_what_is_held(store: Store) -> None:
    account_id = card(store, "card-1", (300, 10), (500, None))
    with uow(store) as u:
        ledger.debit(u, account_id, 100, source="order", source_id="o-1")
        ledger.hold(u, account_id, 650, reference="chk-1")
        u.commit()
    store.clock.advance(timedelta(days=11))

    with uow(store) as u:
        expired = ledger.expire_due(u, store.clock.now())
        u.commit()
    with uow(store) as u:
        ledger.release(u, account_id, "chk-1")
        u.commit()
    with uow(store) as u:
        later = ledger.expire_due(u, store.clock.now())
        nothing = ledger.expire_due(u, store.clock.now())
        u.commit()

    assert [(p.kind, p.amount) for p in expired] == [(EntryKind.EXPIRE, 50)]
    assert [p.amount for p in later] == [150]
    assert nothing == []
    with uow(store) as u:
        assert ledger.balance(u, account_id).balance == 500
        assert u.value_ledger.find(AccountKind.SYSTEM, "expired:gift_card")[0].balance == 200


def test_a_rollback_undoes_postings_lots_and_holds(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))

    with uow(store) as u:
        ledger.debit(u, account_id, 300, source="order", source_id="o-1")
        ledger.hold(u, account_id, 200, reference="chk-1")
        ledger.credit(u, account_id, 50, source="gift", source_id="g-1")

    with uow(store) as u:
        account = ledger.balance(u, account_id)
        assert (account.balance, account.held) == (1_000, 0)
        assert [lot.remaining for lot in ledger.lots(u, account_id)] == [1_000]
        assert u.value_ledger.active_holds("chk-1") == []


def test_amounts_units_and_kinds_are_checked(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))

    with uow(store) as u:
        for bad in (0, -5, True):
            with pytest.raises(InvalidLedgerRequest):
                ledger.debit(u, account_id, bad, source="order", source_id="o-1")
        with pytest.raises(InvalidLedgerRequest):
            ledger.open_account(u, "cash", "x", "VND")
        with pytest.raises(InvalidLedgerRequest):
            ledger.open_account(u, "gift_card", "x", "dollars")
        with pytest.raises(InvalidLedgerRequest):
            ledger.open_account(u, "system", "x", "VND")


def test_a_statement_lists_legs_newest_first_with_paging(store: Store) -> None:
    account_id = card(store, "card-1", (1_000, None))
    with uow(store) as u:
        for n in range(3):
            ledger.debit(u, account_id, 100 + n, source="order", source_id=f"o-{n}")
        u.commit()

    with uow(store) as u:
        page = ledger.statement(u, account_id, limit=2, offset=1)
        totals = u.value_ledger.totals()

    assert [(e.amount, e.balance_after) for e in page] == [(-101, 799), (-100, 900)]
    assert totals.debits == totals.credits == 1_000 + 303
    assert totals.balanced
