"""Payment errors. A decline is an expected outcome (a result, then `PaymentDeclined` for the
shopper); outages and timeouts are `ServiceUnavailable` and may be retried."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)


class PaymentDeclined(BusinessRuleViolation):
    code = "payment.declined"


class PaymentNotCompleted(BusinessRuleViolation):
    """The shopper did not finish paying on the provider's page within the window."""

    code = "payment.expired"


class GatewayUnavailable(ServiceUnavailable):
    """The gateway answered with an error or could not be reached; nothing was authorized."""

    code = "payment.gateway_unavailable"


class GatewayTimeout(ServiceUnavailable):
    """No answer in time: the gateway may or may not have acted (void by idempotency key)."""

    code = "payment.gateway_timeout"


class CircuitOpen(GatewayUnavailable):
    """The gateway's circuit breaker is open: it was not called. Same code as an outage: to a
    caller both mean "nothing was authorized, try later"."""


class NoEligibleGateway(BusinessRuleViolation):
    """No configured gateway takes this payment method, currency and country."""

    code = "payment.no_eligible_gateway"


class PaymentNotFound(NotFound):
    code = "payment.not_found"


class InvalidPaymentState(Conflict):
    code = "payment.invalid_state"


class CaptureNotPossible(Conflict):
    """More than is left of the authorization, or a capture of nothing."""

    code = "payment.capture_not_possible"


class RefundAboveLimit(Forbidden):
    """The refund is larger than the caller may give on their own; someone with a higher
    ceiling gives it."""

    code = "payment.refund_above_limit"


class RefundNotPossible(Conflict):
    """More than is left to refund, or a payment that took no money."""

    code = "payment.refund_not_possible"


class RefundRefused(BusinessRuleViolation):
    """The gateway refused the refund; nothing went back."""

    code = "payment.refund_refused"


class RefundNotFound(NotFound):
    code = "payment.refund_not_found"


class InvalidWebhook(InvalidInput):
    """A webhook whose signature or shape does not check out; it is ignored."""

    code = "payment.invalid_webhook"


class DisputeNotFound(NotFound):
    code = "payment.dispute_not_found"


class DisputeClosedAlready(Conflict):
    """The dispute was decided the other way already: a decision is not changed."""

    code = "payment.dispute_closed"


class InvalidDisputeOutcome(InvalidInput):
    code = "payment.invalid_dispute_outcome"


class TenderRefused(BusinessRuleViolation):
    """Stored value the checkout cannot take: below the points minimum, above the points
    share of the order, more than the order owes, an account in another unit or of another
    kind, the same account twice."""

    code = "payment.tender_refused"


class TenderNotFound(NotFound):
    code = "payment.tender_not_found"
