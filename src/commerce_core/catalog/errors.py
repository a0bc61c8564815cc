"""Catalog errors."""

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class ProductNotFound(NotFound):
    code = "catalog.product_not_found"


class SkuNotFound(NotFound):
    code = "catalog.sku_not_found"


class DuplicateSku(Conflict):
    code = "catalog.duplicate_sku"


class DuplicateSlug(Conflict):
    code = "catalog.duplicate_slug"


class InvalidProduct(InvalidInput):
    code = "catalog.invalid_product"


class ProductNotAvailable(BusinessRuleViolation):
    """The product exists but is not published (draft or archived)."""

    code = "catalog.product_not_available"


class CategoryNotFound(NotFound):
    code = "catalog.category_not_found"
