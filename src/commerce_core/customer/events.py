"""Facts about customers: all of them leave through the outbox with the change they describe."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class CustomerCreated(DomainEvent):
    """A customer registered (their profile and preferences exist from this commit on)."""

    type = "customer.created"
    customer_id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    registration_source: str
    status: str
    occurred_at: datetime


@frozen
class CustomerUpdated(DomainEvent):
    """The profile changed: `changes` names each changed field with its new value."""

    type = "customer.updated"
    customer_id: str
    changes: dict[str, str | None]
    occurred_at: datetime


@frozen
class PreferencesUpdated(DomainEvent):
    type = "customer.preferences_updated"
    customer_id: str
    changes: dict[str, str | bool | None]
    occurred_at: datetime


@frozen
class CustomerVerified(DomainEvent):
    type = "customer.verified"
    customer_id: str
    email: str
    occurred_at: datetime


@frozen
class CustomerStatusChanged(DomainEvent):
    """Suspension and deactivation are the identity context's cue to revoke the customer's
    sessions."""

    type = "customer.status_changed"
    customer_id: str
    from_status: str
    to_status: str
    reason: str
    occurred_at: datetime


@frozen
class CustomerGroupChanged(DomainEvent):
    type = "customer.group_changed"
    customer_id: str
    from_group: str
    to_group: str
    occurred_at: datetime


@frozen
class AddressCreated(DomainEvent):
    type = "customer.address_created"
    customer_id: str
    address_id: str
    is_default: bool
    occurred_at: datetime


@frozen
class AddressUpdated(DomainEvent):
    type = "customer.address_updated"
    customer_id: str
    address_id: str
    is_default: bool
    occurred_at: datetime


@frozen
class AddressDeleted(DomainEvent):
    """`promoted_id`: the address that became the default in the same change, if any."""

    type = "customer.address_deleted"
    customer_id: str
    address_id: str
    promoted_id: str | None
    occurred_at: datetime


@frozen
class SegmentAssigned(DomainEvent):
    type = "customer.segment_assigned"
    customer_id: str
    segment: str
    occurred_at: datetime


@frozen
class SegmentRemoved(DomainEvent):
    type = "customer.segment_removed"
    customer_id: str
    segment: str
    occurred_at: datetime


@frozen
class DeletionScheduled(DomainEvent):
    type = "customer.deletion_scheduled"
    customer_id: str
    scheduled_for: datetime
    reason: str
    occurred_at: datetime


@frozen
class DeletionCancelled(DomainEvent):
    type = "customer.deletion_cancelled"
    customer_id: str
    occurred_at: datetime


@frozen
class CustomerDeleted(DomainEvent):
    """The customer's personal data is gone (anonymised); the id stays so orders and other
    accounting records keep pointing at someone. Carries no personal data."""

    type = "customer.deleted"
    customer_id: str
    occurred_at: datetime
