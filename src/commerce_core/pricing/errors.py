"""Pricing errors."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)


class InvalidPrice(InvalidInput):
    """A price breaks an invariant: base > 0, 0 <= sale < base, one currency, sane windows."""

    code = "pricing.invalid_price"


class PriceNotFound(NotFound):
    """No price at any of the four levels (and none to convert): never priced at 0."""

    code = "pricing.price_not_found"


class PriceChangeRefused(Conflict):
    """A change the row as it stands cannot take: the row is no longer active, the change is
    in another currency than the row's, or the new end does not follow the row's start."""

    code = "pricing.price_change_refused"


class DuplicatePrice(Conflict):
    """Another active price covers the same (product, SKU, warehouse, currency) at that time."""

    code = "pricing.duplicate_price"


class BulkLimitExceeded(InvalidInput):
    code = "pricing.bulk_limit_exceeded"


class InvalidPriceRule(InvalidInput):
    code = "pricing.invalid_price_rule"


class PriceRuleNotFound(NotFound):
    code = "pricing.price_rule_not_found"


class ExchangeRateUnavailable(ServiceUnavailable):
    """The rate provider cannot give a rate (down, unknown pair): conversion is impossible."""

    code = "pricing.exchange_rate_unavailable"


class ExchangeRateTooOld(BusinessRuleViolation):
    """The only rate known is older than the hard limit; charging with it would be a guess."""

    code = "pricing.exchange_rate_too_old"


class InvalidPricingInput(InvalidInput):
    """The cart handed to the engine is malformed (quantity < 1, mixed currency, duplicates)."""

    code = "pricing.invalid_input"


class InvalidDestination(InvalidInput):
    code = "tax.invalid_destination"


class TaxDestinationRequired(InvalidInput):
    """Confirming an order needs the shipping destination: tax is never guessed at confirm."""

    code = "tax.destination_required"
