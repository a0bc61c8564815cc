"""The hash chain and its verifier, on entries built in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from commerce_core.audit.model import (
    EMPTY,
    Actor,
    AuditEntry,
    AuditRecord,
    Severity,
    seal,
    to_json,
)
from commerce_core.audit.verify import Breach, verify_chain

ALICE = Actor("staff", "alice", ("inventory_manager",))


def chain_of(count: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    head = EMPTY
    for n in range(1, count + 1):
        record = AuditRecord("inventory.set_stock", ALICE,
                             datetime(2026, 12, 7, 10, n, tzinfo=UTC),
                             entity_type="stock", entity_id=f"SKU-{n}", after={"on_hand": n})
        entry = seal(record, head, f"e{n}")
        entries.append(entry)
        head = entry.head()
    return entries


def test_an_untouched_chain_verifies() -> None:
    entries = chain_of(5)

    report = verify_chain(entries, entries[-1].head())

    assert report.intact
    assert report.checked == 5


def test_an_empty_log_verifies() -> None:
    assert verify_chain([], EMPTY).intact


def test_an_edited_entry_is_named() -> None:
    entries = chain_of(5)
    forged = attrs.evolve(entries[2].record, after={"on_hand": 999})
    entries[2] = attrs.evolve(entries[2], record=forged)

    report = verify_chain(entries, entries[-1].head())

    assert report.broken is not None
    assert (report.broken.sequence, report.broken.entry_id, report.broken.breach) == (
        3, "e3", Breach.EDITED)


def test_a_removed_middle_entry_is_named_by_its_sequence() -> None:
    entries = chain_of(5)
    head = entries[-1].head()
    del entries[1]

    report = verify_chain(entries, head)

    assert report.broken is not None
    assert (report.broken.sequence, report.broken.breach) == (2, Breach.REMOVED)
    assert "before entry 3 (e3)" in report.broken.detail


def test_removing_the_newest_entry_is_caught_by_the_head() -> None:
    entries = chain_of(5)
    head = entries[-1].head()

    report = verify_chain(entries[:-1], head)

    assert report.broken is not None
    assert (report.broken.sequence, report.broken.entry_id, report.broken.breach) == (
        5, "e5", Breach.REMOVED)


def test_a_forged_entry_resealed_in_the_middle_breaks_the_next_link() -> None:
    entries = chain_of(4)
    head = entries[-1].head()
    fake = AuditRecord("payment.refund", Actor("staff", "mallory"), entries[1].record.occurred_at)
    entries[1] = seal(fake, entries[0].head(), "forged")

    report = verify_chain(entries, head)

    assert report.broken is not None
    assert (report.broken.sequence, report.broken.entry_id, report.broken.breach) == (
        3, "e3", Breach.INSERTED)


def test_an_entry_past_the_head_is_an_insertion() -> None:
    entries = chain_of(3)
    head = entries[-1].head()
    fake = AuditRecord("payment.refund", Actor("staff", "mallory"), entries[0].record.occurred_at)
    entries.append(seal(fake, head, "forged"))

    report = verify_chain(entries, head)

    assert report.broken is not None
    assert (report.broken.entry_id, report.broken.breach) == ("forged", Breach.INSERTED)


def test_a_head_with_another_hash_is_a_head_mismatch() -> None:
    entries = chain_of(3)
    head = attrs.evolve(entries[-1].head(), hash="f" * 64)

    report = verify_chain(entries, head)

    assert report.broken is not None
    assert report.broken.breach is Breach.HEAD_MISMATCH


def test_fields_named_like_secrets_are_redacted() -> None:
    assert to_json({"user": "a", "password": "hunter2", "refresh_token": "x"}) == {
        "user": "a", "password": "[redacted]", "refresh_token": "[redacted]"}


def test_values_become_plain_json() -> None:
    assert to_json({"severity": Severity.WARNING, "at": datetime(2026, 12, 7, tzinfo=UTC),
                    "tags": frozenset({"b", "a"}), "ratio": 0.5}) == {
        "severity": "WARNING", "at": "2026-12-07T00:00:00+00:00", "tags": ["a", "b"],
        "ratio": "0.5"}
