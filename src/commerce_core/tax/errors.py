"""Tax errors."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)


class InvalidTaxRule(InvalidInput):
    code = "tax.invalid_rule"


class TaxRuleNotFound(NotFound):
    code = "tax.rule_not_found"


class InvalidDestination(InvalidInput):
    code = "tax.invalid_destination"


class NoTaxRuleMatched(BusinessRuleViolation):
    """No rule covers these lines at this destination and the policy is to fail, not to
    charge 0 (`details["line_ids"]`)."""

    code = "tax.no_rule_matched"


class TaxDestinationRequired(InvalidInput):
    """Confirming an order needs the shipping destination: tax is never guessed at confirm."""

    code = "tax.destination_required"


class TaxServiceUnavailable(ServiceUnavailable):
    """Tax rules could not be read (outage, timeout): checkout stops, tax is never assumed 0."""

    code = "tax.unavailable"
