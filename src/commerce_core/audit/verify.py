"""Walking the chain: the first entry that was edited, inserted or removed, or a head that does
not match the newest entry. Pure: it reads entries in sequence order and the head, nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from attrs import frozen

from commerce_core.audit.model import GENESIS, AuditEntry, ChainHead, hash_of


class Breach(StrEnum):
    EDITED = "edited"  # the entry's fields no longer give its hash
    INSERTED = "inserted"  # the entry does not follow the one before it, or lies past the head
    REMOVED = "removed"  # sequences are missing before this entry, or after the last one
    HEAD_MISMATCH = "head_mismatch"  # the head names a hash the newest entry does not have


@frozen
class BrokenLink:
    sequence: int
    entry_id: str | None
    breach: Breach
    detail: str

    def describe(self) -> str:
        who = f"entry {self.sequence}" + (f" ({self.entry_id})" if self.entry_id else "")
        return f"{who}: {self.breach.value}: {self.detail}"


@frozen
class ChainReport:
    checked: int
    head: ChainHead
    broken: BrokenLink | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(entries: Iterable[AuditEntry], head: ChainHead) -> ChainReport:
    """Check every entry, in ascending sequence, against its own hash, its predecessor and the
    head; stop at the first broken link."""
    expected, previous_hash, checked = 1, GENESIS, 0
    last: AuditEntry | None = None

    def broken(sequence: int, entry_id: str | None, breach: Breach, detail: str) -> ChainReport:
        return ChainReport(checked, head, BrokenLink(sequence, entry_id, breach, detail))

    for entry in entries:
        if entry.hash != hash_of(entry.id, entry.sequence, entry.record, entry.prev_hash):
            return broken(entry.sequence, entry.id, Breach.EDITED,
                          "its fields do not give its stored hash")
        if entry.sequence > expected:
            missing = (f"sequence {expected}" if entry.sequence == expected + 1
                       else f"sequences {expected}-{entry.sequence - 1}")
            return broken(expected, None, Breach.REMOVED,
                          f"{missing} missing before entry {entry.sequence} ({entry.id})")
        if entry.sequence < expected or entry.prev_hash != previous_hash:
            return broken(entry.sequence, entry.id, Breach.INSERTED,
                          "it does not link to the entry before it")
        if entry.sequence > head.sequence:
            return broken(entry.sequence, entry.id, Breach.INSERTED,
                          f"it lies past the chain head (sequence {head.sequence})")
        checked += 1
        expected, previous_hash, last = entry.sequence + 1, entry.hash, entry
    last_sequence = last.sequence if last else 0
    if last_sequence < head.sequence:
        missing = (f"sequence {head.sequence}" if head.sequence == last_sequence + 1
                   else f"sequences {last_sequence + 1}-{head.sequence}")
        return broken(head.sequence, head.entry_id, Breach.REMOVED,
                      f"{missing} missing at the end of the chain")
    if (last.hash if last else GENESIS) != head.hash:
        return broken(head.sequence, head.entry_id, Breach.HEAD_MISMATCH,
                      "the head's hash is not the newest entry's")
    return ChainReport(checked, head)
