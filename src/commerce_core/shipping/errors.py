"""Shipping errors."""

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable


class ShipmentNotFound(NotFound):
    code = "shipping.shipment_not_found"


class InvalidShipmentTransition(Conflict):
    """The shipment cannot take this step from its current status (ADR 0010: 409)."""

    code = "shipping.invalid_transition"


class DuplicateTrackingNumber(Conflict):
    """The carrier gave a tracking number another shipment of the same carrier already has."""

    code = "shipping.duplicate_tracking_number"


class ShipmentRefused(InvalidInput):
    """The shipment cannot be created from what was given (no ship-to address, no package, a
    warehouse without an address)."""

    code = "shipping.shipment_refused"


class UnknownCarrier(NotFound):
    code = "shipping.unknown_carrier"


class ShippingNotConfigured(ServiceUnavailable):
    code = "shipping.not_configured"


class WebhookRejected(InvalidInput):
    """The webhook's signature or token does not verify: nothing is stored."""

    code = "shipping.webhook_rejected"


class NoLabel(Conflict):
    """The shipment has no tracking number yet: there is nothing to print."""

    code = "shipping.no_label"
