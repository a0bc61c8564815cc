"""Fraud errors."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    CommerceError,
    Conflict,
    InvalidInput,
    NotFound,
)


class FraudBlocked(BusinessRuleViolation):
    """The risk check refused the order: nothing was authorized and the stock went back. The
    shopper is told no more than that (the signals would teach a fraudster what to change)."""

    code = "fraud.blocked"


class AssessmentNotFound(NotFound):
    code = "fraud.assessment_not_found"


class NotUnderReview(Conflict):
    """Only an order the risk check sent to review can be approved or rejected, and only once
    one way: approving a rejected order (or the reverse) is refused."""

    code = "fraud.not_under_review"


class CaptureHeld(Conflict):
    """The order waits for a staff decision on its risk; its money is held, not taken."""

    code = "fraud.capture_held"


class InvalidRiskInput(InvalidInput):
    """What checkout passed for the risk check is malformed (an address that is not an IP, a
    card number where the gateway's fingerprint belongs)."""

    code = "fraud.invalid_input"


class GeoDataUnavailable(CommerceError):
    """A GeoIP database is missing, unreadable or does not know the address: the signals that
    need it are unavailable (they add no points, the gap is recorded)."""

    code = "fraud.geo_data_unavailable"
