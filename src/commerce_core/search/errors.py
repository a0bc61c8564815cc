"""Search errors."""

from commerce_core.shared.errors import InvalidInput, NotFound, ServiceUnavailable


class InvalidSearch(InvalidInput):
    """A query the index cannot answer as asked (page too deep, bad cursor, bad range)."""

    code = "search.invalid_query"


class SearchUnavailable(ServiceUnavailable):
    """No search index is configured, or the index does not answer."""

    code = "search.unavailable"


class SearchNotFound(NotFound):
    """A click or an add-to-cart names a search that was never logged."""

    code = "search.not_found"


class PageNotFound(NotFound):
    """A cursor that does not decode (or was made for another query) names no page."""

    code = "search.page_not_found"
