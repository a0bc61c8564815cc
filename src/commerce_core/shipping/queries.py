"""What shipping answers about shipments (views without the aggregate's internals)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen


@frozen
class PublicTrackingEvent:
    status: str | None
    event_code: str
    occurred_at: datetime
    location: str | None
    description: str | None


@frozen
class PublicTracking:
    """What anyone holding a tracking number may see: no names, addresses or amounts."""

    tracking_number: str
    carrier: str
    status: str
    events: tuple[PublicTrackingEvent, ...]


@frozen
class CancellationReport:
    cancelled: tuple[str, ...]
    returning: tuple[str, ...]
    errors: dict[str, str]


@frozen
class WebhookResult:
    updates: int
    applied: int
    duplicates: int
