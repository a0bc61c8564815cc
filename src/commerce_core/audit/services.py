"""The audit trail of commands: staff and app commands recorded in the transaction that runs
them, refusals in one of their own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from commerce_core.audit.context import AuditContext, current_audit_context
from commerce_core.audit.model import Actor, AuditRecord, Severity, to_json
from commerce_core.audit.ports import AuditUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.uow import Change, PendingWrite, UnitOfWorkFactory

AUDITED_KINDS = frozenset({"staff", "app"})


def action_of(command: Any) -> str:
    """`<context>.<command in snake case>`: `inventory.adjust_stock` for
    `commerce_core.inventory.commands.AdjustStock`."""
    module = type(command).__module__.split(".")
    area = module[1] if len(module) > 2 and module[0] == "commerce_core" else module[-1]
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(command).__name__).lower()
    return f"{area}.{name}"


def entity_of(command: Any, changes: Sequence[Change]) -> tuple[str | None, str | None]:
    """The aggregate the command changed first, else the first `*_id` (or `sku`) it names."""
    if changes:
        return changes[0].kind, changes[0].id
    fields: dict[str, Any] = to_json(command) or {}
    for name, value in fields.items():
        if isinstance(value, str) and (name.endswith("_id") or name == "sku"):
            return name.removesuffix("_id"), value
    return None, None


def record_of(command: Any, context: AuditContext, changes: Sequence[Change], *,
              clock: Clock, severity: Severity = Severity.INFO, suffix: str = "",
              outcome: dict[str, Any] | None = None) -> AuditRecord:
    entity_type, entity_id = entity_of(command, changes)
    before = {f"{c.kind}/{c.id}": to_json(c.before) for c in changes if c.before is not None}
    after: dict[str, Any] = {"command": to_json(command)}
    if changes:
        after["changes"] = {f"{c.kind}/{c.id}": to_json(c.after) for c in changes}
    if outcome is not None:
        after["outcome"] = outcome
    principal = context.principal
    return AuditRecord(
        action=action_of(command) + suffix, actor=Actor.of(principal),
        occurred_at=clock.now(), entity_type=entity_type, entity_id=entity_id,
        before=before or None, after=after, severity=severity, ip=context.ip,
        session_id=context.session_id or principal.session_id, request_id=context.request_id,
    )


class CommandAudit:
    """The bus's recorder: a command run by staff or an app (see `context.acting`) gets one
    entry, written in the transaction of the command's first commit; one its handler refused
    gets a `<action>.refused` entry with the error's code."""

    def __init__(self, uow: UnitOfWorkFactory[AuditUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def _context(self) -> AuditContext | None:
        context = current_audit_context.get()
        if context is None or context.principal.kind not in AUDITED_KINDS:
            return None
        return context

    def writer(self, command: Any) -> PendingWrite | None:
        context = self._context()
        if context is None:
            return None

        def write(uow: Any, changes: Sequence[Change]) -> None:
            audited: AuditUnitOfWork = uow
            audited.audit.append(record_of(command, context, changes, clock=self._clock))

        return write

    def refused(self, command: Any, error: CommerceError) -> None:
        context = self._context()
        if context is None:
            return
        record = record_of(command, context, (), clock=self._clock, severity=Severity.WARNING,
                           suffix=".refused",
                           outcome={"code": error.code, "message": error.message})
        with self._uow() as uow:
            uow.audit.append(record)
            uow.commit()
