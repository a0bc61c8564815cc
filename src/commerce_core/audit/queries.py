"""How the log is searched."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen


@frozen
class AuditFilter:
    """Entries matching every given criterion, newest first. `entity` is `type` or `type/id`;
    `action` matches exactly, or by prefix when it ends with `.` (`inventory.`)."""

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    since: datetime | None = None
    limit: int = 50

    @property
    def entity_type(self) -> str | None:
        return None if self.entity is None else self.entity.partition("/")[0]

    @property
    def entity_id(self) -> str | None:
        if self.entity is None or "/" not in self.entity:
            return None
        return self.entity.partition("/")[2]
