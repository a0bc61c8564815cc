"""Customer use cases: registration, profile, status, addresses, groups and segments.
Data-protection use cases (export, deletion) are in `privacy`."""

from __future__ import annotations

from datetime import datetime

from commerce_core.customer.commands import (
    ActivateCustomer,
    AddAddress,
    AddressFields,
    AssignSegment,
    ChangeCustomerGroup,
    DeactivateCustomer,
    DefineSegment,
    DeleteAddress,
    EvaluateSegments,
    RegisterCustomer,
    RemoveSegment,
    SetDefaultAddress,
    SuspendCustomer,
    UpdateAddress,
    UpdatePreferences,
    UpdateProfile,
    VerifyCustomer,
)
from commerce_core.customer.errors import (
    CustomerNotFound,
    EmailTaken,
    InvalidAddress,
    InvalidSegment,
    SegmentNotFound,
    StaleProfile,
)
from commerce_core.customer.locations import Locations
from commerce_core.customer.model import (
    ALL_CUSTOMERS,
    NEW_CUSTOMERS,
    Address,
    Customer,
    CustomerStatus,
    Place,
    Segment,
    check_address,
    default_segments,
    normalise_email,
)
from commerce_core.customer.ports import CustomerOrders, CustomerUnitOfWork
from commerce_core.customer.queries import SegmentEvaluation
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

Factory = UnitOfWorkFactory[CustomerUnitOfWork]


class RegisterCustomerHandler:
    """Customer, profile and preferences in one commit with `customer.created`; the default
    segments are joined in the same commit."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: RegisterCustomer) -> Customer:
        email = normalise_email(cmd.email)
        if cmd.customer_id is not None:
            existing = self._existing(cmd.customer_id, email)
            if existing is not None:
                return existing
        now = self._clock.now()
        customer = Customer.register(
            customer_id=cmd.customer_id or self._ids.new_id(), email=email,
            first_name=cmd.first_name, last_name=cmd.last_name, phone=cmd.phone,
            registration_source=cmd.registration_source, email_verified=cmd.email_verified,
            customer_type=cmd.customer_type, segments=(ALL_CUSTOMERS, NEW_CUSTOMERS), now=now,
        )
        try:
            with self._uow() as uow:
                if uow.customers.by_email(email) is not None:
                    raise EmailTaken(f"{email} is already registered", email=email)
                uow.customers.add(customer)
                uow.commit()
        except ConcurrencyConflict:
            # The same id registered concurrently (a redelivered identity event): the first
            # registration stands.
            existing = self._existing(customer.id, email) if cmd.customer_id else None
            if existing is None:
                raise
            return existing
        return customer

    def _existing(self, customer_id: str, email: str) -> Customer | None:
        with self._uow() as uow:
            try:
                found = uow.customers.get(customer_id)
            except CustomerNotFound:
                return None
        if found.email != email:
            raise EmailTaken(f"customer {customer_id} exists with another email",
                             customer_id=customer_id)
        return found


class _OneCustomer:
    """Load one customer, call one verb, commit; returns the customer as committed."""

    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def _change(self, customer_id: str, verb: str, *args: object, **kwargs: object) -> Customer:
        with self._uow() as uow:
            customer = uow.customers.get(customer_id)
            getattr(customer, verb)(*args, now=self._clock.now(), **kwargs)
            uow.commit()
        return customer


class VerifyCustomerHandler(_OneCustomer):
    def __call__(self, cmd: VerifyCustomer) -> Customer:
        return self._change(cmd.customer_id, "verify")


class UpdateProfileHandler(_OneCustomer):
    def __call__(self, cmd: UpdateProfile) -> Customer:
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            if cmd.expected_version is not None and customer.version != cmd.expected_version:
                raise StaleProfile(
                    f"customer {customer.id} is at version {customer.version}, not "
                    f"{cmd.expected_version}", version=customer.version)
            customer.update_profile(cmd.changes, now=self._clock.now())
            uow.commit()
        return customer


class UpdatePreferencesHandler(_OneCustomer):
    def __call__(self, cmd: UpdatePreferences) -> Customer:
        return self._change(cmd.customer_id, "update_preferences", cmd.changes)


class ActivateCustomerHandler(_OneCustomer):
    def __call__(self, cmd: ActivateCustomer) -> Customer:
        return self._change(cmd.customer_id, "activate", cmd.reason)


class DeactivateCustomerHandler(_OneCustomer):
    def __call__(self, cmd: DeactivateCustomer) -> Customer:
        return self._change(cmd.customer_id, "deactivate", cmd.reason)


class SuspendCustomerHandler(_OneCustomer):
    def __call__(self, cmd: SuspendCustomer) -> Customer:
        return self._change(cmd.customer_id, "suspend", cmd.reason)


class ChangeCustomerGroupHandler(_OneCustomer):
    def __call__(self, cmd: ChangeCustomerGroup) -> Customer:
        return self._change(cmd.customer_id, "change_group", cmd.group)


# -- addresses ------------------------------------------------------------------------------
def resolve_place(locations: Locations | None, data: AddressFields) -> Place:
    """The ward's names from the hierarchy; `InvalidAddress` when the location is not an
    active ward (the lowest level of the loaded scheme)."""
    if locations is None:
        raise InvalidAddress("no location data is loaded: addresses cannot be checked",
                             field="location_id")
    check = locations.validate(data.location_id, leaf_type=locations.levels[-1])
    if not check.valid:
        raise InvalidAddress("; ".join(check.errors), field="location_id",
                             errors=list(check.errors))
    path = check.path
    district = next((loc.name for loc in path if loc.type == "district"), None)
    province = path[1].name if len(path) > 2 else path[0].name
    return Place(path[-1].name, district, province, path[0].country_code)


class _AddressHandler:
    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator,
                 locations: Locations | None) -> None:
        self._uow, self._clock, self._ids, self._locations = uow, clock, ids, locations


class AddAddressHandler(_AddressHandler):
    def __call__(self, cmd: AddAddress) -> Address:
        data = check_address(cmd.address)
        place = resolve_place(self._locations, data)
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            address = customer.add_address(self._ids.new_id(), data, place,
                                           make_default=cmd.make_default,
                                           now=self._clock.now())
            uow.commit()
        return address


class UpdateAddressHandler(_AddressHandler):
    def __call__(self, cmd: UpdateAddress) -> Address:
        data = check_address(cmd.address)
        place = resolve_place(self._locations, data)
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            address = customer.update_address(cmd.address_id, data, place,
                                              now=self._clock.now())
            uow.commit()
        return address


class DeleteAddressHandler(_OneCustomer):
    def __call__(self, cmd: DeleteAddress) -> Customer:
        return self._change(cmd.customer_id, "delete_address", cmd.address_id)


class SetDefaultAddressHandler(_OneCustomer):
    def __call__(self, cmd: SetDefaultAddress) -> Customer:
        return self._change(cmd.customer_id, "set_default_address", cmd.address_id)


# -- segments -------------------------------------------------------------------------------
class DefineSegmentHandler:
    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DefineSegment) -> Segment:
        now = self._clock.now()
        if cmd.segment_id in (ALL_CUSTOMERS, NEW_CUSTOMERS):
            raise InvalidSegment(f"{cmd.segment_id} is a built-in segment")
        with self._uow() as uow:
            segment = uow.segments.find(cmd.segment_id)
            if segment is None:
                segment = Segment.define(cmd.segment_id, cmd.name, cmd.rules, now=now)
                uow.segments.add(segment)
            segment.change(cmd.name, cmd.rules, is_active=cmd.is_active, now=now)
            uow.commit()
        return segment


def _known_segment(uow: CustomerUnitOfWork, segment_id: str) -> None:
    if segment_id in (ALL_CUSTOMERS, NEW_CUSTOMERS):
        return
    if uow.segments.find(segment_id) is None:
        raise SegmentNotFound(f"segment {segment_id} not found", id=segment_id)


class AssignSegmentHandler(_OneCustomer):
    def __call__(self, cmd: AssignSegment) -> Customer:
        with self._uow() as uow:
            _known_segment(uow, cmd.segment_id)
            customer = uow.customers.get(cmd.customer_id)
            customer.join_segment(cmd.segment_id, now=self._clock.now())
            uow.commit()
        return customer


class RemoveSegmentHandler(_OneCustomer):
    def __call__(self, cmd: RemoveSegment) -> Customer:
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            customer.leave_segment(cmd.segment_id, now=self._clock.now())
            uow.commit()
        return customer


def customer_facts(customer: Customer, orders: CustomerOrders, now: datetime) -> dict[str, object]:
    """What segment rules may look at (`model.FACTS`)."""
    stats = orders.facts(customer.id)
    default = customer.default_address
    return {
        "total_orders": len(stats.order_ids),
        "total_spent": stats.total_spent,
        "days_since_registration": (now - customer.created_at).days,
        "email": customer.email,
        "group": customer.group,
        "status": customer.status.value,
        "customer_type": customer.customer_type,
        "registration_source": customer.registration_source,
        "country_code": default.country_code if default else None,
    }


class EvaluateSegmentsHandler:
    """Every rule segment (and `all-customers`) against every customer not deleted, in batches
    of `batch_size`, each batch one commit. Joining is idempotent: a second run with the same
    facts changes nothing. Segments without rules other than `all-customers` are assigned by
    hand and left alone."""

    def __init__(self, uow: Factory, clock: Clock, orders: CustomerOrders) -> None:
        self._uow, self._clock, self._orders = uow, clock, orders

    def __call__(self, cmd: EvaluateSegments) -> SegmentEvaluation:
        now = self._clock.now()
        size = max(1, min(cmd.batch_size, 1000))
        with self._uow() as uow:
            stored = uow.segments.list()
            total = uow.customers.count()  # the snapshot: customers registered later wait
        segments = [s for s in [*default_segments(now), *stored]
                    if s.rules or s.id == ALL_CUSTOMERS]
        seen = added = removed = 0
        cursor: str | None = None
        while seen < total:
            # Facts come from another context: asked between the read and the write, so no
            # transaction of ours stays open while ordering answers.
            with self._uow() as uow:
                batch = uow.customers.after(cursor, min(size, total - seen))
            if not batch:
                break
            cursor = batch[-1].id
            seen += len(batch)
            facts = {c.id: customer_facts(c, self._orders, now) for c in batch
                     if c.status is not CustomerStatus.DELETED}
            with self._uow() as uow:
                for customer_id, known in facts.items():
                    customer = uow.customers.get(customer_id)
                    for segment in segments:
                        if segment.matches(known):
                            added += customer.join_segment(segment.id, now=now)
                        else:
                            removed += customer.leave_segment(segment.id, now=now)
                uow.commit()
        return SegmentEvaluation(seen, added, removed)
