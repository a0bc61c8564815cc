"""Tax errors (a destination's errors belong to pricing, whose engine asks for one)."""

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


class NoTaxRuleMatched(BusinessRuleViolation):
    """No rule covers these lines at this destination and the policy is to fail, not to
    charge 0 (`details["line_ids"]`)."""

    code = "tax.no_rule_matched"


class TaxServiceUnavailable(ServiceUnavailable):
    """Tax rules could not be read (outage, timeout): checkout stops, tax is never assumed 0."""

    code = "tax.unavailable"
