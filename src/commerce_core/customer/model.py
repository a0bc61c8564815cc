"""The customer aggregate (profile, preferences, status, address book, group and segment
memberships) and the segment definition.

The address book lives inside the customer so that "exactly one default" is an invariant of one
aggregate: the first address becomes the default, setting another clears the previous one and
deleting the default promotes the oldest remaining one, all in the same commit. Status moves
only along `TRANSITIONS` (spec §3); deletion is a schedule on top of the status, cancellable
until the job anonymises the customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from attrs import define, evolve, field, fields, frozen

from commerce_core.customer.addresses import (
    Address,
    Place,
    check_address,
    normalise_phone,
)
from commerce_core.customer.commands import AddressFields
from commerce_core.customer.errors import (
    AddressNotFound,
    DeletionNotScheduled,
    InvalidCustomer,
    InvalidStatusChange,
)
from commerce_core.customer.events import (
    AddressCreated,
    AddressDeleted,
    AddressUpdated,
    CustomerCreated,
    CustomerDeleted,
    CustomerGroupChanged,
    CustomerStatusChanged,
    CustomerUpdated,
    CustomerVerified,
    DeletionCancelled,
    DeletionScheduled,
    PreferencesUpdated,
    SegmentAssigned,
    SegmentRemoved,
)
from commerce_core.customer.segments import (
    ALL_CUSTOMERS,
    NEW_CUSTOMERS,
    Segment,
    default_segments,
)
from commerce_core.shared.events import DomainEvent

__all__ = ["ALL_CUSTOMERS", "NEW_CUSTOMERS", "Address", "Customer", "CustomerStatus", "Place",
           "Preferences", "Segment", "check_address", "default_segments", "normalise_email"]

DEFAULT_GROUP = "regular"
DELETION_GRACE = timedelta(days=30)
TOMBSTONE_DOMAIN = "deleted.invalid"  # RFC 2606: never deliverable
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class CustomerStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    DELETED = "deleted"


S = CustomerStatus
TRANSITIONS: dict[CustomerStatus, frozenset[CustomerStatus]] = {
    S.PENDING_VERIFICATION: frozenset({S.ACTIVE}),
    S.ACTIVE: frozenset({S.INACTIVE, S.SUSPENDED}),
    S.INACTIVE: frozenset({S.ACTIVE}),
    S.SUSPENDED: frozenset({S.ACTIVE}),
    S.DELETED: frozenset(),
}
DELETABLE = frozenset({S.ACTIVE, S.INACTIVE, S.SUSPENDED})
CUSTOMER_TYPES = ("individual", "business")
SOURCES = ("web", "mobile", "api", "admin")
GENDERS = ("female", "male", "other", "undisclosed")


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise InvalidCustomer(f"{email!r} is not an email address", field="email")
    return cleaned


def _text(value: str | None, name: str, *, required: bool = False,
          limit: int = 100) -> str | None:
    cleaned = value.strip() if value is not None else None
    if required and not cleaned:
        raise InvalidCustomer(f"{name} is required", field=name)
    if cleaned is not None and len(cleaned) > limit:
        raise InvalidCustomer(f"{name} is longer than {limit} characters", field=name)
    return cleaned or None


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise InvalidCustomer(f"{name} must be one of {', '.join(allowed)}", field=name)
    return value


@frozen
class Preferences:
    """Spec §3 defaults: marketing by email and push on, SMS marketing and data sharing off."""

    email_marketing: bool = True
    sms_marketing: bool = False
    push: bool = True
    newsletter: bool = True
    data_sharing: bool = False
    analytics_tracking: bool = True
    cookie_consent: bool = False
    order_updates: bool = True
    promotional_emails: bool = True
    language: str = "vi"
    currency: str = "VND"
    custom: Mapping[str, str] = field(factory=dict)


PREFERENCE_FIELDS = tuple(a.name for a in fields(Preferences))


PROFILE_FIELDS = ("first_name", "last_name", "phone", "date_of_birth", "gender",
                  "customer_type")


@define(eq=False)
class Customer:
    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    date_of_birth: date | None
    gender: str | None
    customer_type: str
    status: CustomerStatus
    email_verified: bool
    phone_verified: bool
    registration_source: str
    group: str
    preferences: Preferences
    addresses: list[Address]
    segments: list[str]
    last_login_at: datetime | None
    deletion_scheduled_at: datetime | None
    deletion_reason: str | None
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def register(
        cls, *, customer_id: str, email: str, first_name: str, last_name: str,
        phone: str | None, registration_source: str, email_verified: bool,
        customer_type: str, segments: tuple[str, ...], now: datetime,
    ) -> Customer:
        """Pending verification, unless the email is already verified (social sign-up)."""
        status = S.ACTIVE if email_verified else S.PENDING_VERIFICATION
        customer = cls(
            customer_id, normalise_email(email),
            _text(first_name, "first_name", required=True) or "",
            _text(last_name, "last_name") or "", normalise_phone(phone), None, None,
            _one_of(customer_type, CUSTOMER_TYPES, "customer_type"), status, email_verified,
            False, _one_of(registration_source, SOURCES, "registration_source"),
            DEFAULT_GROUP, Preferences(), [], list(segments), None, None, None, None, now, now,
        )
        customer.events.append(CustomerCreated(
            customer.id, customer.email, customer.first_name, customer.last_name,
            customer.phone, registration_source, status.value, now))
        return customer

    # -- profile ---------------------------------------------------------------------------
    def _alive(self) -> None:
        if self.status is S.DELETED:
            raise InvalidStatusChange(f"customer {self.id} is deleted", status=self.status.value)

    def update_profile(self, changes: Mapping[str, Any], *, now: datetime) -> None:
        """Changes the named profile fields; unknown names are refused, unchanged ones ignored."""
        self._alive()
        unknown = set(changes) - set(PROFILE_FIELDS)
        if unknown:
            raise InvalidCustomer(f"not profile fields: {', '.join(sorted(unknown))}",
                                  fields=sorted(unknown))
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name in ("first_name", "last_name"):
                checked[name] = _text(value, name, required=True)
            elif name == "phone":
                checked[name] = normalise_phone(value)
            elif name == "gender":
                checked[name] = None if value is None else _one_of(value, GENDERS, "gender")
            elif name == "customer_type":
                checked[name] = _one_of(value, CUSTOMER_TYPES, "customer_type")
            elif name == "date_of_birth":
                if value is not None and not isinstance(value, date):
                    raise InvalidCustomer("date_of_birth must be a date", field=name)
                if value is not None and value > now.date():
                    raise InvalidCustomer("date_of_birth is in the future", field=name)
                checked[name] = value
        changed = {k: v for k, v in checked.items() if getattr(self, k) != v}
        if not changed:
            return
        for name, value in changed.items():
            setattr(self, name, value)
        if "phone" in changed:
            self.phone_verified = False
        self.updated_at = now
        self.events.append(CustomerUpdated(
            self.id, {k: None if v is None else str(v) for k, v in changed.items()}, now))

    def update_preferences(self, changes: Mapping[str, Any], *, now: datetime) -> None:
        self._alive()
        unknown = set(changes) - set(PREFERENCE_FIELDS)
        if unknown:
            raise InvalidCustomer(f"not preferences: {', '.join(sorted(unknown))}",
                                  fields=sorted(unknown))
        for name, value in changes.items():
            expected = type(getattr(Preferences(), name))
            if name == "custom":
                if not isinstance(value, Mapping) or len(value) > 20 or any(
                        not isinstance(k, str) or not isinstance(v, str) or len(k) > 50
                        or len(v) > 500 for k, v in value.items()):
                    raise InvalidCustomer("custom preferences are at most 20 text pairs",
                                          field=name)
            elif not isinstance(value, expected):
                raise InvalidCustomer(f"{name} must be a {expected.__name__}", field=name)
        values: dict[str, Any] = {k: (dict(v) if k == "custom" else v)
                                  for k, v in changes.items()}
        updated = evolve(self.preferences, **values)
        if updated == self.preferences:
            return
        diff = {k: (None if k == "custom" else v) for k, v in changes.items()
                if getattr(self.preferences, k) != v}
        self.preferences = updated
        self.updated_at = now
        self.events.append(PreferencesUpdated(self.id, diff, now))

    def record_login(self, at: datetime) -> None:
        if self.last_login_at is None or at > self.last_login_at:
            self.last_login_at = at

    # -- status ----------------------------------------------------------------------------
    def _move(self, to: CustomerStatus, reason: str, now: datetime) -> None:
        if to not in TRANSITIONS[self.status]:
            raise InvalidStatusChange(
                f"customer {self.id} cannot go from {self.status.value} to {to.value}",
                status=self.status.value, to=to.value)
        before, self.status = self.status, to
        self.updated_at = now
        self.events.append(CustomerStatusChanged(self.id, before.value, to.value, reason, now))

    def verify(self, *, now: datetime) -> None:
        """Pending → active; verifying again is a no-op."""
        if self.email_verified and self.status is not S.PENDING_VERIFICATION:
            return
        self.email_verified = True
        if self.status is S.PENDING_VERIFICATION:
            self._move(S.ACTIVE, "verified", now)
        self.events.append(CustomerVerified(self.id, self.email, now))

    def activate(self, reason: str, *, now: datetime) -> None:
        if self.status is S.ACTIVE:
            return
        if self.status is S.PENDING_VERIFICATION:
            raise InvalidStatusChange(f"customer {self.id} must verify their email first",
                                      status=self.status.value, to=S.ACTIVE.value)
        self._move(S.ACTIVE, reason, now)

    def deactivate(self, reason: str, *, now: datetime) -> None:
        if self.status is not S.INACTIVE:
            self._move(S.INACTIVE, reason, now)

    def suspend(self, reason: str, *, now: datetime) -> None:
        if self.status is not S.SUSPENDED:
            self._move(S.SUSPENDED, reason, now)

    def change_group(self, group: str, *, now: datetime) -> None:
        self._alive()
        if not _SLUG.match(group):
            raise InvalidCustomer(f"{group!r} is not a group name (a-z, 0-9, - and _)",
                                  field="group")
        if group != self.group:
            before, self.group = self.group, group
            self.updated_at = now
            self.events.append(CustomerGroupChanged(self.id, before, group, now))

    # -- addresses -------------------------------------------------------------------------
    def address(self, address_id: str) -> Address:
        for address in self.addresses:
            if address.id == address_id:
                return address
        raise AddressNotFound(f"address {address_id} not found", id=address_id)

    @property
    def default_address(self) -> Address | None:
        return next((a for a in self.addresses if a.is_default), None)

    def add_address(self, address_id: str, data: AddressFields, place: Place, *,
                    make_default: bool, now: datetime) -> Address:
        self._alive()
        first = not self.addresses
        address = Address(
            address_id, data.kind, data.label, data.first_name, data.last_name, data.phone,
            data.line1, data.line2, data.location_id, place.ward, place.district,
            place.province, place.country_code, data.postal_code, data.company,
            first or make_default, True, now,
        )
        if address.is_default:
            self._clear_default()
        self.addresses.append(address)
        self.updated_at = now
        self.events.append(AddressCreated(self.id, address_id, address.is_default, now))
        return address

    def update_address(self, address_id: str, data: AddressFields, place: Place, *,
                       now: datetime) -> Address:
        self._alive()
        current = self.address(address_id)
        updated = evolve(
            current, kind=data.kind, label=data.label, first_name=data.first_name,
            last_name=data.last_name, phone=data.phone, line1=data.line1, line2=data.line2,
            location_id=data.location_id, ward=place.ward, district=place.district,
            province=place.province, country_code=place.country_code,
            postal_code=data.postal_code, company=data.company, is_verified=True,
        )
        if updated != current:
            self._replace(updated)
            self.updated_at = now
            self.events.append(AddressUpdated(self.id, address_id, updated.is_default, now))
        return updated

    def set_default_address(self, address_id: str, *, now: datetime) -> None:
        self._alive()
        target = self.address(address_id)
        if target.is_default:
            return
        self._clear_default()
        self._replace(evolve(target, is_default=True))
        self.updated_at = now
        self.events.append(AddressUpdated(self.id, address_id, True, now))

    def delete_address(self, address_id: str, *, now: datetime) -> None:
        self._alive()
        target = self.address(address_id)
        self.addresses = [a for a in self.addresses if a.id != address_id]
        promoted: str | None = None
        if target.is_default and self.addresses:
            oldest = min(self.addresses, key=lambda a: (a.created_at, a.id))
            self._replace(evolve(oldest, is_default=True))
            promoted = oldest.id
        self.updated_at = now
        self.events.append(AddressDeleted(self.id, address_id, promoted, now))

    def _clear_default(self) -> None:
        self.addresses = [evolve(a, is_default=False) if a.is_default else a
                          for a in self.addresses]

    def _replace(self, address: Address) -> None:
        self.addresses = [address if a.id == address.id else a for a in self.addresses]

    # -- segments --------------------------------------------------------------------------
    def join_segment(self, segment: str, *, now: datetime) -> bool:
        """False when already a member (evaluating twice adds the membership once)."""
        if segment in self.segments:
            return False
        self.segments = [*self.segments, segment]
        self.events.append(SegmentAssigned(self.id, segment, now))
        return True

    def leave_segment(self, segment: str, *, now: datetime) -> bool:
        if segment not in self.segments:
            return False
        self.segments = [s for s in self.segments if s != segment]
        self.events.append(SegmentRemoved(self.id, segment, now))
        return True

    # -- deletion --------------------------------------------------------------------------
    def schedule_deletion(self, reason: str, *, now: datetime,
                          grace: timedelta = DELETION_GRACE) -> datetime:
        """Keeps the status; the job deletes once `deletion_scheduled_at` passed. Asking again
        keeps the first date."""
        if self.deletion_scheduled_at is not None:
            return self.deletion_scheduled_at
        if self.status not in DELETABLE:
            raise InvalidStatusChange(
                f"customer {self.id} cannot be scheduled for deletion while "
                f"{self.status.value}", status=self.status.value)
        self.deletion_scheduled_at = now + grace
        self.deletion_reason = (reason or "customer_request")[:500]
        self.updated_at = now
        self.events.append(DeletionScheduled(self.id, self.deletion_scheduled_at,
                                             self.deletion_reason, now))
        return self.deletion_scheduled_at

    def cancel_deletion(self, *, now: datetime) -> None:
        if self.deletion_scheduled_at is None:
            raise DeletionNotScheduled(f"customer {self.id} has no deletion scheduled",
                                       status=self.status.value)
        self.deletion_scheduled_at = self.deletion_reason = None
        self.updated_at = now
        self.events.append(DeletionCancelled(self.id, now))

    def anonymise(self, *, now: datetime) -> None:
        """Personal data goes for good (ADR 0018): names, phone, birth date, gender,
        addresses, preferences and segments; the email becomes a tombstone unique to the id.
        The id, group, type, source and dates stay for accounting."""
        if self.status is S.DELETED:
            return
        before = self.status
        self.email = f"deleted-{self.id}@{TOMBSTONE_DOMAIN}"
        self.first_name = self.last_name = "deleted"
        self.phone = self.gender = None
        self.date_of_birth = None
        self.email_verified = self.phone_verified = False
        self.addresses = []
        self.segments = []
        self.preferences = Preferences(email_marketing=False, push=False, newsletter=False,
                                       analytics_tracking=False, order_updates=False,
                                       promotional_emails=False)
        self.status = S.DELETED
        self.deletion_reason = None
        self.deleted_at = self.updated_at = now
        self.events.append(CustomerStatusChanged(self.id, before.value, S.DELETED.value,
                                                 "deletion", now))
        self.events.append(CustomerDeleted(self.id, now))
