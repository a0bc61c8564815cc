"""`commerce.audit`: append a security event, search the log, verify the chain."""

from __future__ import annotations

from collections.abc import Iterator

from commerce_core.audit.model import AuditEntry, AuditRecord
from commerce_core.audit.ports import AuditUnitOfWork
from commerce_core.audit.queries import AuditFilter
from commerce_core.audit.verify import ChainReport, verify_chain
from commerce_core.shared.uow import UnitOfWorkFactory

_PAGE = 500


class AuditApi:
    """The audit log. Commands run by staff and apps are recorded by the bus; other contexts
    record security events (a failed login) with `append`."""

    def __init__(self, uow: UnitOfWorkFactory[AuditUnitOfWork]) -> None:
        self._uow = uow

    def append(self, record: AuditRecord) -> AuditEntry:
        """Append one record in a transaction of its own. A context that records a security
        event next to its own change appends through its unit of work's `audit` instead."""
        with self._uow() as uow:
            entry = uow.audit.append(record)
            uow.commit()
        return entry

    def search(self, criteria: AuditFilter | None = None) -> list[AuditEntry]:
        with self._uow() as uow:
            return uow.audit.search(criteria or AuditFilter())

    def verify(self) -> ChainReport:
        """Walk the whole chain; appends wait until it is read (the head is locked), so the
        chain and its head are read as one."""
        with self._uow() as uow:
            head = uow.audit.head(lock=True)
            return verify_chain(_entries(uow), head)


def _entries(uow: AuditUnitOfWork) -> Iterator[AuditEntry]:
    after = 0
    while True:
        page = uow.audit.chain(after, _PAGE)
        yield from page
        if len(page) < _PAGE:
            return
        after = page[-1].sequence
