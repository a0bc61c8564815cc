"""Customer commands, and the input shapes they carry (an address as written, a segment
rule)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen


@frozen
class AddressFields:
    """An address as the shopper writes it; `location_id` is its ward in the location
    hierarchy, whose names (ward, district, province) the customer context fills in."""

    first_name: str
    last_name: str
    phone: str
    line1: str
    location_id: str
    line2: str | None = None
    kind: str = "shipping"  # or billing
    label: str = "home"  # home, office or other
    postal_code: str | None = None
    company: str | None = None


@frozen
class SegmentRule:
    """`field` is one of the customer facts (total_orders, total_spent, ...), `operator` one of
    gt, lt, eq, contains; `value` is compared as a number when the fact is one."""

    field: str
    operator: str
    value: str
    weight: int = 1


@frozen
class RegisterCustomer:
    """Idempotent for a given `customer_id` (the identity context registers credentials under
    an id it generated and may deliver this twice): the existing customer is returned."""

    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    customer_id: str | None = None
    registration_source: str = "web"
    email_verified: bool = False  # True for a social sign-up with a verified email
    customer_type: str = "individual"


@frozen
class VerifyCustomer:
    customer_id: str


@frozen
class UpdateProfile:
    """`changes`: profile field → new value. With `expected_version`, refused with
    `StaleProfile` when the profile changed since the caller read it."""

    customer_id: str
    changes: Mapping[str, Any] = field(factory=dict)
    expected_version: int | None = None


@frozen
class UpdatePreferences:
    customer_id: str
    changes: Mapping[str, Any] = field(factory=dict)


@frozen
class ActivateCustomer:
    customer_id: str
    reason: str = "operator"


@frozen
class DeactivateCustomer:
    customer_id: str
    reason: str = "customer_request"


@frozen
class SuspendCustomer:
    customer_id: str
    reason: str = "operator"


@frozen
class ChangeCustomerGroup:
    customer_id: str
    group: str


@frozen
class AddAddress:
    customer_id: str
    address: AddressFields
    make_default: bool = False


@frozen
class UpdateAddress:
    customer_id: str
    address_id: str
    address: AddressFields


@frozen
class DeleteAddress:
    customer_id: str
    address_id: str


@frozen
class SetDefaultAddress:
    customer_id: str
    address_id: str


@frozen
class DefineSegment:
    """Creates the segment or replaces its name, rules and activity."""

    segment_id: str
    name: str
    rules: tuple[SegmentRule, ...] = ()
    is_active: bool = True


@frozen
class AssignSegment:
    customer_id: str
    segment_id: str


@frozen
class RemoveSegment:
    customer_id: str
    segment_id: str


@frozen
class EvaluateSegments:
    """The evaluator job (daily): every customer against every rule segment, in batches."""

    batch_size: int = 100


@frozen
class RequestAccountDeletion:
    customer_id: str
    reason: str = "customer_request"


@frozen
class CancelAccountDeletion:
    customer_id: str


@frozen
class ProcessScheduledDeletions:
    """The deletion job (daily): anonymise customers whose grace period elapsed."""

    limit: int = 200


@frozen
class ExportCustomerData:
    customer_id: str
