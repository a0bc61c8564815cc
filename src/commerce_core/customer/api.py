"""`commerce.customers`: accounts, address books, segments and data-protection requests as
plain methods; `commerce.customers.locations` answers the location hierarchy."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from commerce_core.customer import commands as c
from commerce_core.customer.errors import InvalidLocation
from commerce_core.customer.locations import Locations
from commerce_core.customer.model import Address, Customer, CustomerStatus, Segment
from commerce_core.customer.ports import CustomerUnitOfWork
from commerce_core.customer.queries import DeletionRun, SegmentEvaluation
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class CustomersApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[CustomerUnitOfWork],
                 locations: Locations | None) -> None:
        self._handle, self._read, self._locations = handle, read, locations

    @property
    def locations(self) -> Locations:
        if self._locations is None:
            raise InvalidLocation("no location data is loaded (COMMERCE_LOCATIONS_FILE)")
        return self._locations

    def _run(self, command: object) -> Any:
        return self._handle(command)

    # -- reads -------------------------------------------------------------------------------
    def get(self, customer_id: str) -> Customer:
        with self._read() as uow:
            return uow.customers.get(customer_id)

    def by_email(self, email: str) -> Customer | None:
        with self._read() as uow:
            return uow.customers.by_email(email.strip().lower())

    def list(self, *, status: str | None = None, group: str | None = None,
             segment: str | None = None, email_contains: str | None = None, limit: int = 50,
             offset: int = 0) -> builtins.list[Customer]:
        with self._read() as uow:
            return uow.customers.list(
                status=CustomerStatus(status) if status else None, group=group,
                segment=segment, email_contains=email_contains, limit=limit, offset=offset)

    def group(self, customer_id: str) -> str:
        """The customer's pricing group (`regular` by default)."""
        return self.get(customer_id).group

    def segments(self) -> builtins.list[Segment]:
        with self._read() as uow:
            return uow.segments.list()

    # -- account -----------------------------------------------------------------------------
    def register(self, email: str, first_name: str, last_name: str, *,
                 phone: str | None = None, customer_id: str | None = None,
                 registration_source: str = "web", email_verified: bool = False,
                 customer_type: str = "individual") -> Customer:
        result: Customer = self._run(c.RegisterCustomer(
            email, first_name, last_name, phone, customer_id, registration_source,
            email_verified, customer_type))
        return result

    def verify(self, customer_id: str) -> Customer:
        result: Customer = self._run(c.VerifyCustomer(customer_id))
        return result

    def update_profile(self, customer_id: str, changes: Mapping[str, Any], *,
                       expected_version: int | None = None) -> Customer:
        result: Customer = self._run(c.UpdateProfile(customer_id, dict(changes),
                                                     expected_version))
        return result

    def update_preferences(self, customer_id: str, changes: Mapping[str, Any]) -> Customer:
        result: Customer = self._run(c.UpdatePreferences(customer_id, dict(changes)))
        return result

    def activate(self, customer_id: str, reason: str = "operator") -> Customer:
        result: Customer = self._run(c.ActivateCustomer(customer_id, reason))
        return result

    def deactivate(self, customer_id: str, reason: str = "customer_request") -> Customer:
        result: Customer = self._run(c.DeactivateCustomer(customer_id, reason))
        return result

    def suspend(self, customer_id: str, reason: str = "operator") -> Customer:
        result: Customer = self._run(c.SuspendCustomer(customer_id, reason))
        return result

    def change_group(self, customer_id: str, group: str) -> Customer:
        result: Customer = self._run(c.ChangeCustomerGroup(customer_id, group))
        return result

    # -- addresses ---------------------------------------------------------------------------
    def add_address(self, customer_id: str, address: c.AddressFields, *,
                    make_default: bool = False) -> Address:
        result: Address = self._run(c.AddAddress(customer_id, address, make_default))
        return result

    def update_address(self, customer_id: str, address_id: str,
                       address: c.AddressFields) -> Address:
        result: Address = self._run(c.UpdateAddress(customer_id, address_id, address))
        return result

    def delete_address(self, customer_id: str, address_id: str) -> Customer:
        result: Customer = self._run(c.DeleteAddress(customer_id, address_id))
        return result

    def set_default_address(self, customer_id: str, address_id: str) -> Customer:
        result: Customer = self._run(c.SetDefaultAddress(customer_id, address_id))
        return result

    def format_address(self, address: Address) -> str:
        """The address in Vietnamese order, the country by name when the hierarchy knows it."""
        country: str | None = None
        if self._locations is not None:
            country = next((loc.name for loc in self._locations.children(None)
                            if loc.country_code == address.country_code), None)
        return address.formatted(country)

    # -- segments ----------------------------------------------------------------------------
    def define_segment(self, segment_id: str, name: str,
                       rules: tuple[c.SegmentRule, ...] = (), *,
                       is_active: bool = True) -> Segment:
        result: Segment = self._run(c.DefineSegment(segment_id, name, rules, is_active))
        return result

    def assign_segment(self, customer_id: str, segment_id: str) -> Customer:
        result: Customer = self._run(c.AssignSegment(customer_id, segment_id))
        return result

    def remove_segment(self, customer_id: str, segment_id: str) -> Customer:
        result: Customer = self._run(c.RemoveSegment(customer_id, segment_id))
        return result

    def evaluate_segments(self, batch_size: int = 100) -> SegmentEvaluation:
        result: SegmentEvaluation = self._run(c.EvaluateSegments(batch_size))
        return result

    # -- data protection ---------------------------------------------------------------------
    def export(self, customer_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._run(c.ExportCustomerData(customer_id))
        return result

    def request_deletion(self, customer_id: str, reason: str = "customer_request") -> datetime:
        """When the account will be deleted (30 days ahead)."""
        customer: Customer = self._run(c.RequestAccountDeletion(customer_id, reason))
        assert customer.deletion_scheduled_at is not None
        return customer.deletion_scheduled_at

    def cancel_deletion(self, customer_id: str) -> Customer:
        result: Customer = self._run(c.CancelAccountDeletion(customer_id))
        return result

    def process_deletions(self, limit: int = 200) -> DeletionRun:
        result: DeletionRun = self._run(c.ProcessScheduledDeletions(limit))
        return result
