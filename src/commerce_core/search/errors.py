"""Search errors."""

from commerce_core.shared.errors import InvalidInput, ServiceUnavailable


class InvalidSearch(InvalidInput):
    """A query the index cannot answer as asked (page too deep, bad cursor, bad range)."""

    code = "search.invalid_query"


class SearchUnavailable(ServiceUnavailable):
    """No search index is configured, or the index does not answer."""

    code = "search.unavailable"
