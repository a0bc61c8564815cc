"""Customer and location errors."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    Conflict,
    InvalidInput,
    NotFound,
)


class CustomerNotFound(NotFound):
    code = "customer.not_found"


class EmailTaken(Conflict):
    """Another customer already registered this email (the database's unique key decides a
    race between two registrations)."""

    code = "customer.email_taken"


class InvalidCustomer(InvalidInput):
    code = "customer.invalid_input"


class InvalidStatusChange(Conflict):
    """The command does not apply in the customer's status (spec §3 status table)."""

    code = "customer.invalid_status"


class StaleProfile(Conflict):
    """The profile changed since the caller read it: read it again, then retry."""

    code = "customer.stale_version"


class AddressNotFound(NotFound):
    code = "customer.address_not_found"


class InvalidAddress(InvalidInput):
    """The address is incomplete, or its location is unknown, inactive or not a delivery
    point (a ward)."""

    code = "customer.invalid_address"


class DeletionRefused(BusinessRuleViolation):
    """The customer still has orders in progress: deletion waits until they finish."""

    code = "customer.active_orders"


class DeletionNotScheduled(Conflict):
    code = "customer.deletion_not_scheduled"


class SegmentNotFound(NotFound):
    code = "customer.segment_not_found"


class InvalidSegment(InvalidInput):
    code = "customer.invalid_segment"


class LocationNotFound(NotFound):
    code = "location.not_found"


class InvalidLocation(InvalidInput):
    """Location data that breaks the hierarchy rules (spec §4): a parent not exactly one level
    above, a duplicate code under one parent, coordinates out of range."""

    code = "location.invalid"
