"""Fulfillment errors."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)


class FulfillmentNotFound(NotFound):
    code = "fulfillment.not_found"


class PicklistNotFound(NotFound):
    code = "fulfillment.picklist_not_found"


class InvalidTransition(Conflict):
    """The fulfillment (or pick list) cannot take this step from its current status."""

    code = "fulfillment.invalid_transition"


class NothingToPick(BusinessRuleViolation):
    code = "fulfillment.nothing_to_pick"


class ItemNotInFulfillment(NotFound):
    """A SKU, item or pick-list line the fulfillment (or pick list) does not have."""

    code = "fulfillment.item_not_found"


class MoreThanLeft(BusinessRuleViolation):
    """More units picked than are left to pick: what is left depends on what was picked."""

    code = "fulfillment.more_than_left"


class InvalidPackage(InvalidInput):
    """Packages must hold exactly the picked units, with positive weight and dimensions."""

    code = "fulfillment.invalid_package"


class RepackRequired(BusinessRuleViolation):
    """The measured weight is more than the tolerance (5 %) away from the expected weight."""

    code = "fulfillment.repack_required"


class CarrierLimitExceeded(BusinessRuleViolation):
    """A package is over 30 kg or 100 x 60 x 60 cm: split it."""

    code = "fulfillment.carrier_limit_exceeded"


class QcRequired(BusinessRuleViolation):
    """Quality control is required for this fulfillment and has not passed (spec B2.8)."""

    code = "fulfillment.qc_required"


class ShippingUnavailable(ServiceUnavailable):
    """No shipping adapter is configured: the fulfillment stays ready, never pretends to ship."""

    code = "fulfillment.shipping_unavailable"
