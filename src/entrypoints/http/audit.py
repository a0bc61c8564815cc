"""Audit routes for operators (`GET /admin/audit`, `GET /admin/audit/verify`), and the
dependency every admin route runs under so the commands it sends are audited.

`audit_as_admin` names the caller: the principal an authenticator put on `request.state`
(`principal`) when there is one, else the operator of the bootstrap token. It also keeps the
client address, the session and the request id, which every entry records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from commerce_core.audit.context import AuditContext, current_audit_context
from commerce_core.audit.model import AuditEntry
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep, SettingsDep
from entrypoints.http.problems import request_id_of
from entrypoints.http.ratelimit import client_ip
from entrypoints.http.search import Instant

admin = APIRouter(tags=["audit admin"])

OPERATOR = Principal(kind="staff", subject="operator", roles=frozenset({"operator"}))


async def audit_as_admin(request: Request, settings: SettingsDep) -> None:
    """Runs before every admin route: what the route changes is audited as its caller. Set in
    the request's own context, which the thread running the route inherits."""
    found = getattr(request.state, "principal", None)
    principal = found if isinstance(found, Principal) else OPERATOR
    current_audit_context.set(AuditContext(
        principal, ip=client_ip(request, settings.client_ip_header),
        session_id=principal.session_id, request_id=request_id_of(request),
    ))


class AuditEntryOut(BaseModel):
    sequence: int
    id: str
    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    actor_roles: list[str]
    action: str
    entity_type: str | None
    entity_id: str | None
    before: Any = Field(description="The changed fields before, by `kind/id`")
    after: Any = Field(description="The command and the changed fields after")
    severity: str
    ip: str | None
    session_id: str | None
    request_id: str | None
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryOut:
        r = e.record
        return cls(sequence=e.sequence, id=e.id, occurred_at=r.occurred_at,
                   actor_kind=r.actor.kind, actor_id=r.actor.subject,
                   actor_roles=list(r.actor.roles), action=r.action,
                   entity_type=r.entity_type, entity_id=r.entity_id, before=r.before,
                   after=r.after, severity=r.severity.value, ip=r.ip,
                   session_id=r.session_id, request_id=r.request_id,
                   prev_hash=e.prev_hash, hash=e.hash)


class BrokenLinkOut(BaseModel):
    sequence: int
    entry_id: str | None
    breach: str = Field(description="edited, inserted, removed or head_mismatch")
    detail: str


class VerificationOut(BaseModel):
    intact: bool
    checked: int = Field(description="Entries found sound before the first broken one")
    head_sequence: int
    head_hash: str
    broken: BrokenLinkOut | None


@admin.get("/audit",
           dependencies=[permit(Permission.AUDIT_READ)],
           summary="Audit entries, newest first, filtered")
def list_audit(
    commerce: CommerceDep,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=200, description=(
        "An action (`inventory.set_stock`), or a prefix ending in `.`"))] = None,
    entity: Annotated[str | None, Query(max_length=400,
                                        description="`type` or `type/id`")] = None,
    since: Annotated[Instant | None, Query(
        description="Entries at or after this instant (RFC 3339 with its offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[AuditEntryOut]:
    entries = commerce.audit.search(
        AuditFilter(actor=actor, action=action, entity=entity, since=since, limit=limit))
    return [AuditEntryOut.of(e) for e in entries]


@admin.get("/audit/verify",
           dependencies=[permit(Permission.AUDIT_VERIFY)],
           summary="Walk the hash chain: intact, or the first broken entry")
def verify_audit(commerce: CommerceDep) -> VerificationOut:
    report = commerce.audit.verify()
    broken = report.broken
    return VerificationOut(
        intact=report.intact, checked=report.checked, head_sequence=report.head.sequence,
        head_hash=report.head.hash,
        broken=None if broken is None else BrokenLinkOut(
            sequence=broken.sequence, entry_id=broken.entry_id, breach=broken.breach.value,
            detail=broken.detail),
    )
