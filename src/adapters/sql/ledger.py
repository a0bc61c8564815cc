"""The value ledger in SQL.

A value account's counters change only through guarded `UPDATE … WHERE balance - held >= :x`
statements: the database decides, never a value read earlier, and the row lock the update takes
serialises everything else done to that account (its lots, its holds) until commit. Postings are
unique on (account, source, source id, kind), holds on (account, reference)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.ledger import (
    value_accounts,
    value_entries,
    value_holds,
    value_lots,
    value_postings,
)
from adapters.sql.transaction import SqlTransaction
from commerce_core.ledger.errors import (
    AccountNotFound,
    HoldNotFound,
    HoldSettled,
    InsufficientValue,
    InvalidLedgerRequest,
)
from commerce_core.ledger.model import (
    COUNTER,
    Account,
    AccountKind,
    Entry,
    EntryKind,
    Hold,
    HoldStatus,
    Lot,
    Posting,
    consume,
    system_owner,
)
from commerce_core.ledger.ports import LedgerTotals
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator

a, p, e, lt, h = (value_accounts.c, value_postings.c, value_entries.c, value_lots.c,
                  value_holds.c)
_ID = sa.bindparam("p_id", type_=sa.String)
_X = sa.bindparam("p_x", type_=sa.BigInteger)
_SYSTEM = AccountKind.SYSTEM.value

_ACCOUNT = sa.select(value_accounts).where(a.id == _ID)
_ACCOUNT_LOCKED = _ACCOUNT.with_for_update()
_BY_KEY = sa.select(value_accounts).where(
    a.kind == sa.bindparam("p_kind"), a.owner == sa.bindparam("p_owner"),
    a.unit == sa.bindparam("p_unit"))
# Spend available value: refused (no row) when it would leave the balance below the holds.
_SPEND = (value_accounts.update()
          .where(a.id == _ID, a.kind != _SYSTEM, a.balance - a.held >= _X)
          .values(balance=a.balance - _X).returning(a.balance, a.held))
_RESERVE = (value_accounts.update()
            .where(a.id == _ID, a.kind != _SYSTEM, a.balance - a.held >= _X)
            .values(held=a.held + _X).returning(a.balance, a.held))
_UNRESERVE = (value_accounts.update().where(a.id == _ID, a.held >= _X)
              .values(held=a.held - _X).returning(a.balance, a.held))
_SPEND_HELD = (value_accounts.update().where(a.id == _ID, a.held >= _X, a.balance >= _X)
               .values(balance=a.balance - _X, held=a.held - _X)
               .returning(a.balance, a.held))
_ADD = (value_accounts.update().where(a.id == _ID)
        .values(balance=a.balance + sa.bindparam("p_delta", type_=sa.BigInteger))
        .returning(a.balance))

_POSTING_BY_KEY = sa.select(value_postings).where(
    p.account_id == _ID, p.source == sa.bindparam("p_source"),
    p.source_id == sa.bindparam("p_source_id"), p.kind == sa.bindparam("p_kind"))

_LOTS = (sa.select(value_lots).where(lt.account_id == _ID, lt.remaining > 0)
         .order_by(sa.case((lt.expires_at.is_(None), 1), else_=0), lt.expires_at,
                   lt.created_at, CodePointOrder(lt.id)))
_TAKE = (value_lots.update()
         .where(lt.id == _ID, lt.remaining >= _X).values(remaining=lt.remaining - _X))
_DUE = (sa.select(value_lots)
        .where(lt.remaining > 0, lt.expires_at.is_not(None),
               lt.expires_at <= sa.bindparam("p_now"))
        .order_by(lt.expires_at, lt.created_at, CodePointOrder(lt.id))
        .limit(sa.bindparam("p_limit")))
_LOT = sa.select(value_lots).where(lt.id == _ID)

_HOLD = sa.select(value_holds).where(h.account_id == _ID,
                                     h.reference == sa.bindparam("p_reference"))
_SETTLE = (value_holds.update()
           .where(h.id == sa.bindparam("p_hold"), h.status == HoldStatus.ACTIVE.value)
           .values(status=sa.bindparam("p_status"), settled_at=sa.bindparam("p_at")))
_ACTIVE = (sa.select(value_holds)
           .where(h.reference == sa.bindparam("p_reference"),
                  h.status == HoldStatus.ACTIVE.value)
           .order_by(CodePointOrder(h.account_id)))

_STATEMENT = (sa.select(value_entries).where(e.account_id == _ID).order_by(e.seq.desc())
              .limit(sa.bindparam("p_limit")).offset(sa.bindparam("p_offset")))


def _open_statements(build: Any) -> Any:
    return build(value_accounts).on_conflict_do_nothing(
        index_elements=[a.kind, a.owner, a.unit])


_INSERT_ACCOUNT = {"postgresql": _open_statements(postgresql.insert),
                   "sqlite": _open_statements(sqlite.insert)}


def _account(row: Any) -> Account:
    return Account(row.id, AccountKind(row.kind), row.owner, row.unit, row.balance, row.held,
                   row.created_at)


def _posting(row: Any, replayed: bool = False) -> Posting:
    return Posting(row.id, row.account_id, EntryKind(row.kind), row.amount, row.from_account,
                   row.to_account, row.source, row.source_id, row.created_at, row.memo,
                   replayed)


def _lot(row: Any) -> Lot:
    return Lot(row.id, row.account_id, row.posting_id, row.amount, row.remaining,
               row.expires_at, row.created_at)


def _hold(row: Any) -> Hold:
    return Hold(row.id, row.account_id, row.reference, row.amount, HoldStatus(row.status),
                row.expires_at, row.created_at, row.settled_at)


def _entry(row: Any) -> Entry:
    return Entry(row.id, row.posting_id, row.account_id, row.amount, row.balance_after,
                 EntryKind(row.kind), row.source, row.source_id, row.created_at, row.memo)


class SqlValueLedger:
    """The `ValueLedger` contract in SQL (see the port and the module docstring)."""

    def __init__(self, db: SqlTransaction, clock: Clock, ids: IdGenerator) -> None:
        self._db, self._clock, self._ids = db, clock, ids

    # -- accounts ------------------------------------------------------------------------------
    def open(self, kind: AccountKind, owner: str, unit: str) -> Account:
        key = {"p_kind": kind.value, "p_owner": owner, "p_unit": unit}
        row = self._db.execute(_BY_KEY, key).first()
        if row is None:
            self._db.execute(_INSERT_ACCOUNT[self._db.dialect], {
                "id": self._ids.new_id(), "kind": kind.value, "owner": owner, "unit": unit,
                "balance": 0, "held": 0, "created_at": self._clock.now()})
            row = self._db.execute(_BY_KEY, key).one()
        return _account(row)

    def get(self, account_id: str) -> Account:
        row = self._db.execute(_ACCOUNT, {"p_id": account_id}).first()
        if row is None:
            raise AccountNotFound(f"no ledger account {account_id}", account_id=account_id)
        return _account(row)

    def find(self, kind: AccountKind, owner: str, unit: str | None = None) -> list[Account]:
        query = sa.select(value_accounts).where(a.kind == kind.value, a.owner == owner)
        if unit is not None:
            query = query.where(a.unit == unit)
        rows = self._db.execute(query.order_by(a.created_at, CodePointOrder(a.id)))
        return [_account(row) for row in rows]

    def of_owner(self, owner: str) -> list[Account]:
        rows = self._db.execute(sa.select(value_accounts).where(a.owner == owner)
                                .order_by(a.created_at, CodePointOrder(a.id)))
        return [_account(row) for row in rows]

    # -- postings ------------------------------------------------------------------------------
    def _existing(self, account_id: str, kind: EntryKind, source: str,
                  source_id: str) -> Posting | None:
        row = self._db.execute(_POSTING_BY_KEY, {
            "p_id": account_id, "p_source": source, "p_source_id": source_id,
            "p_kind": kind.value}).first()
        return None if row is None else _posting(row, replayed=True)

    def _refused(self, account_id: str, amount: int) -> InsufficientValue:
        account = self.get(account_id)
        if not account.guarded:
            return InvalidLedgerRequest(  # type: ignore[return-value]
                "postings and holds name a value account", account_id=account_id)
        return InsufficientValue(
            f"account {account_id} has {account.available} {account.unit} available, "
            f"not {amount}", account_id=account_id, available=account.available,
            requested=amount)

    def _post(self, account: Account, balance_after: int, kind: EntryKind, amount: int,
              counter: str, source: str, source_id: str, memo: str) -> Posting:
        """The posting and both legs; the value account's counters already moved (locked)."""
        system = self.open(AccountKind.SYSTEM, system_owner(counter, account.kind),
                           account.unit)
        sign = 1 if kind is EntryKind.CREDIT else -1
        system_after = self._db.execute(_ADD, {"p_id": system.id,
                                               "p_delta": -sign * amount}).scalar_one()
        now = self._clock.now()
        frm, to = (system.id, account.id) if sign > 0 else (account.id, system.id)
        posting = Posting(self._ids.new_id(), account.id, kind, amount, frm, to, source,
                          source_id, now, memo)
        # Queued where the transaction batches its writes (any later statement is sent after
        # them); a duplicate posting fails the commit as it failed this call.
        self._db.insert(value_postings, [{
            "id": posting.id, "account_id": account.id, "kind": kind.value, "amount": amount,
            "from_account": frm, "to_account": to, "source": source, "source_id": source_id,
            "memo": memo, "created_at": now}])
        self._db.insert(value_entries, [
            {"id": self._ids.new_id(), "posting_id": posting.id, "account_id": leg_account,
             "amount": leg, "balance_after": after, "kind": kind.value, "source": source,
             "source_id": source_id, "memo": memo, "created_at": now}
            for leg_account, leg, after in ((account.id, sign * amount, balance_after),
                                            (system.id, -sign * amount, system_after))])
        return posting

    def credit(self, account_id: str, amount: int, *, source: str, source_id: str,
               expires_at: datetime | None = None, counter: str = "issued",
               memo: str = "") -> Posting:
        existing = self._existing(account_id, EntryKind.CREDIT, source, source_id)
        if existing is not None:
            return existing
        account = self.get(account_id)
        if not account.guarded:
            raise InvalidLedgerRequest("postings name a value account", account_id=account_id)
        after = self._db.execute(_ADD, {"p_id": account_id, "p_delta": amount}).scalar_one()
        posting = self._post(account, after, EntryKind.CREDIT, amount, counter, source,
                             source_id, memo)
        self._db.insert(value_lots, [{
            "id": self._ids.new_id(), "account_id": account_id, "posting_id": posting.id,
            "amount": amount, "remaining": amount, "expires_at": expires_at,
            "created_at": posting.created_at}])
        return posting

    def debit(self, account_id: str, amount: int, *, source: str, source_id: str,
              memo: str = "") -> Posting:
        existing = self._existing(account_id, EntryKind.DEBIT, source, source_id)
        if existing is not None:
            return existing
        moved = self._db.execute(_SPEND, {"p_id": account_id, "p_x": amount}).first()
        if moved is None:
            raise self._refused(account_id, amount)
        account = self.get(account_id)
        posting = self._post(account, moved.balance, EntryKind.DEBIT, amount,
                             COUNTER[EntryKind.DEBIT], source, source_id, memo)
        self._consume(account_id, amount)
        return posting

    def _consume(self, account_id: str, amount: int) -> None:
        for lot, take in consume(self.lots(account_id), amount):
            self._db.execute(_TAKE, {"p_id": lot.id, "p_x": take})

    # -- holds ---------------------------------------------------------------------------------
    def hold(self, account_id: str, amount: int, *, reference: str,
             expires_at: datetime | None = None) -> Hold:
        existing = self.hold_of(account_id, reference)
        if existing is not None:
            return existing
        if self._db.execute(_RESERVE, {"p_id": account_id, "p_x": amount}).first() is None:
            raise self._refused(account_id, amount)
        held = Hold(self._ids.new_id(), account_id, reference, amount, HoldStatus.ACTIVE,
                    expires_at, self._clock.now())
        self._db.insert(value_holds, [{
            "id": held.id, "account_id": account_id, "reference": reference,
            "amount": amount, "status": held.status.value, "expires_at": expires_at,
            "created_at": held.created_at, "settled_at": None}])
        return held

    def hold_of(self, account_id: str, reference: str) -> Hold | None:
        row = self._db.execute(_HOLD, {"p_id": account_id, "p_reference": reference}).first()
        return None if row is None else _hold(row)

    def _settle(self, held: Hold, status: HoldStatus) -> bool:
        """Move an active hold to `status`; False when another transaction settled it first."""
        done = self._db.execute(_SETTLE, {"p_hold": held.id, "p_status": status.value,
                                          "p_at": self._clock.now()})
        return done.rowcount == 1

    def capture(self, account_id: str, reference: str, *, source: str,
                source_id: str) -> Posting:
        held = self.hold_of(account_id, reference)
        if held is None:
            raise HoldNotFound(f"no hold {reference} on {account_id}", account_id=account_id,
                               reference=reference)
        if held.status is HoldStatus.ACTIVE and self._settle(held, HoldStatus.CAPTURED):
            moved = self._db.execute(_SPEND_HELD, {"p_id": account_id,
                                                   "p_x": held.amount}).one()
            posting = self._post(self.get(account_id), moved.balance, EntryKind.CAPTURE,
                                 held.amount, COUNTER[EntryKind.CAPTURE], source, source_id,
                                 "")
            self._consume(account_id, held.amount)
            return posting
        now_held = self.hold_of(account_id, reference)
        existing = self._existing(account_id, EntryKind.CAPTURE, source, source_id)
        if now_held is not None and now_held.status is HoldStatus.CAPTURED and existing:
            return existing
        status = now_held.status.value if now_held else "missing"
        raise HoldSettled(f"hold {reference} on {account_id} is {status}",
                          account_id=account_id, reference=reference, status=status)

    def release(self, account_id: str, reference: str) -> Hold | None:
        held = self.hold_of(account_id, reference)
        if held is None or held.status is not HoldStatus.ACTIVE:
            return held
        if self._settle(held, HoldStatus.RELEASED):
            self._db.execute(_UNRESERVE, {"p_id": account_id, "p_x": held.amount}).one()
        return self.hold_of(account_id, reference)

    def active_holds(self, reference: str) -> list[Hold]:
        return [_hold(row) for row in self._db.execute(_ACTIVE, {"p_reference": reference})]

    # -- expiry and reads ----------------------------------------------------------------------
    def expire_due(self, now: datetime, limit: int = 100) -> list[Posting]:
        postings = []
        for due in self._db.execute(_DUE, {"p_now": now, "p_limit": limit}).all():
            # Lock the account first (as every other writer does), then read the lot afresh.
            account = _account(self._db.execute(_ACCOUNT_LOCKED, {"p_id": due.account_id})
                               .one())
            lot = _lot(self._db.execute(_LOT, {"p_id": due.id}).one())
            take = min(lot.remaining, account.available)
            if take <= 0:
                continue
            moved = self._db.execute(_SPEND, {"p_id": account.id, "p_x": take}).one()
            postings.append(self._post(account, moved.balance, EntryKind.EXPIRE, take,
                                       COUNTER[EntryKind.EXPIRE], "lot",
                                       f"{lot.id}@{lot.remaining}", ""))
            self._db.execute(_TAKE, {"p_id": lot.id, "p_x": take})
        return postings

    def lots(self, account_id: str) -> list[Lot]:
        return [_lot(row) for row in self._db.execute(_LOTS, {"p_id": account_id})]

    def statement(self, account_id: str, limit: int = 50, offset: int = 0) -> list[Entry]:
        rows = self._db.execute(_STATEMENT, {"p_id": account_id, "p_limit": limit,
                                             "p_offset": offset})
        return [_entry(row) for row in rows]

    def totals(self) -> LedgerTotals:
        debits = self._db.execute(sa.select(sa.func.coalesce(
            sa.func.sum(sa.case((e.amount < 0, -e.amount), else_=0)), 0))).scalar_one()
        credits = self._db.execute(sa.select(sa.func.coalesce(
            sa.func.sum(sa.case((e.amount > 0, e.amount), else_=0)), 0))).scalar_one()
        legs = sa.select(e.account_id, sa.func.sum(e.amount).label("s")).group_by(
            e.account_id).subquery()
        held = (sa.select(h.account_id, sa.func.sum(h.amount).label("s"))
                .where(h.status == HoldStatus.ACTIVE.value).group_by(h.account_id).subquery())
        left = sa.select(lt.account_id, sa.func.sum(lt.remaining).label("s")).group_by(
            lt.account_id).subquery()
        zero = sa.literal(0)
        checks = (
            sa.select(a.id)
            .select_from(value_accounts.outerjoin(legs, legs.c.account_id == a.id)
                         .outerjoin(held, held.c.account_id == a.id)
                         .outerjoin(left, left.c.account_id == a.id))
            .where(sa.or_(
                a.balance != sa.func.coalesce(legs.c.s, zero),
                a.held != sa.func.coalesce(held.c.s, zero),
                sa.and_(a.kind != _SYSTEM, sa.or_(
                    a.held < 0, a.held > a.balance,
                    a.balance != sa.func.coalesce(left.c.s, zero)))))
            .order_by(CodePointOrder(a.id)))
        off = tuple(self._db.execute(checks).scalars())
        return LedgerTotals(int(debits), int(credits), off)
