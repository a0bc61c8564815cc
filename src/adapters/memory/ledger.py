"""The value ledger over the in-memory database.

Every write goes through the unit of work's undo journal, so a rollback of the caller's
transaction restores it; the database lock the unit of work holds makes each guarded change
atomic, which is what the SQL adapter's conditional UPDATEs guarantee."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from adapters.memory.base import InMemoryDatabase, Journal
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

ACCOUNTS, ACCOUNT_KEYS = "value_accounts", "value_account_keys"
POSTINGS, POSTING_KEYS = "value_postings", "value_posting_keys"
ENTRIES, LOTS = "value_entries", "value_lots"
HOLDS, HOLD_KEYS = "value_holds", "value_hold_keys"


class InMemoryValueLedger:
    """The `ValueLedger` contract over the in-memory database (see the port)."""

    def __init__(self, db: InMemoryDatabase, journal: Journal, clock: Clock,
                 ids: IdGenerator) -> None:
        self._db, self._journal, self._clock, self._ids = db, journal, clock, ids

    def _t(self, name: str) -> dict[Any, Any]:
        return self._db.table(name)

    # -- accounts ------------------------------------------------------------------------------
    def open(self, kind: AccountKind, owner: str, unit: str) -> Account:
        key = (kind.value, owner, unit)
        found = self._t(ACCOUNT_KEYS).get(key)
        if found is not None:
            return self.get(found)
        account = Account(self._ids.new_id(), kind, owner, unit, 0, 0, self._clock.now())
        self._journal.put(self._t(ACCOUNTS), account.id, account)
        self._journal.put(self._t(ACCOUNT_KEYS), key, account.id)
        return account

    def get(self, account_id: str) -> Account:
        account: Account | None = self._t(ACCOUNTS).get(account_id)
        if account is None:
            raise AccountNotFound(f"no ledger account {account_id}", account_id=account_id)
        return account

    def find(self, kind: AccountKind, owner: str, unit: str | None = None) -> list[Account]:
        return [a for a in self._t(ACCOUNTS).values()
                if a.kind is kind and a.owner == owner and (unit is None or a.unit == unit)]

    def of_owner(self, owner: str) -> list[Account]:
        return [a for a in self._t(ACCOUNTS).values() if a.owner == owner]

    def _system(self, role: str, account: Account) -> Account:
        if account.kind is AccountKind.SYSTEM:
            raise InvalidLedgerRequest("postings name a value account", account_id=account.id)
        return self.open(AccountKind.SYSTEM, system_owner(role, account.kind), account.unit)

    def _move(self, account_id: str, balance: int, held: int) -> Account:
        account = attrs.evolve(self.get(account_id), balance=balance, held=held)
        self._journal.put(self._t(ACCOUNTS), account_id, account)
        return account

    # -- postings ------------------------------------------------------------------------------
    def _existing(self, account_id: str, kind: EntryKind, source: str,
                  source_id: str) -> Posting | None:
        found = self._t(POSTING_KEYS).get((account_id, source, source_id, kind.value))
        if found is None:
            return None
        posting: Posting = self._t(POSTINGS)[found]
        return attrs.evolve(posting, replayed=True)

    def _post(self, account: Account, kind: EntryKind, amount: int, counter: str,
              source: str, source_id: str, memo: str, *, held_change: int = 0) -> Posting:
        """Both legs of one posting; the value account's side was checked by the caller."""
        system = self._system(counter, account)
        now = self._clock.now()
        sign = 1 if kind is EntryKind.CREDIT else -1
        frm, to = (system.id, account.id) if sign > 0 else (account.id, system.id)
        posting = Posting(self._ids.new_id(), account.id, kind, amount, frm, to, source,
                          source_id, now, memo)
        self._journal.put(self._t(POSTINGS), posting.id, posting)
        self._journal.put(self._t(POSTING_KEYS), (account.id, source, source_id, kind.value),
                          posting.id)
        for leg_account, leg in ((account, sign * amount), (system, -sign * amount)):
            current = self.get(leg_account.id)
            moved = self._move(current.id, current.balance + leg,
                               current.held + (held_change if current.id == account.id else 0))
            entry = Entry(self._ids.new_id(), posting.id, moved.id, leg, moved.balance, kind,
                          source, source_id, now, memo)
            self._journal.put(self._t(ENTRIES), entry.id, entry)
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
        posting = self._post(account, EntryKind.CREDIT, amount, counter, source, source_id,
                             memo)
        lot = Lot(self._ids.new_id(), account_id, posting.id, amount, amount, expires_at,
                  posting.created_at)
        self._journal.put(self._t(LOTS), lot.id, lot)
        return posting

    def debit(self, account_id: str, amount: int, *, source: str, source_id: str,
              memo: str = "") -> Posting:
        existing = self._existing(account_id, EntryKind.DEBIT, source, source_id)
        if existing is not None:
            return existing
        account = self.get(account_id)
        if not account.guarded:
            raise InvalidLedgerRequest("postings name a value account", account_id=account_id)
        self._refuse_beyond(account, amount)
        posting = self._post(account, EntryKind.DEBIT, amount, COUNTER[EntryKind.DEBIT],
                             source, source_id, memo)
        self._consume(account_id, amount)
        return posting

    def _refuse_beyond(self, account: Account, amount: int) -> None:
        if account.guarded and account.available < amount:
            raise InsufficientValue(
                f"account {account.id} has {account.available} {account.unit} available, "
                f"not {amount}", account_id=account.id, available=account.available,
                requested=amount)

    def _consume(self, account_id: str, amount: int) -> None:
        for lot, take in consume(self.lots(account_id), amount):
            self._journal.put(self._t(LOTS), lot.id,
                              attrs.evolve(lot, remaining=lot.remaining - take))

    # -- holds ---------------------------------------------------------------------------------
    def hold(self, account_id: str, amount: int, *, reference: str,
             expires_at: datetime | None = None) -> Hold:
        existing = self.hold_of(account_id, reference)
        if existing is not None:
            return existing
        account = self.get(account_id)
        if not account.guarded:
            raise InvalidLedgerRequest("holds are placed on value accounts",
                                       account_id=account_id)
        self._refuse_beyond(account, amount)
        self._move(account_id, account.balance, account.held + amount)
        held = Hold(self._ids.new_id(), account_id, reference, amount, HoldStatus.ACTIVE,
                    expires_at, self._clock.now())
        self._journal.put(self._t(HOLDS), held.id, held)
        self._journal.put(self._t(HOLD_KEYS), (account_id, reference), held.id)
        return held

    def hold_of(self, account_id: str, reference: str) -> Hold | None:
        found = self._t(HOLD_KEYS).get((account_id, reference))
        return None if found is None else self._t(HOLDS)[found]

    def _settle(self, held: Hold, status: HoldStatus) -> Hold:
        settled = attrs.evolve(held, status=status, settled_at=self._clock.now())
        self._journal.put(self._t(HOLDS), held.id, settled)
        return settled

    def capture(self, account_id: str, reference: str, *, source: str,
                source_id: str) -> Posting:
        held = self.hold_of(account_id, reference)
        if held is None:
            raise HoldNotFound(f"no hold {reference} on {account_id}", account_id=account_id,
                               reference=reference)
        existing = self._existing(account_id, EntryKind.CAPTURE, source, source_id)
        if held.status is HoldStatus.CAPTURED and existing is not None:
            return existing
        if held.status is not HoldStatus.ACTIVE:
            raise HoldSettled(f"hold {reference} on {account_id} is {held.status.value}",
                              account_id=account_id, reference=reference,
                              status=held.status.value)
        self._settle(held, HoldStatus.CAPTURED)
        posting = self._post(self.get(account_id), EntryKind.CAPTURE, held.amount,
                             COUNTER[EntryKind.CAPTURE], source, source_id, "",
                             held_change=-held.amount)
        self._consume(account_id, held.amount)
        return posting

    def release(self, account_id: str, reference: str) -> Hold | None:
        held = self.hold_of(account_id, reference)
        if held is None or held.status is not HoldStatus.ACTIVE:
            return held
        account = self.get(account_id)
        self._move(account_id, account.balance, account.held - held.amount)
        return self._settle(held, HoldStatus.RELEASED)

    def active_holds(self, reference: str) -> list[Hold]:
        return [h for h in self._t(HOLDS).values()
                if h.reference == reference and h.status is HoldStatus.ACTIVE]

    # -- expiry and reads ----------------------------------------------------------------------
    def expire_due(self, now: datetime, limit: int = 100) -> list[Posting]:
        due = sorted((lot for lot in self._t(LOTS).values()
                      if lot.remaining > 0 and lot.expires_at is not None
                      and lot.expires_at <= now),
                     key=lambda lot: (lot.expires_at, lot.created_at, lot.id))[:limit]
        postings = []
        for lot in due:
            account = self.get(lot.account_id)
            take = min(lot.remaining, account.available)
            if take <= 0:
                continue
            postings.append(self._post(account, EntryKind.EXPIRE, take,
                                       COUNTER[EntryKind.EXPIRE], "lot",
                                       f"{lot.id}@{lot.remaining}", ""))
            self._journal.put(self._t(LOTS), lot.id,
                              attrs.evolve(lot, remaining=lot.remaining - take))
        return postings

    def lots(self, account_id: str) -> list[Lot]:
        mine = [lot for lot in self._t(LOTS).values()
                if lot.account_id == account_id and lot.remaining > 0]
        return [lot for lot, _ in consume(mine, sum(lot.remaining for lot in mine))]

    def statement(self, account_id: str, limit: int = 50, offset: int = 0) -> list[Entry]:
        mine = [e for e in self._t(ENTRIES).values() if e.account_id == account_id]
        return list(reversed(mine))[offset:offset + limit]

    def totals(self) -> LedgerTotals:
        debits = credits = 0
        sums: dict[str, int] = {}
        for entry in self._t(ENTRIES).values():
            if entry.amount < 0:
                debits -= entry.amount
            else:
                credits += entry.amount
            sums[entry.account_id] = sums.get(entry.account_id, 0) + entry.amount
        holds: dict[str, int] = {}
        for held in self._t(HOLDS).values():
            if held.status is HoldStatus.ACTIVE:
                holds[held.account_id] = holds.get(held.account_id, 0) + held.amount
        remaining: dict[str, int] = {}
        for lot in self._t(LOTS).values():
            remaining[lot.account_id] = remaining.get(lot.account_id, 0) + lot.remaining
        off = tuple(sorted(
            a.id for a in self._t(ACCOUNTS).values()
            if a.balance != sums.get(a.id, 0) or a.held != holds.get(a.id, 0)
            or (a.guarded and not 0 <= a.held <= a.balance)
            or (a.guarded and a.balance != remaining.get(a.id, 0))))
        return LedgerTotals(debits, credits, off)
